package io.natswarm.utp;

/**
 * LEDBAT congestion window (RFC 6817 section 2.4.2; BEP 29 "Congestion control"), with what
 * LEDBAT++ (draft-irtf-iccrg-ledbat-plus-plus) learned about yielding to loss-based TCP. Window in
 * bytes: below the target each ack grows it by {@code gain * off_target * bytes_acked / cwnd},
 * where {@code off_target = (target - queuing_delay) / target}, so it gains at most {@code gain}
 * bytes per round trip at zero queuing delay; above the target it shrinks by {@code min(1/2,
 * delay/target - 1)} of the window per round trip (LEDBAT++'s multiplicative decrease). It starts
 * in slow start (window += bytes acked) until a queue builds (the delay passes a sixteenth of the
 * target) or a loss: a lone flow's link is then full and the rest is queue, which LEDBAT's own
 * growth (and the fast regrowth below) adds in a few seconds, while a latecomer beside TCP stops
 * before it has taken much, with a low reference rate for the displacement check (exiting at half
 * the target, µTP had taken 40 % of the link beside CUBIC before either signal could fire). A loss
 * halves the window (the caller reports at most one loss per round trip); a retransmission timeout
 * drops it to the minimum of one packet. Growth only happens while the window is in use (RFC 6817
 * 2.4.2, application-limited senders do not grow). Owned by the event-loop thread.
 *
 * <p>Yielding to loss-based TCP. Delay alone cannot make LEDBAT yield to TCP: a flow that joins
 * after TCP filled the queue takes TCP's standing queue for its base delay and never sees its
 * target reached, and a CoDel queue or a buffer shallower than the target never builds the delay at
 * all. Two signals say a loss-based flow shares the bottleneck, and either makes the window
 * <em>compete</em> (yield): halve, then aim at a sixteenth of the target and grow by at most a
 * sixteenth of a packet per round trip (LEDBAT++'s slowest gain), until {@link
 * #COMPETITION_HOLD_NANOS} pass with the delay under a quarter of the target, or sooner, when the
 * queue stays under a sixteenth of the target for {@link #COMPETITION_CLEAR_NANOS}: the competitor
 * left (with a 30 s hold alone, µTP used 0.14 of the link in the 10 s after TCP left).
 *
 * <ul>
 *   <li>A <em>congestion loss</em>: a loss after a quiet spell (the previous one at least {@link
 *       #LOSSY_GAP_NANOS} or eight round trips, and {@link #LOSSY_GAP_BYTES}, before) with a queue
 *       behind it (delay at least a sixteenth of the target): a full drop-tail queue or an AQM's
 *       drop. Losses close together, or a loss with no queue behind it, say the path itself is
 *       lossy: they end any competition, and while the queue is nearly empty the window regrows by
 *       up to half itself per round trip (an extension of ours that keeps a lossy but idle path
 *       full).
 *   <li><em>Displacement</em> ({@link QueueWatch#sample}): our delivery rate rising while a queue
 *       stands. A flow alone at the bottleneck already has the whole link when a queue stands, so a
 *       rise can only come from another flow. This is what catches the latecomer beside TCP, which
 *       in the kernel lab saw no loss for 13 s: tbf drops TCP's 64 KB GSO bursts, not our single
 *       datagrams.
 * </ul>
 *
 * <p>Measured with {@code bench/run utp-ledbat-lab} (real kernel tbf bottleneck, 20 Mbit/s, Linux
 * TCP first, µTP joining 5 s later; µTP's share from 10 to 30 s): with neither signal µTP took 0.86
 * of the link beside CUBIC with a 100 ms queue and 0.57 with a 300 ms one (libtorrent 2.0.8: 0.28);
 * with loss classification alone 0.44; with both, see the figures in the README.
 */
final class CongestionWindow {
  /** How long a congestion loss keeps the window in its slowest growth. */
  static final long COMPETITION_HOLD_NANOS = 30_000_000_000L;

  /**
   * How long the queue must stay under a sixteenth of the target for competition to end early: the
   * competitor has left (its sawtooth drains the queue only for moments).
   */
  static final long COMPETITION_CLEAR_NANOS = 2_000_000_000L;

  /** Loss events closer together than this (or eight round trips) mark a lossy path. */
  static final long LOSSY_GAP_NANOS = 500_000_000L;

  /**
   * Loss events with fewer bytes acknowledged between them than this (about 45 full packets) mark a
   * lossy path too, however far apart in time. A time gap alone fed on itself: on a path that loses
   * one packet in twenty at random, a flow slowed to a dozen packets a second saw its losses a
   * second apart, took each for congestion, stayed in the slowest growth, and so stayed slow
   * (libtorrent fetched 1.9 of 2 MiB from us in 100 s at 5 % loss, LibtorrentLossyPathTest, on a
   * loaded machine). Congestion drops come further apart: in {@code bench/run utp-ledbat} 64 KiB
   * and 96 KiB leave every share beside TCP as it was, while 128 KiB already let µTP take 0.08 of a
   * shallow queue beside Reno (0.02 before) and 192 KiB 0.57 of a CoDel queue beside CUBIC.
   */
  static final long LOSSY_GAP_BYTES = 64 * 1024;

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

  /** While competing: since when the queue has stayed under a sixteenth of the target. */
  private long emptySinceNanos;

  private boolean competing;

  private final QueueWatch queue;

  private boolean lossSeen;
  private long lastLossNanos;
  private long ackedSinceLoss;

  private long nowNanos;

  CongestionWindow(long targetMicros, int gainBytes, int minWindow, int initialWindow, int max) {
    this.targetMicros = targetMicros;
    this.gainBytes = gainBytes;
    this.minWindow = minWindow;
    this.maxWindow = max;
    this.cwnd = Math.max(minWindow, initialWindow);
    this.queue = new QueueWatch(targetMicros);
  }

  /**
   * Bytes were acknowledged. {@code queuingDelayMicros} is the current delay estimate or -1 when
   * there is no sample; {@code flightBefore} is what was in flight before the ack. Returns true
   * when the ack completed a displacement check that made the window yield (see {@link
   * QueueWatch#sample}).
   */
  boolean onAck(
      long bytesAcked, long queuingDelayMicros, long flightBefore, long nowNanos, long srttMicros) {
    this.nowNanos = nowNanos;
    long delay = queuingDelayMicros < 0 ? 0 : queuingDelayMicros;
    if (queue.sample(bytesAcked, delay, nowNanos, srttMicros)) {
      // Our rate rose over a standing queue: it can only have come from another flow. Yield as on
      // a congestion loss.
      compete();
      halve();
      fraction = 0;
      return true;
    }
    if (competing) {
      long standing = queue.standingMicros();
      if (standing >= targetMicros / 16) {
        emptySinceNanos = nowNanos;
      }
      if (standing > targetMicros / 4) {
        lastCompetitionSignalNanos = nowNanos; // a queue we keep under target/16 rose past target/4
      } else if (nowNanos - lastCompetitionSignalNanos >= COMPETITION_HOLD_NANOS
          || nowNanos - emptySinceNanos >= COMPETITION_CLEAR_NANOS) {
        competing = false; // no sign of the competitor for long, or its queue gone
      }
    }
    if (bytesAcked <= 0) {
      return false;
    }
    ackedSinceLoss += bytesAcked;
    boolean windowUsed = flightBefore + minWindow >= cwnd;
    if (slowStart) {
      if (delay > targetMicros / 16 || cwnd >= slowStartThreshold) {
        slowStart = false;
      } else {
        if (windowUsed) {
          cwnd = Math.min(maxWindow, cwnd + bytesAcked);
        }
        return false;
      }
    }
    long target = competing ? targetMicros / 16 : targetMicros;
    if (delay <= target) {
      // Below the target: grow by up to gain bytes per round trip (RFC 6817 2.4.2).
      if (!windowUsed) {
        return false;
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
    return false;
  }

  private void compete() {
    competing = true;
    lastCompetitionSignalNanos = nowNanos;
    emptySinceNanos = nowNanos;
  }

  /** A loss event with no round-trip estimate (tests): see {@link #onLoss(long)}. */
  void onLoss() {
    onLoss(0);
  }

  /**
   * A loss event (at most once per round trip): halve. It is a congestion loss when it came with a
   * queue behind it, near its fullest (the last queuing delay at least a sixteenth of the target
   * and three quarters of the largest of the last interval or two: a drop-tail queue drops when
   * full, while a path's random loss strikes at any point of its jitter), and after a quiet spell
   * (the previous loss at least {@link #LOSSY_GAP_NANOS} or eight round trips ago, and at least
   * {@link #LOSSY_GAP_BYTES} acknowledged since); losses closer together than that, or with no
   * queue standing, say the path itself is lossy, and end any competition. Returns true for a
   * congestion loss.
   */
  boolean onLoss(long srttMicros) {
    long gap = nowNanos - lastLossNanos;
    boolean quiet =
        !lossSeen
            || (gap >= Math.max(LOSSY_GAP_NANOS, 8_000 * srttMicros)
                && ackedSinceLoss >= LOSSY_GAP_BYTES);
    lossSeen = true;
    lastLossNanos = nowNanos;
    ackedSinceLoss = 0;
    long last = queue.lastMicros();
    boolean congestion =
        quiet && last >= targetMicros / 16 && last * 4 >= queue.recentMaxMicros() * 3;
    if (!quiet || (queue.standingMicros() < targetMicros / 16 && last < targetMicros / 16)) {
      // Losses close together, or a loss with no queue behind it: the path itself loses packets
      // (a drop-tail queue that TCP fills drops only when full).
      competing = false;
    } else if (congestion) {
      compete();
    }
    queue.forgetReference();
    halve();
    return congestion;
  }

  private void halve() {
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
