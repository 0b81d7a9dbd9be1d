package io.natswarm.netsim;

/**
 * One direction of a node's access link (host to its realm, or realm to host) with its impairments
 * ({@link LinkConfig}) and its counters. The queue is modelled by the time at which the link
 * finishes serializing what it has accepted, so a bottleneck costs no events of its own: the
 * backlog at time t is {@code (busyUntil - t) * bandwidth / 8}.
 *
 * <p>Owned by the thread that runs the {@link Network}.
 */
public final class Link {
  /** Returned by {@link #admit} when the queue dropped the datagram. */
  static final long DROPPED_QUEUE = -1;

  /** Returned by {@link #admit} when the wire lost the datagram. */
  static final long DROPPED_LOSS = -2;

  private final String name;
  private long randomState; // SplitMix64, inline: one cache line less per datagram
  private LinkConfig config;
  // The config's fields, copied here so that a datagram touches only this object.
  private long delayNanos;
  private long jitterNanos;
  private double loss;
  private double burstEnter;
  private double burstExit;
  private double burstLoss;
  private double duplicate;
  private double reorder;
  private long reorderDelayNanos;
  private long bandwidth;
  private long queueNanos;
  private long codelTargetNanos;
  private long codelIntervalNanos;
  private boolean perfect;
  private boolean constantDelay;
  private long busyUntil;
  private long lastArrival;
  private boolean burstBad;

  /** Set by {@link #admit}: when the datagram's duplicate arrives, or -1 for none. */
  long duplicateArrival = -1;

  /** Set by {@link #admit}: whether the datagram was held back for reordering. */
  boolean reordered;

  private long packets;
  private long bytes;
  private long lostPackets;
  private long queueDrops;
  private long duplicates;
  private long reorders;
  private long maxQueueDelayNanos;
  private long sumQueueDelayNanos;
  private long codelDrops;

  // CoDel's state (RFC 8289 section 5), advanced in dequeue order, which is admission order.
  private long codelFirstAboveTime;
  private long codelDropNext;
  private int codelCount;
  private int codelLastCount;
  private boolean codelDropping;

  Link(String name, SimRandom random) {
    this.name = name;
    this.randomState = random.nextLong();
    configure(LinkConfig.PERFECT);
  }

  private long nextLong() {
    randomState += 0x9E3779B97F4A7C15L;
    return SimRandom.mix(randomState);
  }

  private boolean chance(double p) {
    return p > 0 && ((nextLong() >>> 11) * 0x1.0p-53) < p;
  }

  /** For example {@code "h1 uplink"}. */
  public String name() {
    return name;
  }

  public LinkConfig config() {
    return config;
  }

  /** Changes the impairments from now on (a link can degrade or recover mid-test). */
  public void configure(LinkConfig newConfig) {
    if (newConfig == null) {
      throw new IllegalArgumentException("link config of " + name + " must not be null");
    }
    this.config = newConfig;
    this.delayNanos = newConfig.delayNanos;
    this.jitterNanos = newConfig.jitterNanos;
    this.loss = newConfig.loss;
    this.burstEnter = newConfig.burstEnter;
    this.burstExit = newConfig.burstExit;
    this.burstLoss = newConfig.burstLoss;
    this.duplicate = newConfig.duplicate;
    this.reorder = newConfig.reorder;
    this.reorderDelayNanos = newConfig.reorderDelayNanos;
    this.bandwidth = newConfig.bandwidthBitsPerSecond;
    this.queueNanos = newConfig.queueNanos;
    this.codelTargetNanos = newConfig.codelTargetNanos;
    this.codelIntervalNanos = newConfig.codelIntervalNanos;
    this.perfect = newConfig.perfect;
    this.constantDelay = bandwidth == 0 && jitterNanos == 0 && reorder == 0;
  }

  boolean isPerfect() {
    return perfect;
  }

  /**
   * Whether a datagram's passage can be decided before it enters (no queue, no jitter, no
   * reordering: the delay is constant, so FIFO order holds by construction).
   */
  boolean isConstantDelay() {
    return constantDelay;
  }

  /**
   * {@link #admit} for a constant-delay link, decided ahead of time for a datagram that will enter
   * at {@code entry}: loss, duplication and the constant delay only.
   */
  long admitAhead(int len, long entry) {
    duplicateArrival = -1;
    reordered = false;
    packets++;
    bytes += len;
    if (lost()) {
      return DROPPED_LOSS;
    }
    long arrival = entry + delayNanos;
    if (chance(duplicate)) {
      duplicates++;
      duplicateArrival = arrival;
    }
    return arrival;
  }

  /**
   * Decides burst loss (Gilbert-Elliott) and random loss for one datagram, in that order, and
   * counts a loss.
   */
  private boolean lost() {
    if (burstEnter > 0) {
      burstBad = burstBad ? !chance(burstExit) : chance(burstEnter);
      if (burstBad && chance(burstLoss)) {
        lostPackets++;
        return true;
      }
    }
    if (chance(loss)) {
      lostPackets++;
      return true;
    }
    return false;
  }

  /**
   * Admits a datagram of {@code len} bytes on the wire (payload plus IP and UDP headers) entering
   * the link at {@code now}: returns its arrival time at the far end, or {@link #DROPPED_QUEUE} /
   * {@link #DROPPED_LOSS}.
   */
  long admit(int len, long now) {
    duplicateArrival = -1;
    reordered = false;
    long depart = now;
    if (bandwidth != 0) {
      long start = Math.max(now, busyUntil);
      long ser = LinkConfig.serializationNanos(len, bandwidth);
      if (start - now + ser > queueNanos) {
        queueDrops++;
        return DROPPED_QUEUE;
      }
      long wait = start - now;
      if (codelTargetNanos > 0 && codelDrops(wait, start)) {
        queueDrops++;
        codelDrops++;
        return DROPPED_QUEUE;
      }
      sumQueueDelayNanos += wait;
      if (wait > maxQueueDelayNanos) {
        maxQueueDelayNanos = wait;
      }
      busyUntil = start + ser;
      depart = busyUntil;
    }
    packets++;
    bytes += len;
    if (lost()) {
      return DROPPED_LOSS;
    }
    long arrival = depart + delayNanos;
    if (jitterNanos != 0) {
      arrival =
          Math.max(depart, arrival + Math.floorMod(nextLong(), 2 * jitterNanos + 1) - jitterNanos);
    }
    if (chance(reorder)) {
      reorders++;
      reordered = true;
      arrival += reorderDelayNanos;
    } else {
      if (arrival < lastArrival) {
        arrival = lastArrival;
      }
      lastArrival = arrival;
    }
    if (chance(duplicate)) {
      duplicates++;
      duplicateArrival = arrival;
    }
    return arrival;
  }

  /** Datagrams that entered the link (after the queue, before loss). */
  public long packets() {
    return packets;
  }

  /**
   * CoDel's dequeue decision (RFC 8289 section 5.4) for a datagram that reaches the head of the
   * queue at {@code dequeueAt} after waiting {@code sojourn}. This queue is FIFO and each
   * datagram's wait is known when it enters, so deciding at admission, in admission order, is the
   * decision CoDel takes at dequeue; a dropped datagram takes no serialization time, as in CoDel.
   * (CoDel's "queue nearly empty" exception is approximated by the sojourn test alone.)
   */
  private boolean codelDrops(long sojourn, long dequeueAt) {
    boolean okToDrop = false;
    if (sojourn < codelTargetNanos) {
      codelFirstAboveTime = 0;
    } else if (codelFirstAboveTime == 0) {
      codelFirstAboveTime = dequeueAt + codelIntervalNanos;
    } else if (dequeueAt - codelFirstAboveTime >= 0) {
      okToDrop = true;
    }
    if (codelDropping) {
      if (!okToDrop) {
        codelDropping = false;
        return false;
      }
      if (dequeueAt - codelDropNext >= 0) {
        codelCount++;
        codelDropNext = codelControlLaw(codelDropNext);
        return true;
      }
      return false;
    }
    if (!okToDrop) {
      return false;
    }
    codelDropping = true;
    int delta = codelCount - codelLastCount;
    codelCount = delta > 1 && dequeueAt - codelDropNext < 16 * codelIntervalNanos ? delta : 1;
    codelDropNext = codelControlLaw(dequeueAt);
    codelLastCount = codelCount;
    return true;
  }

  private long codelControlLaw(long t) {
    return t + (long) (codelIntervalNanos / Math.sqrt(codelCount));
  }

  /** Datagrams CoDel dropped (also counted in {@link #queueDrops()}). */
  public long codelDrops() {
    return codelDrops;
  }

  /** Bytes that entered the link, IP and UDP headers included (what the bandwidth is charged). */
  public long bytes() {
    return bytes;
  }

  /** Datagrams lost on the wire (random or burst loss). */
  public long lostPackets() {
    return lostPackets;
  }

  /** Datagrams dropped because the queue was full. */
  public long queueDrops() {
    return queueDrops;
  }

  public long duplicates() {
    return duplicates;
  }

  public long reorders() {
    return reorders;
  }

  /** The longest time a datagram waited in the queue, in nanoseconds. */
  public long maxQueueDelayNanos() {
    return maxQueueDelayNanos;
  }

  /** The mean time accepted datagrams waited in the queue, in nanoseconds. */
  public double meanQueueDelayNanos() {
    return packets == 0 ? 0 : (double) sumQueueDelayNanos / packets;
  }

  /**
   * Bytes waiting in the queue at virtual time {@code nowNanos} (including the one on the wire).
   */
  public long backlogBytes(long nowNanos) {
    long bw = bandwidth;
    if (bw == 0 || busyUntil <= nowNanos) {
      return 0;
    }
    return (long) ((busyUntil - nowNanos) * (bw / 8.0e9));
  }

  @Override
  public String toString() {
    return name + " " + config;
  }
}
