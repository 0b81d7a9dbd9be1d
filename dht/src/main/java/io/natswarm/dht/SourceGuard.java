package io.natswarm.dht;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * Protection per source IP address: a token-bucket limit on queries, and a ban for a while on
 * sources that keep sending datagrams that are not KRPC. Bounded memory: when more than {@code
 * maxSources} sources are tracked, the table is cleared (bans included) rather than grown. Owned by
 * the DHT node's thread.
 */
final class SourceGuard {
  static final int GARBAGE_LIMIT = 5;
  static final long GARBAGE_WINDOW = 10_000_000_000L;
  static final long BAN_NANOS = 5 * 60 * 1_000_000_000L;

  private static final class Source {
    double tokens;
    long refilledAt;
    int garbage;
    long garbageSince;
    long bannedUntil = Long.MIN_VALUE;
  }

  private final Map<InetAddress, Source> sources = new HashMap<>();
  private final double perNano;
  private final int burst;
  private final int maxSources;

  SourceGuard(int perSecond, int burst, int maxSources) {
    this.perNano = perSecond / 1e9;
    this.burst = burst;
    this.maxSources = maxSources;
  }

  private Source source(InetAddress a, long now) {
    Source s = sources.get(a);
    if (s == null) {
      if (sources.size() >= maxSources) {
        sources.clear();
      }
      s = new Source();
      s.tokens = burst;
      s.refilledAt = now;
      sources.put(a, s);
    }
    return s;
  }

  boolean banned(InetAddress a, long now) {
    Source s = sources.get(a);
    return s != null && now < s.bannedUntil;
  }

  /** Takes one query token for {@code a}; false when the source is over its rate. */
  boolean allowQuery(InetAddress a, long now) {
    if (perNano <= 0) {
      return true;
    }
    Source s = source(a, now);
    s.tokens = Math.min(burst, s.tokens + (now - s.refilledAt) * perNano);
    s.refilledAt = now;
    if (s.tokens < 1) {
      return false;
    }
    s.tokens -= 1;
    return true;
  }

  /** {@code a} sent a datagram that is not KRPC; returns true if it is now banned. */
  boolean garbage(InetAddress a, long now) {
    Source s = source(a, now);
    if (now - s.garbageSince > GARBAGE_WINDOW) {
      s.garbage = 0;
      s.garbageSince = now;
    }
    if (++s.garbage >= GARBAGE_LIMIT) {
      s.bannedUntil = now + BAN_NANOS;
      s.garbage = 0;
      return true;
    }
    return false;
  }
}
