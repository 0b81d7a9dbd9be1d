package io.natswarm.utp;

/**
 * What LEDBAT's yielding rules know of the bottleneck's queue, over check intervals of {@link
 * #INTERVAL_NANOS} or two round trips and {@link #INTERVAL_SAMPLES} delay samples at least: the
 * smallest and largest queuing delay of the current and the last interval, the last sample, and our
 * delivery rate per interval for the displacement check (see {@link #sample}). Part of {@link
 * CongestionWindow}; owned by the event-loop thread.
 */
final class QueueWatch {
  /** The shortest interval over which the displacement check measures our delivery rate. */
  static final long INTERVAL_NANOS = 250_000_000L;

  /**
   * The fewest delay samples (acks) in a check interval: the smallest of that many samples of a
   * path's jitter is near its floor (of 32 uniform samples over 0-30 ms, under 3.75 ms but for 1.4
   * % of intervals), so a queue judged from it stands. A slow flow's intervals last longer.
   */
  static final int INTERVAL_SAMPLES = 32;

  /** How much our rate may rise over a standing queue before we count it as taken from others. */
  static final double DISPLACEMENT_RISE = 1.25;

  /** A queue of this much delay or more stands (a sixteenth of the target). */
  private final long standingMicros;

  private boolean started;
  private long startNanos;
  private long bytes;
  private int samples;
  private long minMicros;
  private long maxMicros;
  private long lastMicros;

  /** The smallest delay of the last completed interval (none yet: the largest value). */
  private long previousMinMicros = Long.MAX_VALUE;

  private long previousMaxMicros;

  /** Delivery rate (bytes per second) of the first interval spent wholly over a queue, or -1. */
  private double queuedRate = -1;

  QueueWatch(long targetMicros) {
    this.standingMicros = targetMicros / 16;
  }

  /**
   * One ack of {@code bytesAcked} with a delay sample. Returns true when it closed an interval in
   * which we <em>displaced</em> another flow: while a queue stands at the bottleneck, a flow alone
   * there already gets the whole link, so if our delivery rate still rises by {@link
   * #DISPLACEMENT_RISE} over that of the first interval spent wholly over a queue (its smallest
   * delay at least a sixteenth of the target, so the link was full all along), the extra bytes were
   * taken from another flow. This catches a latecomer beside TCP, whose delay samples never reach
   * the target because TCP's standing queue hides in its base delay, and which sees no loss because
   * a full drop-tail queue drops TCP's large bursts rather than our single packets; taking the
   * reference as soon as our own first milliseconds of queue stand catches it already in slow
   * start. An interval whose queue emptied, or {@link #forgetReference}, forgets the reference. A
   * flow alone keeps the rate of the full link, within noise well under the 25 % allowed.
   */
  boolean sample(long bytesAcked, long delayMicros, long nowNanos, long srttMicros) {
    lastMicros = delayMicros;
    if (!started) {
      started = true;
      startNanos = nowNanos;
      minMicros = delayMicros;
      maxMicros = delayMicros;
      return false;
    }
    bytes += bytesAcked;
    samples++;
    minMicros = Math.min(minMicros, delayMicros);
    maxMicros = Math.max(maxMicros, delayMicros);
    long elapsed = nowNanos - startNanos;
    if (elapsed < Math.max(INTERVAL_NANOS, 2_000 * srttMicros) || samples < INTERVAL_SAMPLES) {
      return false;
    }
    double rate = bytes * 1e9 / elapsed;
    boolean queued = minMicros >= standingMicros;
    previousMinMicros = minMicros;
    previousMaxMicros = maxMicros;
    startNanos = nowNanos;
    bytes = 0;
    samples = 0;
    minMicros = delayMicros;
    maxMicros = delayMicros;
    if (!queued) {
      queuedRate = -1;
    } else if (queuedRate < 0) {
      queuedRate = rate;
    } else if (rate > queuedRate * DISPLACEMENT_RISE) {
      queuedRate = -1;
      return true;
    }
    return false;
  }

  /**
   * The queue that stands: the smallest delay of the current and the last interval, not the last
   * sample. A path's jitter raises single samples by tens of milliseconds (taken for a queue, it
   * trapped a lone flow on a jittery lossy path in the competing mode at one packet); a queue that
   * TCP or an AQM keeps raises them all.
   */
  long standingMicros() {
    return Math.min(previousMinMicros, minMicros);
  }

  /** The largest delay of the current and the last interval. */
  long recentMaxMicros() {
    return Math.max(previousMaxMicros, maxMicros);
  }

  /** The last delay sample. */
  long lastMicros() {
    return lastMicros;
  }

  /** A loss changed our rate: the next interval over a queue sets a new reference. */
  void forgetReference() {
    queuedRate = -1;
  }
}
