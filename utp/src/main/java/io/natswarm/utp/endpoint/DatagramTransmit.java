package io.natswarm.utp.endpoint;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * A reusable holder for one outgoing datagram, filled by {@link DatagramHandler#pollTransmit}. The
 * handler writes the payload into {@link #buffer()} from position 0 (cleared before each call; a
 * direct buffer of {@link #CAPACITY} bytes) and sets the destination; the event loop sends bytes
 * [0, position) and reuses the holder. Owned by the event-loop thread.
 */
public final class DatagramTransmit {
  /** Room for the largest UDP payload. */
  public static final int CAPACITY = 65_507;

  private final ByteBuffer buffer = ByteBuffer.allocateDirect(CAPACITY);
  private InetSocketAddress destination;

  /** The payload buffer: write from position 0; the loop sends [0, position). */
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
