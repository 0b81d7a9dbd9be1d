package io.natswarm.netsim.traffic;

import io.natswarm.datagram.DatagramCore;
import io.natswarm.datagram.Transmit;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * The sending end of a {@link BulkFlow}: a TCP-like, ACK-clocked bulk sender for competing traffic
 * in LEDBAT tests. Slow start and congestion avoidance (RFC 5681 section 3.1); loss recovery from a
 * SACK scoreboard, a simplified RFC 6675 (a hole with three selectively acknowledged segments above
 * it is lost; the first hole is retransmitted at once on entering recovery, then the sender keeps
 * the pipe at cwnd, retransmitting holes first); a retransmission timer as Linux computes it (srtt
 * + max(4 rttvar, 200 ms), restarted when the oldest segment is retransmitted) with go-back-N after
 * a timeout and ssthresh held on repeated timeouts (RFC 5681 section 3.1); RTT from echoed
 * timestamps (so retransmissions give valid samples); Reno or CUBIC (RFC 9438 section 4) window
 * growth. Windows are counted in segments. Sans-IO; owned by the thread that runs the network.
 *
 * <p>Before the timer matched Linux's, the timer (max(200 ms, srtt + 4 rttvar)) expired during
 * every SACK recovery behind a 200 ms queue, since a retransmitted hole is acknowledged only a full
 * queue later; each expiry shrank ssthresh again, and CUBIC spent most of its time far below its
 * fair share (issue 8: µTP's 0.457 share beside it came from that, not from µTP).
 */
public final class BulkSender implements DatagramCore {
  private static final long MIN_RTO = 200_000_000L;
  private static final long MAX_RTO = 60_000_000_000L;
  private static final double MAX_WINDOW = 60_000;
  private static final double CUBIC_BETA = 0.7;
  private static final double CUBIC_C = 0.4;
  private static final int SCORE = 1 << 16; // > MAX_WINDOW
  private static final byte SACKED = 1;
  private static final byte RESENT = 2;
  private static final int DUP_THRESH = 3;

  private final InetSocketAddress receiver;
  private final int segmentBytes;
  private long totalSegments;
  private final Congestion congestion;
  private long startAt;
  private boolean started;

  private long nextSeq;
  private long highestSent;
  private long unacked;
  private double cwnd = 10; // RFC 6928 initial window
  private double ssthresh = Double.MAX_VALUE;
  private int dupAcks;
  private boolean inRecovery;
  private boolean retransmitNow;
  private boolean backedOff;
  private long recover;
  private final byte[] score = new byte[SCORE];
  private long highestSacked = -1;
  private long rtoDeadline = Long.MAX_VALUE;
  private long rto = 1_000_000_000L;
  private long srtt = -1;
  private long rttvar;
  private long minRtt = Long.MAX_VALUE;

  private double wMax;
  private long epochStart = -1;
  private double cubicK;
  private double wEst;

  private long segmentsSent;
  private long retransmits;
  private long fastRetransmits;
  private long timeouts;
  private long badDatagrams;

  /**
   * A sender of {@code totalBytes} (Long.MAX_VALUE for an endless flow) in segments of {@code
   * segmentBytes} (at least 17) to {@code receiver}, starting at virtual time {@code startAtNanos}.
   */
  public BulkSender(
      InetSocketAddress receiver,
      int segmentBytes,
      long totalBytes,
      Congestion congestion,
      long startAtNanos) {
    if (receiver == null || congestion == null) {
      throw new IllegalArgumentException("bulk sender needs a receiver and a congestion control");
    }
    if (segmentBytes <= FlowSegment.HEADER || segmentBytes > 65_507) {
      throw new IllegalArgumentException(
          "segment size must be in " + (FlowSegment.HEADER + 1) + "..65507, got " + segmentBytes);
    }
    if (totalBytes <= 0 || startAtNanos < 0) {
      throw new IllegalArgumentException(
          "bulk sender needs totalBytes > 0 and a start time >= 0, got "
              + totalBytes
              + " and "
              + startAtNanos);
    }
    int payload = segmentBytes - FlowSegment.HEADER;
    this.receiver = receiver;
    this.segmentBytes = segmentBytes;
    this.totalSegments =
        totalBytes == Long.MAX_VALUE ? Long.MAX_VALUE : (totalBytes + payload - 1) / payload;
    this.congestion = congestion;
    this.startAt = startAtNanos;
  }

  /** Sends no new data from now on; segments already sent are still recovered. */
  public void stop() {
    totalSegments = Math.min(totalSegments, nextSeq);
  }

  @Override
  public boolean handleDatagram(ByteBuffer packet, InetSocketAddress from, long nowNanos) {
    if (FlowSegment.parse(packet) != FlowSegment.ACK) {
      badDatagrams++;
      return true;
    }
    long ack = FlowSegment.number(packet);
    long echo = FlowSegment.timestamp(packet);
    long sack = FlowSegment.selective(packet);
    if (ack > highestSent || ack < 0) {
      badDatagrams++; // acknowledges data never sent
      return true;
    }
    if (ack > nextSeq) {
      nextSeq = ack; // after a go-back-N the receiver already had these
    }
    if (echo > 0 && echo <= nowNanos) {
      sampleRtt(nowNanos - echo);
    }
    if (sack >= ack && sack < nextSeq) {
      score[(int) (sack & (SCORE - 1))] |= SACKED;
      highestSacked = Math.max(highestSacked, sack);
    }
    if (ack > unacked) {
      backedOff = false;
      long newly = ack - unacked;
      for (long s = unacked; s < ack; s++) {
        score[(int) (s & (SCORE - 1))] = 0;
      }
      unacked = ack;
      dupAcks = 0;
      if (inRecovery && ack >= recover) {
        inRecovery = false;
        cwnd = ssthresh;
      } else if (!inRecovery) {
        grow(newly, nowNanos);
      }
      rtoDeadline = unacked < nextSeq ? nowNanos + rto : Long.MAX_VALUE;
    } else if (ack == unacked && unacked < nextSeq) {
      dupAcks++;
    }
    if (!inRecovery
        && unacked < nextSeq
        && (dupAcks >= DUP_THRESH || highestSacked >= unacked + DUP_THRESH)) {
      fastRetransmits++;
      onLoss();
      inRecovery = true;
      retransmitNow = true;
      recover = nextSeq;
      cwnd = ssthresh;
    }
    return true;
  }

  private void grow(long newly, long now) {
    if (cwnd < ssthresh) {
      cwnd = Math.min(cwnd + newly, MAX_WINDOW);
      return;
    }
    if (congestion == Congestion.RENO) {
      cwnd = Math.min(cwnd + (double) newly / cwnd, MAX_WINDOW);
      return;
    }
    // CUBIC, RFC 9438 sections 4.2 (window growth) and 4.3 (Reno-friendly region).
    if (epochStart < 0) {
      epochStart = now;
      wEst = cwnd;
      if (cwnd < wMax) {
        cubicK = Math.cbrt((wMax - cwnd) / CUBIC_C);
      } else {
        cubicK = 0;
        wMax = cwnd;
      }
    }
    double rtt = srtt > 0 ? srtt / 1e9 : 0.1;
    double t = (now - epochStart) / 1e9;
    double target = Math.min(CUBIC_C * Math.pow(t + rtt - cubicK, 3) + wMax, 1.5 * cwnd);
    double cubic =
        target > cwnd ? cwnd + (target - cwnd) / cwnd * newly : cwnd + 0.01 * newly / cwnd;
    wEst += 3 * (1 - CUBIC_BETA) / (1 + CUBIC_BETA) * newly / cwnd;
    cwnd = Math.min(Math.max(cubic, wEst), MAX_WINDOW);
  }

  private void onLoss() {
    double flight = nextSeq - unacked;
    if (congestion == Congestion.CUBIC) {
      // Fast convergence (RFC 9438 section 4.7).
      wMax = cwnd < wMax ? cwnd * (1 + CUBIC_BETA) / 2 : cwnd;
      epochStart = -1;
      ssthresh = Math.max(cwnd * CUBIC_BETA, 2);
    } else {
      ssthresh = Math.max(flight / 2, 2);
    }
  }

  private void sampleRtt(long r) {
    minRtt = Math.min(minRtt, r);
    if (srtt < 0) {
      srtt = r;
      rttvar = r / 2;
    } else {
      rttvar = (3 * rttvar + Math.abs(srtt - r)) / 4;
      srtt = (7 * srtt + r) / 8;
    }
    rto = Math.min(srtt + Math.max(4 * rttvar, MIN_RTO), MAX_RTO);
  }

  @Override
  public boolean pollTransmit(Transmit out, long nowNanos) {
    long seq = -1;
    long window = (long) Math.floor(cwnd);
    if (inRecovery) {
      // RFC 6675 in miniature: pipe = segments believed in the network.
      long pipe = 0;
      for (long s = unacked; s < nextSeq; s++) {
        byte f = score[(int) (s & (SCORE - 1))];
        if ((f & SACKED) != 0) {
          continue;
        }
        boolean lost = s + DUP_THRESH <= highestSacked;
        if (lost && (f & RESENT) == 0) {
          if (seq < 0) {
            seq = s;
          }
          continue;
        }
        pipe++;
      }
      if (pipe >= window && !(retransmitNow && seq >= 0)) {
        return false;
      }
      retransmitNow = false;
      if (seq >= 0) {
        score[(int) (seq & (SCORE - 1))] |= RESENT;
        retransmits++;
        if (seq == unacked) {
          rtoDeadline = nowNanos + rto; // Linux rearms the timer when the head is retransmitted
        }
      }
    } else if (nextSeq - unacked >= window) {
      return false;
    }
    if (seq < 0) {
      if (!started || nextSeq >= totalSegments) {
        return false;
      }
      seq = nextSeq++;
      highestSent = Math.max(highestSent, nextSeq);
    }
    FlowSegment.writeData(out.buffer(), seq, nowNanos, segmentBytes);
    out.setDestination(receiver);
    segmentsSent++;
    if (rtoDeadline == Long.MAX_VALUE) {
      rtoDeadline = nowNanos + rto;
    }
    return true;
  }

  @Override
  public long pollTimeout() {
    return started ? rtoDeadline : startAt;
  }

  @Override
  public void handleTimeout(long nowNanos) {
    if (!started) {
      if (nowNanos >= startAt) {
        started = true;
      }
      return;
    }
    if (nowNanos < rtoDeadline) {
      return;
    }
    if (unacked >= nextSeq) {
      rtoDeadline = Long.MAX_VALUE;
      return;
    }
    timeouts++;
    if (!backedOff) {
      onLoss(); // ssthresh is held on repeated timeouts of the same data (RFC 5681 section 3.1)
      backedOff = true;
    }
    cwnd = 1;
    inRecovery = false;
    retransmitNow = false;
    dupAcks = 0;
    for (long s = unacked; s < nextSeq; s++) {
      score[(int) (s & (SCORE - 1))] = 0;
    }
    highestSacked = -1;
    nextSeq = unacked; // go back N
    rto = Math.min(rto * 2, MAX_RTO);
    rtoDeadline = nowNanos + rto;
  }

  /** Whether every segment has been acknowledged (never, for an endless flow). */
  public boolean finished() {
    return unacked >= totalSegments;
  }

  /** Payload bytes acknowledged cumulatively. */
  public long bytesAcked() {
    return unacked * (segmentBytes - FlowSegment.HEADER);
  }

  /** The congestion window in segments. */
  public double cwnd() {
    return cwnd;
  }

  /** Smoothed RTT in nanoseconds, or -1 before the first sample. */
  public long srttNanos() {
    return srtt;
  }

  /** Smallest RTT seen in nanoseconds, or Long.MAX_VALUE. */
  public long minRttNanos() {
    return minRtt;
  }

  public long segmentsSent() {
    return segmentsSent;
  }

  public long retransmits() {
    return retransmits;
  }

  /** Loss recoveries entered on selective acknowledgements (fast retransmit). */
  public long fastRetransmits() {
    return fastRetransmits;
  }

  /** Retransmission timer expiries. */
  public long timeouts() {
    return timeouts;
  }

  /** Datagrams that were not valid ACKs. */
  public long badDatagrams() {
    return badDatagrams;
  }

  public Congestion congestion() {
    return congestion;
  }
}
