package io.natswarm.utp;

/** Why a µTP connection ended; each value carries a sentence a person understands. */
public enum UtpError {
  /** No error: the connection is open or ended with a FIN in both directions. */
  NONE("no error"),
  /** The peer answered our SYN with ST_RESET: nothing accepts µTP connections there. */
  REFUSED("connection refused: the peer answered the SYN with a reset"),
  /**
   * Our SYN was not answered before the connect deadline ({@link UtpStack#connect(
   * java.net.InetSocketAddress, long, long)}) or after {@link UtpSettings#synRetries()} resends.
   */
  CONNECT_TIMED_OUT("connect timed out: no answer to the SYN"),
  /**
   * An established (or accepted, half-open) connection: the peer stopped acknowledging, or went
   * silent for {@link UtpSettings#idleTimeout()}.
   */
  TIMED_OUT("connection timed out: the peer stopped answering"),
  /** The peer sent ST_RESET on an established connection. */
  RESET_BY_PEER("connection reset by peer"),
  /** The application called {@link UtpConnection#abort}. */
  ABORTED("connection aborted locally (reset sent)"),
  /** The stack was closed with the connection still open. */
  STACK_CLOSED("the uTP stack was shut down"),
  /** The peer broke the protocol (for example an ack of data we never sent, twice). */
  PROTOCOL_VIOLATION("the peer violated the uTP protocol");

  private final String message;

  UtpError(String message) {
    this.message = message;
  }

  /** A sentence for logs and exceptions. */
  public String message() {
    return message;
  }
}
