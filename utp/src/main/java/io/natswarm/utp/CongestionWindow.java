package io.natswarm.utp;

/**
 * LEDBAT congestion window (RFC 6817 section 2.4.2; BEP 29 "Congestion control"), with what
 * LEDBAT++ (draft-irtf-iccrg-ledbat-plus-plus) learned about yielding to loss-based TCP. Window in
 * bytes: below the target each ack grows it by {@code gain * off_target * bytes_acked / cwnd},
 * where {@code off_target = (target - queuing_delay) / target}, so it gains at most {@code gain}
 * bytes per round trip at zero queuing delay; above the target it shrinks by {@code min(1/2,
 * delay/target - 1)} of the window per round trip (LEDBAT++'s multiplicative decrease). It starts
 * in slow start (window += bytes acked) until the queuing delay reaches half the target or a loss.
 * A loss halves the window (the caller reports at most one loss per round trip); a retransmission
 * timeout drops it to the minimum of one packet. Growth only happens while the window is in use
 * (RFC 6817 2.4.2, application-limited senders do not grow). Owned by the event-loop thread.
 *
 * <p>Losses are classified by the queuing delay seen when they are detected. A drop-tail queue
 * drops only when it is full, so a loss with a queue behind it (delay of at least an eighth of the
 * target) is a <em>congestion loss</em>: a loss-based flow such as TCP shares the bottleneck, or
 * the buffer is shallower than the target, and the delay signal cannot be trusted — a flow that
 * joined after TCP filled the queue takes TCP's standing queue for its base delay and never sees
 * the target reached. From a congestion loss until {@link #COMPETITION_HOLD_NANOS} pass without
 * another, the window grows by a sixteenth of a packet per round trip (LEDBAT++'s slowest gain, far
 * slower than Reno's one packet), so the TCP flow keeps nearly all of the link. A loss with no
 * queue behind it is random loss, and while no competitor is known the window regrows by up to half
 * itself per round trip when the queue is nearly empty (an extension of ours that keeps a lossy but
 * idle path full).
 *
 * <p>Measured with {@code bench/run utp-ledbat-lab} (real kernel tbf bottleneck, 20 Mbit/s, Linux
 * CUBIC first, µTP joining 5 s later): before the classification µTP took 0.86 of the link beside
 * CUBIC with a 100 ms queue and 0.57 with a 300 ms one (libtorrent 2.0.8: 0.28).
 */
final class CongestionWindow {
  /** How long a congestion loss keeps the window in its slowest growth. */
  static final long COMPETITION_HOLD_NANOS = 30_000_000_000L;

  /** Loss events closer together than this (or eight round trips) mark a lossy path. */
  static final long LOSSY_GAP_NANOS = 500_000_000L;

  /** The slowest growth, in sixteenths of a packet per round trip (LEDBAT++ section 4.3). */
  static final int COMPETING_GAIN_DIVISOR = 16;

  private final long targetMicros;
  private final int gainBytes;
  private final int maxWindow;
  private int minWindow;
  private long cwnd;

  /** Sub-byte growth carried between acks so that large windows still grow. */
  private double fraction;

  private boolean slowStart = true;
  private long slowStartThreshold = Long.MAX_VALUE;

  /** When the last congestion loss was seen, while {@link #competing}. */
  private long lastCompetitionSignalNanos;

  private boolean competing;
  private boolean lossSeen;
  private long lastLossNanos;
  private long nowNanos;
  private long queuingDelayMicros;

  CongestionWindow(long targetMicros, int gainBytes, int minWindow, int initialWindow, int max) {
    this.targetMicros = targetMicros;
    this.gainBytes = gainBytes;
    this.minWindow = minWindow;
    this.maxWindow = max;
    this.cwnd = Math.max(minWindow, initialWindow);
  }

  /**
   * Bytes were acknowledged. {@code queuingDelayMicros} is the current delay estimate or -1 when
   * there is no sample; {@code flightBefore} is what was in flight before the ack.
   */
  void onAck(long bytesAcked, long queuingDelayMicros, long flightBefore, long nowNanos) {
    this.nowNanos = nowNanos;
    long delay = queuingDelayMicros < 0 ? 0 : queuingDelayMicros;
    this.queuingDelayMicros = delay;
    if (competing) {
      if (delay > targetMicros / 4) {
        lastCompetitionSignalNanos = nowNanos; // a queue we keep under target/8 rose past target/4
      } else if (nowNanos - lastCompetitionSignalNanos >= COMPETITION_HOLD_NANOS) {
        competing = false;
      }
    }
    if (bytesAcked <= 0) {
      return;
    }
    boolean windowUsed = flightBefore + minWindow >= cwnd;
    if (slowStart) {
      if (delay > targetMicros / 2 || cwnd >= slowStartThreshold) {
        slowStart = false;
      } else {
        if (windowUsed) {
          cwnd = Math.min(maxWindow, cwnd + bytesAcked);
        }
        return;
      }
    }
    long target = competing ? targetMicros / 8 : targetMicros;
    if (delay <= target) {
      // Below the target: grow by up to gain bytes per round trip (RFC 6817 2.4.2).
      if (!windowUsed) {
        return;
      }
      double offTarget = (double) (target - delay) / target;
      double gain = competing ? (double) minWindow / COMPETING_GAIN_DIVISOR : gainBytes;
      fraction += gain * offTarget * bytesAcked / cwnd;
      if (!competing && delay < targetMicros / 8) {
        // The queue is nearly empty and no competitor is known: regrow by up to half the window
        // per round trip (the losses of such a path are not congestion-driven).
        fraction += (bytesAcked >> 1) * (1 - 8.0 * delay / targetMicros);
      }
    } else {
      // Above the target: shrink in proportion to the window, by (delay / target - 1) of it per
      // round trip, at most half (the multiplicative decrease of LEDBAT++,
      // draft-irtf-iccrg-ledbat-plus-plus section 4.2), so a full standing queue built by a
      // competing TCP flow drives the window down within a few round trips, not minutes.
      double excess = Math.min(0.5, (double) (delay - target) / target);
      fraction -= Math.max(gainBytes * (double) bytesAcked / cwnd, excess * bytesAcked);
    }
    long whole = (long) fraction;
    fraction -= whole;
    cwnd = clamp(cwnd + whole);
  }

  /** A loss event with no round-trip estimate (tests): see {@link #onLoss(long)}. */
  void onLoss() {
    onLoss(0);
  }

  /**
   * A loss event (at most once per round trip): halve. It is a congestion loss when it came with a
   * queue behind it (the last queuing delay at least an eighth of the target) and after a quiet
   * spell (the previous loss at least {@link #LOSSY_GAP_NANOS} or eight round trips ago); losses
   * closer together than that say the path itself is lossy, and end any competition.
   */
  void onLoss(long srttMicros) {
    long gap = nowNanos - lastLossNanos;
    boolean quiet = !lossSeen || gap >= Math.max(LOSSY_GAP_NANOS, 8_000 * srttMicros);
    lossSeen = true;
    lastLossNanos = nowNanos;
    if (!quiet) {
      competing = false;
    } else if (queuingDelayMicros >= targetMicros / 8) {
      competing = true;
      lastCompetitionSignalNanos = nowNanos;
    }
    slowStart = false;
    cwnd = clamp(cwnd / 2);
    slowStartThreshold = cwnd;
  }

  /** A retransmission timeout: one packet, then slow start up to half the old window. */
  void onTimeout() {
    slowStartThreshold = Math.max(cwnd / 2, 2L * minWindow);
    cwnd = minWindow;
    slowStart = true;
  }

  void setMinWindow(int minWindow) {
    this.minWindow = minWindow;
    cwnd = clamp(cwnd);
  }

  private long clamp(long w) {
    return Math.max(minWindow, Math.min(maxWindow, w));
  }

  long window() {
    return cwnd;
  }

  boolean inSlowStart() {
    return slowStart;
  }

  /** True while a recent congestion loss says a loss-based flow shares the bottleneck. */
  boolean competing() {
    return competing;
  }
}
