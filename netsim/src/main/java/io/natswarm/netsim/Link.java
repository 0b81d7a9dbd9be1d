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
  private final SimRandom random;
  private LinkConfig config;
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

  Link(String name, SimRandom random) {
    this.name = name;
    this.random = random;
    this.config = LinkConfig.PERFECT;
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
  }

  boolean isPerfect() {
    return config.perfect;
  }

  /**
   * Admits a datagram of {@code len} bytes entering the link at {@code now}: returns its arrival
   * time at the far end, or {@link #DROPPED_QUEUE} / {@link #DROPPED_LOSS}.
   */
  long admit(int len, long now) {
    LinkConfig c = config;
    duplicateArrival = -1;
    reordered = false;
    long depart = now;
    if (c.bandwidthBitsPerSecond != 0) {
      long start = Math.max(now, busyUntil);
      long ser = LinkConfig.serializationNanos(len, c.bandwidthBitsPerSecond);
      if (start - now + ser > c.queueNanos) {
        queueDrops++;
        return DROPPED_QUEUE;
      }
      long wait = start - now;
      sumQueueDelayNanos += wait;
      if (wait > maxQueueDelayNanos) {
        maxQueueDelayNanos = wait;
      }
      busyUntil = start + ser;
      depart = busyUntil;
    }
    packets++;
    bytes += len;
    if (c.burstEnter > 0) {
      burstBad = burstBad ? !random.chance(c.burstExit) : random.chance(c.burstEnter);
      if (burstBad && random.chance(c.burstLoss)) {
        lostPackets++;
        return DROPPED_LOSS;
      }
    }
    if (random.chance(c.loss)) {
      lostPackets++;
      return DROPPED_LOSS;
    }
    long arrival = depart + c.delayNanos;
    if (c.jitterNanos != 0) {
      arrival = Math.max(depart, arrival + random.nextLong(2 * c.jitterNanos + 1) - c.jitterNanos);
    }
    if (random.chance(c.reorder)) {
      reorders++;
      reordered = true;
      arrival += c.reorderDelayNanos;
    } else {
      if (arrival < lastArrival) {
        arrival = lastArrival;
      }
      lastArrival = arrival;
    }
    if (random.chance(c.duplicate)) {
      duplicates++;
      duplicateArrival = arrival;
    }
    return arrival;
  }

  /** Datagrams that entered the link (after the queue, before loss). */
  public long packets() {
    return packets;
  }

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
    long bw = config.bandwidthBitsPerSecond;
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
