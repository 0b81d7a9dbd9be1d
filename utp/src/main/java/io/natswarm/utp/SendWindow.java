package io.natswarm.utp;

import java.nio.ByteBuffer;

/**
 * The sending half's bookkeeping (BEP 29 "Acks", "Selective ACK", "Timeouts"): packets in flight,
 * cumulative and selective acks, RTT samples under Karn's rule, loss detection (three duplicate
 * acks; three selectively acked packets after a hole; retransmission timeout) and the LEDBAT
 * reactions to acks and losses, at most one window cut per round trip. Owned by the event-loop
 * thread, inside the {@link Sender}.
 */
final class SendWindow {
  private final SentPackets sent;
  private final UtpConnectionStats stats;
  private final RttEstimator rtt;
  private final CongestionWindow cc;
  private final PathMtu mtu;

  /** Payload bytes sent and neither acked nor declared lost. */
  private long flight;

  private int lostCount;
  private int lastAcked;
  private int dupAcks;
  private int lossRecoverySeq;
  private boolean finAcked;
  private final DelayHistory delays = new DelayHistory();
  private long queuingDelay = -1;

  SendWindow(
      int initialSeq,
      UtpConnectionStats stats,
      RttEstimator rtt,
      CongestionWindow cc,
      PathMtu mtu) {
    this.sent = new SentPackets(initialSeq);
    this.lastAcked = SeqNr.add(initialSeq, -1);
    this.lossRecoverySeq = initialSeq;
    this.stats = stats;
    this.rtt = rtt;
    this.cc = cc;
    this.mtu = mtu;
  }

  /** The packets in flight (read their metadata; add packets only through {@link #add}). */
  SentPackets sent() {
    return sent;
  }

  /** Payload bytes sent and neither acked nor declared lost. */
  long flight() {
    return flight;
  }

  /** True while some packet is declared lost and waits for its retransmission. */
  boolean hasLost() {
    return lostCount > 0;
  }

  /** True once our FIN was acknowledged. */
  boolean finAcked() {
    return finAcked;
  }

  /**
   * Records a new packet (call {@link SentPackets#hasRoom()} first) of {@code length} payload bytes
   * at stream {@code offset}; it is in flight from now on. Returns its sequence number.
   */
  int add(int type, long offset, int length, long nowNanos, boolean probe) {
    int seq = sent.add(type, offset, length, nowNanos, probe);
    flight += length;
    return seq;
  }

  /** How many packets {@code ackNr} acknowledges beyond the last ack (negative: an old ack). */
  int advance(int ackNr) {
    return SeqNr.diff(ackNr, lastAcked);
  }

  /** True if {@code ackNr} acknowledges a packet we never sent. */
  boolean impossible(int ackNr) {
    return advance(ackNr) > sent.count();
  }

  /**
   * Processes the acks of one packet (cumulative {@code advance} packets, then its selective ACK)
   * and feeds LEDBAT the one-way delay sample ({@code timestamp_difference_microseconds}) it
   * carries. Returns true if anything new was acknowledged.
   */
  boolean onAck(UtpHeader h, ByteBuffer buf, int advance, long nowNanos) {
    long flightBefore = flight;
    long bytesAcked = 0;
    if (advance > 0) {
      bytesAcked = onCumulativeAck(h.ackNr, advance, nowNanos);
    }
    if (h.sackOffset >= 0 && h.sackLength > 0 && advance >= 0) {
      bytesAcked += onSack(buf, h.ackNr, h.sackOffset, h.sackLength, nowNanos);
    }
    if (bytesAcked <= 0) {
      return advance > 0;
    }
    if (h.timestampDifferenceMicros != 0) {
      queuingDelay = delays.add(h.timestampDifferenceMicros, nowNanos);
    }
    if (cc.onAck(bytesAcked, queuingDelay, flightBefore, nowNanos, rtt.srttMicros())) {
      stats.yieldsToDisplacement++;
    }
    return true;
  }

  long queuingDelayMicros() {
    return queuingDelay;
  }

  /** Cumulative ack of {@code advance} packets; returns the bytes newly acknowledged. */
  long onCumulativeAck(int ackNr, int advance, long nowNanos) {
    dupAcks = 0;
    long bytes = 0;
    for (int k = 0; k < advance; k++) {
      int seq = sent.first();
      byte st = sent.status(seq);
      int len = sent.length(seq);
      if (st == SentPackets.SENT) {
        flight -= len;
        if (sent.transmissions(seq) == 1) {
          rtt.sample((nowNanos - sent.sentAt(seq)) / 1000);
        }
      } else if (st == SentPackets.LOST) {
        lostCount--;
      }
      if (mtu.isProbe(seq)) {
        mtu.probeAcked();
        stats.mtuProbesAcked++;
        cc.setMinWindow(mtu.packetSize());
      }
      if (sent.type(seq) == UtpHeader.ST_FIN) {
        finAcked = true;
      }
      if (st != SentPackets.SACKED) {
        bytes += Math.max(len, 1);
      }
      sent.removeFirst();
    }
    lastAcked = ackNr;
    return bytes;
  }

  /** A selective ACK (bit i = ack_nr + 2 + i); returns the bytes newly acknowledged. */
  long onSack(ByteBuffer buf, int ackNr, int off, int len, long nowNanos) {
    long bytes = 0;
    int bits = len * 8;
    int base = SeqNr.add(ackNr, 2);
    int highest = -1;
    for (int i = 0; i < bits; i++) {
      if (!UtpHeader.sackBit(buf, off, i)) {
        continue;
      }
      int seq = SeqNr.add(base, i);
      if (!sent.contains(seq)) {
        break;
      }
      highest = i;
      byte st = sent.status(seq);
      if (st == SentPackets.SENT) {
        flight -= sent.length(seq);
        if (sent.transmissions(seq) == 1) {
          rtt.sample((nowNanos - sent.sentAt(seq)) / 1000);
        }
      } else if (st == SentPackets.LOST) {
        lostCount--;
      } else {
        continue;
      }
      sent.setStatus(seq, SentPackets.SACKED);
      bytes += Math.max(1, sent.length(seq));
    }
    // A packet with at least three selectively acked packets after it is lost (BEP 29). A packet
    // already fast-retransmitted is lost again once three packets sent no earlier than its
    // retransmission were acked (RFC 8985 section 6.2: delivered later, so the copy is gone);
    // acks still in flight from before the retransmission show the same hole and do not count.
    int after = 0;
    long newest1 = Long.MIN_VALUE;
    long newest2 = Long.MIN_VALUE;
    long newest3 = Long.MIN_VALUE; // the third most recent send time among the acked after it
    for (int i = highest; i >= -1; i--) {
      if (i >= 0 && UtpHeader.sackBit(buf, off, i)) {
        after++;
        long t = sent.sentAt(SeqNr.add(base, i));
        if (t > newest1) {
          newest3 = newest2;
          newest2 = newest1;
          newest1 = t;
        } else if (t > newest2) {
          newest3 = newest2;
          newest2 = t;
        } else if (t > newest3) {
          newest3 = t;
        }
        continue;
      }
      int seq = SeqNr.add(base, i);
      if (after < 3 || !sent.contains(seq) || sent.status(seq) != SentPackets.SENT) {
        continue;
      }
      if (!sent.hasFlag(seq, SentPackets.FLAG_FAST_RESENT)) {
        sent.setFlag(seq, SentPackets.FLAG_FAST_RESENT);
        markLost(seq);
        stats.sackRetransmits++;
        lossEvent(seq);
      } else if (newest3 >= sent.sentAt(seq)) {
        markLost(seq);
        stats.sackRetransmits++;
        lossEvent(seq);
      }
    }
    return bytes;
  }

  /** A pure ack that acknowledged nothing new while data is outstanding. */
  void onDuplicateAck() {
    if (flight <= 0) {
      return;
    }
    stats.duplicateAcks++;
    if (++dupAcks == 3) {
      int seq = SeqNr.add(lastAcked, 1);
      if (sent.contains(seq)
          && sent.status(seq) == SentPackets.SENT
          && !sent.hasFlag(seq, SentPackets.FLAG_FAST_RESENT)) {
        sent.setFlag(seq, SentPackets.FLAG_FAST_RESENT);
        markLost(seq);
        stats.fastRetransmits++;
        lossEvent(seq);
      }
    }
  }

  /** A retransmission timeout: everything in flight is lost; the window drops to one packet. */
  void onTimeout() {
    cc.onTimeout();
    lossRecoverySeq = sent.next();
    int c = sent.count();
    for (int k = 0; k < c; k++) {
      int seq = SeqNr.add(sent.first(), k);
      if (sent.status(seq) == SentPackets.SENT) {
        markLost(seq);
      }
    }
  }

  /**
   * Marks the oldest packet in flight lost, without a loss event or a window cut, so that it is
   * sent again now; returns false when there is none in flight.
   */
  boolean resendFirst() {
    if (sent.isEmpty() || sent.status(sent.first()) != SentPackets.SENT) {
      return false;
    }
    markLost(sent.first());
    return true;
  }

  private void markLost(int seq) {
    flight -= sent.length(seq);
    sent.setStatus(seq, SentPackets.LOST);
    lostCount++;
    if (mtu.isProbe(seq)) {
      mtu.probeLost();
      stats.mtuProbesLost++;
    }
  }

  /** Halves the window at most once per window of data (packets sent after the last cut). */
  private void lossEvent(int seq) {
    if (mtu.isProbe(seq)) {
      return;
    }
    if (SeqNr.diff(seq, lossRecoverySeq) >= 0) {
      if (cc.onLoss(rtt.srttMicros())) {
        stats.yieldsToLoss++;
      }
      stats.lossEvents++;
      lossRecoverySeq = sent.next();
    }
  }

  /** The oldest packet declared lost, or -1. */
  int oldestLost() {
    if (lostCount <= 0) {
      return -1;
    }
    int c = sent.count();
    for (int k = 0; k < c; k++) {
      int seq = SeqNr.add(sent.first(), k);
      if (sent.status(seq) == SentPackets.LOST) {
        return seq;
      }
    }
    return -1;
  }

  /** Records the retransmission of a lost packet. */
  void resent(int seq, long nowNanos) {
    sent.resent(seq, nowNanos);
    lostCount--;
    flight += sent.length(seq);
  }
}
