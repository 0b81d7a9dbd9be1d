package io.natswarm.netsim;

import java.time.Duration;

/**
 * The impairments of one direction of a simulated link: one-way delay with jitter, random loss,
 * burst loss (a Gilbert-Elliott two-state chain), duplication, reordering, and a bandwidth limit
 * with a bounded FIFO queue in bytes so that a bottleneck builds queuing delay.
 *
 * <p>Per datagram, in this order: the queue admits it or drops it (tail drop, counted as {@link
 * DropReason#QUEUE}) and it is serialized at {@code size * 8 / bandwidth}, where {@code size} is
 * its wire size: the payload plus 28 bytes of IPv4 and UDP header (48 for IPv6), as a real link
 * carries them, so the queue limit counts those headers too; then it may be lost on the wire
 * ({@link DropReason#LOSS}); then it propagates for {@code delay} plus a uniform jitter in {@code
 * [-jitter, +jitter]}. Jitter never reorders: a datagram never overtakes the one before it unless
 * it is picked for reordering, which holds it back by {@code reorderDelay} so that later datagrams
 * overtake it. A duplicated datagram arrives twice, the copy right after the original.
 *
 * <p>Immutable; build with {@link #builder()}. {@link #PERFECT} has no impairment at all.
 */
public final class LinkConfig {
  /** No delay, no loss, unlimited bandwidth. */
  public static final LinkConfig PERFECT = builder().build();

  final long delayNanos;
  final long jitterNanos;
  final double loss;
  final double burstEnter;
  final double burstExit;
  final double burstLoss;
  final double duplicate;
  final double reorder;
  final long reorderDelayNanos;
  final long bandwidthBitsPerSecond;
  final long queueBytes;
  final long queueNanos;
  final long codelTargetNanos;
  final long codelIntervalNanos;
  final boolean perfect;

  private LinkConfig(Builder b) {
    this.delayNanos = b.delayNanos;
    this.jitterNanos = b.jitterNanos;
    this.loss = b.loss;
    this.burstEnter = b.burstEnter;
    this.burstExit = b.burstExit;
    this.burstLoss = b.burstLoss;
    this.duplicate = b.duplicate;
    this.reorder = b.reorder;
    this.reorderDelayNanos = b.reorderDelayNanos;
    this.bandwidthBitsPerSecond = b.bandwidthBitsPerSecond;
    this.queueBytes = b.queueBytes;
    this.queueNanos =
        b.bandwidthBitsPerSecond == 0 || b.queueBytes == Long.MAX_VALUE
            ? Long.MAX_VALUE
            : serializationNanos(b.queueBytes, b.bandwidthBitsPerSecond);
    this.codelTargetNanos = b.codelTargetNanos;
    this.codelIntervalNanos = b.codelIntervalNanos;
    this.perfect =
        delayNanos == 0
            && jitterNanos == 0
            && loss == 0
            && burstEnter == 0
            && duplicate == 0
            && reorder == 0
            && bandwidthBitsPerSecond == 0;
  }

  static long serializationNanos(long bytes, long bitsPerSecond) {
    // bytes * 8e9 / bps without overflow for any datagram size or queue up to ~1 GB.
    return (long) Math.ceil(bytes * 8.0e9 / bitsPerSecond);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder that starts from this configuration. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.delayNanos = delayNanos;
    b.jitterNanos = jitterNanos;
    b.loss = loss;
    b.burstEnter = burstEnter;
    b.burstExit = burstExit;
    b.burstLoss = burstLoss;
    b.duplicate = duplicate;
    b.reorder = reorder;
    b.reorderDelayNanos = reorderDelayNanos;
    b.bandwidthBitsPerSecond = bandwidthBitsPerSecond;
    b.queueBytes = queueBytes;
    return b;
  }

  public Duration delay() {
    return Duration.ofNanos(delayNanos);
  }

  public Duration jitter() {
    return Duration.ofNanos(jitterNanos);
  }

  public double loss() {
    return loss;
  }

  public long bandwidthBitsPerSecond() {
    return bandwidthBitsPerSecond;
  }

  public long queueBytes() {
    return queueBytes;
  }

  @Override
  public String toString() {
    return "LinkConfig{delay="
        + delayNanos / 1e6
        + "ms, jitter="
        + jitterNanos / 1e6
        + "ms, loss="
        + loss
        + ", burst="
        + burstEnter
        + "/"
        + burstExit
        + "/"
        + burstLoss
        + ", dup="
        + duplicate
        + ", reorder="
        + reorder
        + ", bw="
        + (bandwidthBitsPerSecond == 0 ? "unlimited" : bandwidthBitsPerSecond + "bit/s")
        + ", queue="
        + (queueBytes == Long.MAX_VALUE ? "unlimited" : queueBytes + "B")
        + (codelTargetNanos > 0 ? ", codel" : "")
        + "}";
  }

  /** Builds a {@link LinkConfig}; every setter rejects a value out of range with a message. */
  public static final class Builder {
    private long delayNanos;
    private long jitterNanos;
    private double loss;
    private double burstEnter;
    private double burstExit = 1.0;
    private double burstLoss = 1.0;
    private double duplicate;
    private double reorder;
    private long reorderDelayNanos = -1;
    private long bandwidthBitsPerSecond;
    private long queueBytes = Long.MAX_VALUE;
    private long codelTargetNanos;
    private long codelIntervalNanos;

    private Builder() {}

    /** One-way propagation delay. */
    public Builder delay(Duration delay) {
      this.delayNanos = nonNegative("delay", delay);
      return this;
    }

    public Builder delayMillis(double millis) {
      this.delayNanos = nonNegativeMillis("delay", millis);
      return this;
    }

    /** Each datagram's delay varies uniformly by up to this much either way (never below 0). */
    public Builder jitter(Duration jitter) {
      this.jitterNanos = nonNegative("jitter", jitter);
      return this;
    }

    public Builder jitterMillis(double millis) {
      this.jitterNanos = nonNegativeMillis("jitter", millis);
      return this;
    }

    /** Independent random loss probability per datagram, in [0, 1]. */
    public Builder loss(double probability) {
      this.loss = probability("loss", probability);
      return this;
    }

    /**
     * Burst loss, Gilbert-Elliott: each datagram the chain moves from the good to the bad state
     * with probability {@code enter} and back with {@code exit}; in the bad state a datagram is
     * lost with probability 1. The mean burst is {@code 1/exit} datagrams long.
     */
    public Builder burstLoss(double enter, double exit) {
      return burstLoss(enter, exit, 1.0);
    }

    /** Burst loss with a loss probability {@code lossInBad} in the bad state. */
    public Builder burstLoss(double enter, double exit, double lossInBad) {
      this.burstEnter = probability("burst loss enter probability", enter);
      this.burstExit = probability("burst loss exit probability", exit);
      this.burstLoss = probability("burst loss probability in the bad state", lossInBad);
      if (enter > 0 && exit == 0) {
        throw new IllegalArgumentException(
            "burst loss exit probability must be > 0 when enter > 0 (the link would stay down)");
      }
      return this;
    }

    /** Probability that a datagram is delivered twice. */
    public Builder duplicate(double probability) {
      this.duplicate = probability("duplicate", probability);
      return this;
    }

    /**
     * Probability that a datagram is held back by {@code reorderDelay} (default: the link's delay
     * plus 1 ms) so that the datagrams after it overtake it.
     */
    public Builder reorder(double probability) {
      this.reorder = probability("reorder", probability);
      return this;
    }

    public Builder reorder(double probability, Duration reorderDelay) {
      this.reorder = probability("reorder", probability);
      this.reorderDelayNanos = nonNegative("reorder delay", reorderDelay);
      return this;
    }

    /** Bandwidth limit in bits per second; 0 means unlimited. */
    public Builder bandwidthBitsPerSecond(long bitsPerSecond) {
      if (bitsPerSecond < 0) {
        throw new IllegalArgumentException(
            "bandwidth must be >= 0 bit/s (0 = unlimited), got " + bitsPerSecond);
      }
      this.bandwidthBitsPerSecond = bitsPerSecond;
      return this;
    }

    public Builder bandwidthMbps(double megabitsPerSecond) {
      if (!(megabitsPerSecond >= 0) || Double.isInfinite(megabitsPerSecond)) {
        throw new IllegalArgumentException(
            "bandwidth must be >= 0 Mbit/s (0 = unlimited), got " + megabitsPerSecond);
      }
      this.bandwidthBitsPerSecond = Math.round(megabitsPerSecond * 1e6);
      return this;
    }

    /**
     * The FIFO queue in front of the bandwidth limit, in bytes (including the datagram being
     * serialized); a datagram that does not fit is dropped. Unlimited by default.
     */
    public Builder queueBytes(long bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("queue must be > 0 bytes, got " + bytes);
      }
      this.queueBytes = bytes;
      return this;
    }

    /**
     * Manages the queue with CoDel (RFC 8289) at its defaults, a 5 ms target and a 100 ms interval,
     * on top of the byte limit: once every datagram has waited longer than the target for a whole
     * interval, CoDel drops at the head of the queue, at intervals shrinking with the square root
     * of the drops so far, until a datagram waits less than the target. Drops count as {@link
     * DropReason#QUEUE}. Needs a bandwidth limit.
     */
    public Builder codel() {
      this.codelTargetNanos = 5_000_000L;
      this.codelIntervalNanos = 100_000_000L;
      return this;
    }

    public LinkConfig build() {
      if (codelTargetNanos > 0 && bandwidthBitsPerSecond == 0) {
        throw new IllegalArgumentException("CoDel needs a bandwidth limit to build a queue");
      }
      if (queueBytes != Long.MAX_VALUE && bandwidthBitsPerSecond == 0) {
        throw new IllegalArgumentException(
            "a queue limit (" + queueBytes + " bytes) needs a bandwidth limit to drain it");
      }
      if (reorderDelayNanos < 0) {
        reorderDelayNanos = delayNanos + 1_000_000;
      }
      return new LinkConfig(this);
    }

    private static long nonNegative(String what, Duration d) {
      if (d == null || d.isNegative()) {
        throw new IllegalArgumentException(what + " must be >= 0, got " + d);
      }
      return d.toNanos();
    }

    private static long nonNegativeMillis(String what, double millis) {
      if (!(millis >= 0) || Double.isInfinite(millis)) {
        throw new IllegalArgumentException(what + " must be >= 0 ms, got " + millis);
      }
      return Math.round(millis * 1e6);
    }

    private static double probability(String what, double p) {
      if (!(p >= 0 && p <= 1)) {
        throw new IllegalArgumentException(what + " must be in [0, 1], got " + p);
      }
      return p;
    }
  }
}
