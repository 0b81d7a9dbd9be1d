package io.natswarm.utp;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * A reusable holder for one outgoing datagram, filled by {@link UtpStack#pollTransmit}. The stack
 * clears {@link #buffer()}, writes the datagram and flips it, so on return the bytes to send are
 * [position, limit) and can go straight to {@code DatagramChannel.send}. The buffer must have room
 * for {@link UtpSettings#maxPacketSize()} bytes. Owned by the event-loop thread.
 */
public final class UtpTransmit {
  private final ByteBuffer buffer;
  private InetSocketAddress destination;
  private boolean mtuProbe;

  /** A holder over a heap buffer of 65,536 bytes. */
  public UtpTransmit() {
    this(ByteBuffer.allocate(65_536));
  }

  /** A holder over the given buffer (for example a direct buffer the endpoint reuses). */
  public UtpTransmit(ByteBuffer buffer) {
    this.buffer = buffer;
  }

  public ByteBuffer buffer() {
    return buffer;
  }

  /** Where to send the datagram. */
  public InetSocketAddress destination() {
    return destination;
  }

  /**
   * True if this datagram is a path-MTU probe: the endpoint should send it with the don't-fragment
   * bit set where it can; losing it only lowers the probe ceiling.
   */
  public boolean mtuProbe() {
    return mtuProbe;
  }

  void set(InetSocketAddress destination, boolean mtuProbe) {
    this.destination = destination;
    this.mtuProbe = mtuProbe;
  }
}
