package io.natswarm.utp.stream;

/**
 * Readiness callbacks of a {@link UtpChannel} for applications that use it in non-blocking mode
 * with their own event handling. Called on the endpoint's event-loop thread: implementations must
 * return quickly and must not block (typically they wake their own selector or queue a task).
 */
public interface UtpChannelListener {
  /** Bytes, end of stream or an error became readable. */
  default void onReadable(UtpChannel channel) {}

  /** Room opened in the channel's send buffer after a write could not take everything. */
  default void onWritable(UtpChannel channel) {}

  /** The connection ended (orderly, reset, timed out or aborted). */
  default void onClosed(UtpChannel channel) {}
}
