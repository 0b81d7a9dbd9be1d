package io.natswarm.netsim;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * A sans-IO protocol core bound to one UDP port of a simulated host, driven by the {@link Network}
 * exactly as the real event loop drives it (DESIGN.md, "Protocol cores are sans-IO state
 * machines").
 *
 * <p>The network calls {@link #handleDatagram} for every datagram that reaches the port, {@link
 * #handleTimeout} when the virtual clock reaches {@link #pollTimeout()}, and after each of those
 * (and after {@link Network#wake}) drains {@link #pollTransmit} until it returns false.
 *
 * <p>Owned by the thread that runs the network; never called concurrently.
 */
public interface SimEndpoint {

  /**
   * A datagram arrived. {@code packet} is positioned at the payload and is only valid during the
   * call; copy what must be kept.
   */
  void handleDatagram(ByteBuffer packet, InetSocketAddress from, long nowNanos);

  /**
   * Fills {@code out} with the next datagram to send and returns true, or returns false when there
   * is nothing to send now.
   */
  boolean pollTransmit(SimTransmit out, long nowNanos);

  /** The next deadline on the virtual clock in nanoseconds, or {@link Long#MAX_VALUE}. */
  long pollTimeout();

  /** The virtual clock reached the deadline returned by {@link #pollTimeout()}. */
  void handleTimeout(long nowNanos);
}
