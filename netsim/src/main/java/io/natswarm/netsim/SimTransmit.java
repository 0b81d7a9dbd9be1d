package io.natswarm.netsim;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * A reusable holder for one outgoing datagram, filled by {@link SimEndpoint#pollTransmit}. The
 * endpoint writes the payload into {@link #buffer()} (cleared before each call; 65,536 bytes of
 * room) and sets the destination; the network copies the bytes, so the holder is reused.
 */
public final class SimTransmit {
  private final ByteBuffer buffer = ByteBuffer.allocate(65_536);
  private InetSocketAddress destination;

  /** The payload buffer: write from position 0; the network sends [0, position). */
  public ByteBuffer buffer() {
    return buffer;
  }

  public InetSocketAddress destination() {
    return destination;
  }

  public void setDestination(InetSocketAddress destination) {
    this.destination = destination;
  }

  /** Resets the holder before the next poll. */
  public void clear() {
    buffer.clear();
    destination = null;
  }
}
