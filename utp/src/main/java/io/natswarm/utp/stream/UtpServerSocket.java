package io.natswarm.utp.stream;

import java.io.Closeable;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The accepting side of a {@link UtpSocket}: incoming µTP connections (BEP 29 ST_SYN) queue here
 * until {@link #accept(Duration)} or {@link #poll()} takes them, each once, when its handshake has
 * completed (the peer's first packet after its SYN arrived; see {@link
 * io.natswarm.utp.UtpStack#pollAccepted()}), never while half-open. While it is open the stack
 * accepts SYNs; after {@link #close()} they are answered with ST_RESET and queued, unaccepted
 * connections are aborted. Thread-safe.
 */
public final class UtpServerSocket implements Closeable {
  private final UtpSocket socket;
  private final BlockingQueue<UtpChannel> accepted;
  private volatile boolean open = true;
  private volatile Runnable acceptListener;

  UtpServerSocket(UtpSocket socket, int backlog) {
    this.socket = socket;
    this.accepted = new ArrayBlockingQueue<>(backlog);
  }

  /** Called on the event loop with each new connection. */
  void offer(UtpChannel ch) {
    if (!open || !accepted.offer(ch)) {
      ch.abort();
      return;
    }
    Runnable l = acceptListener;
    if (l != null) {
      l.run();
    }
  }

  /**
   * Sets (or clears with null) a callback run on the event-loop thread whenever a connection is
   * queued, for callers that {@link #poll()} instead of blocking in {@link #accept}. It must not
   * block.
   */
  public void setAcceptListener(Runnable onAcceptable) {
    this.acceptListener = onAcceptable;
  }

  /** The port connections are accepted on. */
  public int port() {
    return socket.endpoint().port();
  }

  /**
   * Waits up to {@code timeout} for an incoming connection.
   *
   * @throws SocketTimeoutException when none arrived in time
   */
  public UtpChannel accept(Duration timeout) throws java.io.IOException {
    if (!open) {
      throw new java.nio.channels.ClosedChannelException();
    }
    try {
      UtpChannel ch = accepted.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
      if (ch == null) {
        throw new SocketTimeoutException(
            "no µTP connection arrived on "
                + socket.endpoint().localAddress()
                + " within "
                + StreamErrors.seconds(timeout));
      }
      return ch;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted in µTP accept");
    }
  }

  /** The next incoming connection, or null at once if none is waiting. */
  public UtpChannel poll() {
    return accepted.poll();
  }

  public boolean isOpen() {
    return open;
  }

  /** Stops accepting; connections already queued but not taken are aborted. */
  @Override
  public void close() {
    if (!open) {
      return;
    }
    open = false;
    socket.stopListening(this);
    UtpChannel ch;
    while ((ch = accepted.poll()) != null) {
      ch.abort();
    }
  }
}
