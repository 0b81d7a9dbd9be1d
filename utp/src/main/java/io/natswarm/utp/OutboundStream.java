package io.natswarm.utp;

import java.nio.ByteBuffer;

/**
 * The sending half's bytes (BEP 29): what the application wrote and the peer has not yet
 * acknowledged, in one {@link ByteRing}; the packetized offset divides the bytes already cut into
 * packets from those still waiting for the window. Small writes made between two polls end up in
 * one packet. Also remembers the application's FIN request. Owned by the {@link Sender}, on the
 * event-loop thread.
 */
final class OutboundStream {
  private final ByteRing buf;

  /** Stream offset of the next byte not yet packetized. */
  private long sentOffset;

  private boolean finQueued;
  private boolean finSent;
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

  /** Free bytes in the buffer. */
  int free() {
    return buf.free();
  }

  /** Bytes written and not yet acknowledged. */
  int size() {
    return buf.size();
  }

  /** Bytes written and not yet cut into packets. */
  long unsent() {
    return buf.end() - sentOffset;
  }

  /** Stream offset of the next byte not yet packetized. */
  long sentOffset() {
    return sentOffset;
  }

  /** The next {@code length} unsent bytes went into a packet. */
  void packetized(int length) {
    sentOffset += length;
  }

  /** Copies {@code length} bytes from stream offset {@code offset} into {@code out}. */
  void copyOut(long offset, int length, ByteBuffer out) {
    buf.copyOut(offset, length, out);
  }

  /** The application shut its output down: a FIN follows the bytes written so far. */
  void queueFin() {
    finQueued = true;
  }

  boolean finQueued() {
    return finQueued;
  }

  /** True when the FIN is due: queued, not yet sent, and every byte before it packetized. */
  boolean finDue() {
    return finQueued && !finSent && unsent() == 0;
  }

  /**
   * The FIN went into a packet (it is never sent twice as new; retransmissions are the window's).
   */
  void finPacketized() {
    finSent = true;
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

  /** The connection ended: drop every byte. */
  void clear() {
    buf.clear();
  }

  /** Gives the ring's storage back while idle. */
  void trimIfEmpty() {
    buf.trimIfEmpty();
  }
}
