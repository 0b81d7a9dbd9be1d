package io.natswarm.datagram;

import java.net.InetSocketAddress;

/**
 * Events of the socket layer, for tests and diagnostics (design rule 4: an injected tracer with a
 * no-op default; tests assert event sequences and counters, not log text). Every method has an
 * empty default, so a tracer overrides what it watches. Called on the host's thread: keep it cheap
 * and never call back into the host.
 */
public interface EndpointTracer {
  /** The tracer that does nothing. */
  EndpointTracer NOOP = new EndpointTracer() {};

  /** Where in the loop a core failed. */
  enum Phase {
    /** {@link DatagramCore#handleDatagram}. */
    DATAGRAM,
    /** {@link DatagramCore#handleReceiveDrained}. */
    DRAINED,
    /** {@link DatagramCore#pollTransmit}. */
    TRANSMIT,
    /** {@link DatagramCore#handleTimeout} or {@link DatagramCore#pollTimeout}. */
    TIMEOUT,
    /** A task handed to the loop from another thread. */
    TASK
  }

  /**
   * A core (or task) threw: a bug, which the host survives. {@code kind} is the kind the core was
   * registered for, or null for a task or a core registered for several kinds.
   */
  default void coreFailed(Phase phase, DatagramKind kind, DatagramCore core, Throwable cause) {}

  /** No core consumed a datagram; it was counted and dropped. */
  default void unclaimed(InetSocketAddress from, int length) {}

  /** The kernel refused a datagram (counted, treated as lost). */
  default void sendFailed(InetSocketAddress to, int length, Exception cause) {}
}
