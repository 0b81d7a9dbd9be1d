package io.natswarm.utp;

import java.nio.ByteBuffer;

/**
 * The sending half's bytes (BEP 29): what the application wrote and the peer has not yet
 * acknowledged, in one {@link ByteRing}; {@link #sentOffset} divides the packetized bytes from
 * those still waiting for the window. Small writes made between two polls end up in one packet.
 * Also remembers the application's FIN request. Owned by the event-loop thread.
 */
final class OutboundStream {
  final ByteRing buf;

  /** Stream offset of the next byte not yet packetized. */
  long sentOffset;

  boolean finQueued;
  boolean finSent;
  private boolean wantWritable;

  OutboundStream(int capacity) {
    this.buf = new ByteRing(capacity);
  }

  /** Copies what fits; remembers to signal writability if {@code src} did not fit. */
  int append(ByteBuffer src) {
    int n = buf.append(src);
    if (src.hasRemaining()) {
      wantWritable = true;
    }
    return n;
  }

  long unsent() {
    return buf.end() - sentOffset;
  }

  /** Drops the bytes before the oldest unacknowledged packet. */
  void release(SentPackets sent) {
    buf.releaseTo(sent.isEmpty() ? sentOffset : sent.offset(sent.first()));
  }

  /** True once if the application waits for room and there is some now. */
  boolean becameWritable() {
    if (wantWritable && buf.free() > 0) {
      wantWritable = false;
      return true;
    }
    return false;
  }
}
