package io.natswarm.utp.stream;

import io.natswarm.utp.UtpError;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Locale;

/**
 * The exceptions the stream API throws for each way a µTP connection can end, each with a message
 * that says what happened and with whom: {@link ConnectException} when refused, {@link
 * SocketTimeoutException} when timed out, a plain {@link IOException} otherwise.
 */
final class StreamErrors {
  private StreamErrors() {}

  /** The exception for a connection with {@code remote} that ended with {@code e}. */
  static IOException failure(InetSocketAddress remote, UtpError e) {
    String who = remote.toString();
    return switch (e) {
      case REFUSED ->
          new ConnectException("connection refused by " + who + " (µTP SYN answered by RESET)");
      case CONNECT_TIMED_OUT ->
          new SocketTimeoutException("µTP connect to " + who + " timed out (no answer to the SYN)");
      case TIMED_OUT ->
          new SocketTimeoutException(
              "µTP connection to " + who + " timed out: the peer stopped answering");
      case RESET_BY_PEER -> new IOException("µTP connection to " + who + " reset by peer");
      case ABORTED -> new IOException("µTP connection to " + who + " was aborted locally");
      case STACK_CLOSED ->
          new IOException(
              "µTP connection to " + who + " closed: the µTP socket or its UDP endpoint shut down");
      default -> new IOException("µTP connection to " + who + " failed: " + e.message());
    };
  }

  /** A connect to {@code remote} got no answer to its SYN within {@code waited}. */
  static SocketTimeoutException connectTimedOut(InetSocketAddress remote, Duration waited) {
    return new SocketTimeoutException(
        "µTP connect to "
            + remote
            + " timed out after "
            + seconds(waited)
            + " (no answer to the SYN)");
  }

  /** {@code d} as seconds with one decimal, "0.3 s". */
  static String seconds(Duration d) {
    return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
  }
}
