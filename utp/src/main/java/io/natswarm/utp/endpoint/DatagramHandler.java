package io.natswarm.utp.endpoint;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * A sans-IO datagram protocol core (the DHT, STUN, hole-punch probes, µTP itself) that shares the
 * endpoint's UDP socket (DESIGN.md, "One event loop per UDP socket"). The endpoint's event loop is
 * the only caller, on its own thread; implementations need no locks and must not block, sleep, read
 * a clock or open sockets. Time arrives as {@code nowNanos} from {@link System#nanoTime()}.
 *
 * <p>Registered with {@link UdpEndpoint#register(DatagramKind, DatagramHandler)}. This interface
 * deliberately knows nothing of µTP, so the DHT can be adapted to it by {@code swarm-node}.
 */
public interface DatagramHandler {

  /**
   * Offers a datagram whose first bytes matched this handler's {@link DatagramKind}. {@code packet}
   * holds the datagram between position and limit, is only valid during the call, and may be read
   * freely (the demultiplexer restores position and limit before offering it elsewhere).
   *
   * @return true if the datagram was consumed (also when it was malformed and counted by the
   *     handler), false to let the demultiplexer offer it to the next handler
   */
  boolean handleDatagram(ByteBuffer packet, InetSocketAddress from, long nowNanos);

  /**
   * Writes the next datagram to send into {@link DatagramTransmit#buffer()} (from position 0) and
   * sets its destination, returning true; or returns false when there is nothing to send now. The
   * loop calls this repeatedly until it returns false or the socket is full.
   */
  boolean pollTransmit(DatagramTransmit out, long nowNanos);

  /** The next deadline in {@link System#nanoTime()} terms, or {@link Long#MAX_VALUE} for none. */
  long pollTimeout();

  /** The clock reached (or passed) the deadline returned by {@link #pollTimeout()}. */
  void handleTimeout(long nowNanos);

  /**
   * The socket has been read until it was empty; the loop is about to transmit. The moment to flush
   * deferred acknowledgements (BEP 29 implementations ack once per read burst, not per packet).
   * Default: nothing.
   */
  default void handleReceiveDrained(long nowNanos) {}
}
