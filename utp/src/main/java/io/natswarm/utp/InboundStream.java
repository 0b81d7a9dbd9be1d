package io.natswarm.utp;

import java.nio.ByteBuffer;

/**
 * The receiving half of a connection (BEP 29): in-order bytes waiting for the application, the
 * packets buffered ahead of a gap, the last in-order sequence number ({@code ack_nr}), the peer's
 * FIN, the advertised window ({@code wnd_size} = free buffer space) and the selective ACK we send.
 * A packet that would exceed the window or lies too far ahead is dropped and counted. Owned by the
 * event-loop thread.
 */
final class InboundStream {
  /** SACK bitmask bytes we send at most (covers 512 packets past the ack). */
  static final int MAX_SACK_BYTES = 64;

  private final ByteRing buf;
  private final ReorderBuffer reorder;
  private final int capacity;
  private final UtpConnectionStats stats;
  private final StackCounters counters;

  /** The last sequence number received in order (BEP 29 ack_nr). */
  private int ackNr;

  private boolean eofKnown;
  private int eofSeq;
  private boolean peerFin;
  private boolean sackPending;
  private boolean discarding;

  InboundStream(int capacity, int minPayload, UtpConnectionStats stats, StackCounters counters) {
    this.capacity = capacity;
    this.buf = new ByteRing(capacity);
    this.reorder = new ReorderBuffer(Math.min(SentPackets.MAX_CAPACITY, capacity / minPayload + 1));
    this.stats = stats;
    this.counters = counters;
  }

  /**
   * Starts the stream after the handshake: {@code lastInOrderSeq} counts as received (the peer's
   * SYN, or for the initiator the sequence number before the acceptor's first).
   */
  void startAfter(int lastInOrderSeq) {
    ackNr = lastInOrderSeq;
  }

  /** The last sequence number received in order (BEP 29 ack_nr). */
  int ackNr() {
    return ackNr;
  }

  /**
   * A DATA or FIN packet. Returns true if new bytes or the end of stream became readable. Every
   * data packet deserves an ack, whatever this returns.
   */
  boolean onData(UtpHeader h, ByteBuffer packet) {
    int seq = h.seqNr;
    boolean fin = h.type == UtpHeader.ST_FIN;
    if (eofKnown && SeqNr.diff(seq, eofSeq) > 0) {
      return false;
    }
    int d = SeqNr.diff(seq, SeqNr.add(ackNr, 1));
    if (d < 0) {
      stats.duplicatePackets++;
      return false;
    }
    if (fin && !eofKnown) {
      eofKnown = true;
      eofSeq = seq;
    }
    int len = fin ? 0 : h.payloadLength;
    if (d > 0) {
      if (fin) {
        return false;
      }
      if (d >= reorder.maxDistance() || len > window()) {
        counters.outOfWindow++;
        return false;
      }
      if (reorder.contains(seq)) {
        stats.duplicatePackets++;
      } else {
        reorder.store(seq, d, packet, h.payloadOffset, len);
        stats.outOfOrderPackets++;
      }
      sackPending = true;
      return false;
    }
    if (!fin) {
      if (!discarding && len > buf.free() - reorder.bytes()) {
        counters.outOfWindow++;
        return false;
      }
      if (!discarding) {
        buf.append(packet, h.payloadOffset, len);
      }
      stats.payloadBytesReceived += len;
    }
    ackNr = seq;
    if (fin) {
      peerFin = true;
    } else {
      deliverReordered();
    }
    return !discarding && (len > 0 || peerFin);
  }

  private void deliverReordered() {
    while (reorder.count() > 0) {
      int next = SeqNr.add(ackNr, 1);
      int n = reorder.take(next, discarding ? null : buf);
      if (n < 0) {
        break;
      }
      stats.payloadBytesReceived += n;
      ackNr = next;
    }
    if (eofKnown && !peerFin && SeqNr.add(ackNr, 1) == eofSeq) {
      ackNr = eofSeq;
      peerFin = true;
    }
    if (reorder.count() == 0) {
      sackPending = false;
    }
  }

  /** Bytes we can still accept: the advertised window (BEP 29 wnd_size). */
  long window() {
    if (discarding) {
      return capacity;
    }
    return Math.max(0, buf.free() - reorder.bytes());
  }

  int read(ByteBuffer dst) {
    return buf.read(dst);
  }

  int readable() {
    return buf.size();
  }

  boolean peerFinished() {
    return peerFin;
  }

  /** True when a selective ACK should go out (packets are buffered past a gap). */
  boolean sackPending() {
    return sackPending;
  }

  /** The application closed: keep acking, drop the bytes. */
  void discard() {
    discarding = true;
    buf.clear();
    reorder.clear();
  }

  /** Gives the buffers' storage back while idle. */
  void trimIfEmpty() {
    buf.trimIfEmpty();
    if (reorder.count() == 0) {
      reorder.clear();
    }
  }

  void clear() {
    buf.clear();
    reorder.clear();
  }

  /** Length of the SACK bitmask to send now (a multiple of 4), or 0. */
  int sackBytes() {
    if (reorder.count() == 0) {
      return 0;
    }
    int span = SeqNr.diff(reorder.highest(), SeqNr.add(ackNr, 2)) + 1;
    if (span <= 0) {
      return 0;
    }
    return Math.min(((span + 31) / 32) * 4, MAX_SACK_BYTES);
  }

  /** Appends the SACK extension (terminating the chain): bit i = packet ack_nr + 2 + i. */
  void writeSack(ByteBuffer out, int bytes) {
    out.put((byte) 0);
    out.put((byte) bytes);
    int base = SeqNr.add(ackNr, 2);
    for (int i = 0; i < bytes; i++) {
      int v = 0;
      for (int bit = 0; bit < 8; bit++) {
        if (reorder.contains(SeqNr.add(base, i * 8 + bit))) {
          v |= 1 << bit;
        }
      }
      out.put((byte) v);
    }
    sackPending = false;
  }
}
