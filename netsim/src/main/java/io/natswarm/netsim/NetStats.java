package io.natswarm.netsim;

import io.natswarm.datagram.DatagramCore;
import java.util.EnumMap;
import java.util.Map;

/** Network-wide counters. Live view: values change as the network runs. */
public final class NetStats {
  long sent;
  long delivered;
  long duplicated;
  long reordered;
  long timersFired;
  long drains;
  long events;
  long natMappingsCreated;
  long natMappingsExpired;
  final long[] dropped = new long[DropReason.values().length];

  NetStats() {}

  /** Datagrams endpoints handed to the network. */
  public long sent() {
    return sent;
  }

  /** Datagrams handed to an endpoint (a duplicate counts again). */
  public long delivered() {
    return delivered;
  }

  public long dropped(DropReason reason) {
    return dropped[reason.code()];
  }

  public long droppedTotal() {
    long n = 0;
    for (long d : dropped) {
      n += d;
    }
    return n;
  }

  /** Copies the link layer made. */
  public long duplicated() {
    return duplicated;
  }

  /** Datagrams held back so later ones overtook them. */
  public long reordered() {
    return reordered;
  }

  /** Calls to {@link DatagramCore#handleTimeout}. */
  public long timersFired() {
    return timersFired;
  }

  /**
   * Calls to {@link DatagramCore#handleReceiveDrained}: one per binding per virtual instant at
   * which it received datagrams (the real loop's read bursts).
   */
  public long drains() {
    return drains;
  }

  /** Events the scheduler processed (datagram hops, timers, actions). */
  public long events() {
    return events;
  }

  public long natMappingsCreated() {
    return natMappingsCreated;
  }

  public long natMappingsExpired() {
    return natMappingsExpired;
  }

  /** The drop counters that are not zero. */
  public Map<DropReason, Long> drops() {
    Map<DropReason, Long> m = new EnumMap<>(DropReason.class);
    for (DropReason r : DropReason.values()) {
      if (dropped[r.code()] != 0) {
        m.put(r, dropped[r.code()]);
      }
    }
    return m;
  }

  @Override
  public String toString() {
    return "NetStats{sent="
        + sent
        + ", delivered="
        + delivered
        + ", dropped="
        + drops()
        + ", duplicated="
        + duplicated
        + ", reordered="
        + reordered
        + ", timers="
        + timersFired
        + ", drains="
        + drains
        + ", events="
        + events
        + ", natMappings="
        + natMappingsCreated
        + "/"
        + natMappingsExpired
        + " expired}";
  }
}
