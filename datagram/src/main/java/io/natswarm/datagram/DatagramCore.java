package io.natswarm.datagram;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * A sans-IO datagram protocol core: µTP, a DHT node, STUN, hole-punch probes, a port-mapping client
 * — anything that shares the node's one UDP socket (docs/ARCHITECTURE.md, "The datagram contract").
 * The same object is driven by the real {@link UdpEndpoint} in production and by netsim in tests,
 * with the same calls in the same order:
 *
 * <ol>
 *   <li>{@link #handleDatagram} for each datagram read, until the socket is empty (in netsim: until
 *       every datagram due at this virtual instant has been delivered);
 *   <li>{@link #handleReceiveDrained} once after such a burst;
 *   <li>{@link #handleTimeout} when the clock has reached {@link #pollTimeout()};
 *   <li>{@link #pollTransmit} until it returns false (or the socket is full).
 * </ol>
 *
 * <p>Implementations run on the one thread of their host, need no locks, and must not block, sleep,
 * read a clock or open sockets: time arrives as {@code nowNanos}, on the host's {@link NanoClock}.
 * Compare deadlines with {@link Deadlines}.
 */
public interface DatagramCore {

  /**
   * Offers a datagram. {@code packet} holds it between position and limit, is only valid during the
   * call, and may be read freely (the demultiplexer restores position and limit before offering it
   * elsewhere).
   *
   * @return true if the datagram was consumed (also when it was malformed and counted by the core),
   *     false to let the demultiplexer offer it to the next core
   */
  boolean handleDatagram(ByteBuffer packet, InetSocketAddress from, long nowNanos);

  /**
   * The socket has been read until it was empty and the host is about to transmit: the moment to
   * flush deferred acknowledgements (BEP 29 implementations ack once per read burst, not per
   * packet). Default: nothing.
   */
  default void handleReceiveDrained(long nowNanos) {}

  /**
   * Writes the next datagram into {@link Transmit#buffer()} from position 0 (the datagram is [0,
   * position) on return), sets its destination and returns true; or returns false when there is
   * nothing to send now. The host calls it repeatedly until it returns false or the socket is full.
   */
  boolean pollTransmit(Transmit out, long nowNanos);

  /** The next deadline on the host's clock, or {@link Deadlines#NONE}. */
  long pollTimeout();

  /** The clock reached (or passed) the deadline returned by {@link #pollTimeout()}. */
  void handleTimeout(long nowNanos);

  /**
   * The class of most of this core's datagrams: the demultiplexer polls every {@link
   * SendClass#CONTROL} core before any {@link SendClass#BULK} one, so control traffic never waits
   * behind bulk. Default: control.
   */
  default SendClass sendClass() {
    return SendClass.CONTROL;
  }
}
