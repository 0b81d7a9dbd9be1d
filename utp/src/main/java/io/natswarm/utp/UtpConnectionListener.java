package io.natswarm.utp;

/**
 * Callbacks of one {@link UtpConnection}, called on the event-loop thread from inside {@link
 * UtpStack#handleDatagram}, {@link UtpStack#handleTimeout}, {@link UtpStack#pollTransmit} or an
 * application call on a connection. They must not block; the endpoint uses them to wake application
 * threads. The connection may be used from inside a callback (for example to read).
 */
public interface UtpConnectionListener {
  /**
   * The handshake completed: the connection left SYN_SENT or SYN_RECEIVED (for CONNECTED, or
   * FIN_SENT when the output was shut down before).
   */
  default void onConnected(UtpConnection connection) {}

  /** New bytes or the peer's end of stream became readable. */
  default void onReadable(UtpConnection connection) {}

  /** Room opened in the send buffer after it was full. */
  default void onWritable(UtpConnection connection) {}

  /**
   * The connection reached {@link UtpState#CLOSED} or failed; see {@link UtpConnection#error()}.
   */
  default void onClosed(UtpConnection connection) {}
}
