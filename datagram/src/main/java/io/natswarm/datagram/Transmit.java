package io.natswarm.datagram;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * A reusable holder for one outgoing datagram, filled by {@link DatagramCore#pollTransmit}: the
 * payload, its destination, whether it must not be fragmented (a path-MTU probe), and its {@link
 * SendClass}. The core writes the payload into {@link #buffer()} from position 0; the host sends
 * bytes [0, position) and reuses the holder. Owned by the host's thread.
 */
public final class Transmit {
  /** Room for the largest UDP payload over IPv4. */
  public static final int CAPACITY = 65_507;

  private final ByteBuffer buffer;
  private InetSocketAddress destination;
  private boolean dontFragment;
  private SendClass sendClass = SendClass.CONTROL;

  private Transmit(ByteBuffer buffer) {
    this.buffer = buffer;
  }

  /** A holder over a direct buffer of {@link #CAPACITY} bytes (the real endpoint's). */
  public static Transmit direct() {
    return new Transmit(ByteBuffer.allocateDirect(CAPACITY));
  }

  /** A holder over a heap buffer of {@link #CAPACITY} bytes (netsim's, tests'). */
  public static Transmit heap() {
    return new Transmit(ByteBuffer.allocate(CAPACITY));
  }

  /** The payload buffer: write from position 0; the host sends [0, position). */
  public ByteBuffer buffer() {
    return buffer;
  }

  public InetSocketAddress destination() {
    return destination;
  }

  public void setDestination(InetSocketAddress destination) {
    this.destination = destination;
  }

  /**
   * True for a datagram that must leave with the don't-fragment bit (a path-MTU probe: losing it
   * only lowers the probe ceiling).
   */
  public boolean dontFragment() {
    return dontFragment;
  }

  public void setDontFragment(boolean dontFragment) {
    this.dontFragment = dontFragment;
  }

  public SendClass sendClass() {
    return sendClass;
  }

  public void setSendClass(SendClass sendClass) {
    this.sendClass = sendClass;
  }

  /** The datagram's length: bytes [0, position). */
  public int length() {
    return buffer.position();
  }

  /** Resets the holder before the next poll. */
  public void clear() {
    buffer.clear();
    destination = null;
    dontFragment = false;
    sendClass = SendClass.CONTROL;
  }
}
