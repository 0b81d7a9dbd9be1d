package io.natswarm.utp;

import java.net.InetSocketAddress;

/**
 * Events of a {@link UtpStack}'s connections, for tests and diagnostics (design rule 4: an injected
 * tracer with a no-op default; tests assert event sequences, not log text). Inject one with {@link
 * UtpSettings.Builder#tracer}. Every method has an empty default, so a tracer overrides what it
 * watches. Called on the stack's event-loop thread from inside the stack: keep it cheap, never
 * block, and never call back into the stack.
 *
 * <p>Connections are named by their receive connection id ({@link UtpConnection#receiveId()}) and
 * the peer's address, which together are unique within one stack.
 */
public interface UtpTracer {
  /** The tracer that does nothing. */
  UtpTracer NOOP = new UtpTracer() {};

  /**
   * A connection was created: dialled ({@link UtpState#SYN_SENT}) or accepted from a SYN ({@link
   * UtpState#SYN_RECEIVED}).
   */
  default void connectionOpened(int connectionId, InetSocketAddress remote, UtpState initial) {}

  /**
   * A connection moved from one state to another (always a legal move of {@link UtpState}'s table);
   * {@code reason} is a short constant phrase.
   */
  default void stateChanged(
      int connectionId, InetSocketAddress remote, UtpState from, UtpState to, String reason) {}

  /**
   * A connection reached {@link UtpState#CLOSED}; {@code error} is {@link UtpError#NONE} after an
   * orderly close.
   */
  default void connectionClosed(int connectionId, InetSocketAddress remote, UtpError error) {}
}
