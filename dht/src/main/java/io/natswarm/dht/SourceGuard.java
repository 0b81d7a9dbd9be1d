package io.natswarm.dht;

import io.natswarm.datagram.Deadlines;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * Protection per source IP address, designed for UDP, where anyone can forge a datagram's source
 * address (BEP 5 runs over UDP; BEP 42 only constrains node ids, not who sends what):
 *
 * <ul>
 *   <li><b>Malformed datagrams</b> cost a bounded parse and a counter, and nothing else: they never
 *       count against their source. (Until issue 7, five of them banned the source address for five
 *       minutes, so anyone able to forge a source address could silence any node, or everyone
 *       behind one carrier-grade NAT, with five datagrams.)
 *   <li><b>Queries</b> pass a token bucket per source IP ({@code queriesPerSecond}, {@code
 *       queryBurst}). A forger can drain the bucket of an address it names, but only while it keeps
 *       sending: the penalty lasts as long as the flood, not a fixed term after it, and the bucket
 *       refills in {@code burst / rate} seconds.
 *   <li><b>Bans</b> need evidence a forger cannot produce. In KRPC that is a valid write token: the
 *       token is SHA-1 of our secret and the source address and is only ever sent to that address
 *       (in a get_peers reply), so a datagram carrying one comes from someone who receives at that
 *       address. The abuse we ban for is an address that keeps announcing with valid tokens, more
 *       than {@code maxAnnounces} announce_peer queries within {@link #ANNOUNCE_WINDOW} (an honest
 *       client announces each torrent to the 8 nodes closest to it every 15 to 30 minutes, so one
 *       node hears from one address about a handful of torrents at most; more is an address filling
 *       our peer store). A banned address is ignored, every datagram dropped and counted, for
 *       {@link #BAN_NANOS}. Set {@code maxAnnounces} to 0 for no bans at all (a private DHT where
 *       one host announces many torrents to few nodes, or loopback, where every node is one
 *       address).
 * </ul>
 *
 * <p>Bounded memory: when more than {@code maxSources} sources are tracked, the table of rate
 * buckets and announce counts is cleared rather than grown (forged sources can make it churn, which
 * only resets buckets and counts). Bans live in their own table of at most {@link #MAX_BANS}, which
 * forged sources cannot fill, since each ban needs a proven address. Owned by the DHT node's
 * thread; allocates nothing for a source it already tracks.
 */
final class SourceGuard {
  /** The window in which a source's valid-token announces are counted. */
  static final long ANNOUNCE_WINDOW = 5 * 60 * 1_000_000_000L;

  /** How long a ban lasts. */
  static final long BAN_NANOS = 10 * 60 * 1_000_000_000L;

  /** The most sources banned at once. */
  static final int MAX_BANS = 1024;

  private static final class Source {
    double tokens;
    long refilledAt;
    int announces;
    long announcesSince;
  }

  private final Map<InetAddress, Source> sources = new HashMap<>();
  private final Map<InetAddress, Long> bans = new HashMap<>();
  private final double perNano;
  private final int burst;
  private final int maxAnnounces;
  private final int maxSources;

  /**
   * @param perSecond queries per second per source IP, 0 for no limit
   * @param burst the token bucket's depth
   * @param maxAnnounces valid-token announces per source within {@link #ANNOUNCE_WINDOW} before a
   *     ban, 0 for no bans
   * @param maxSources sources tracked before the table is cleared
   */
  SourceGuard(int perSecond, int burst, int maxAnnounces, int maxSources) {
    this.perNano = perSecond / 1e9;
    this.burst = burst;
    this.maxAnnounces = maxAnnounces;
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
      s.announcesSince = now;
      sources.put(a, s);
    }
    return s;
  }

  /** Whether {@code a} is banned at {@code now}; a ban that has run out is forgotten. */
  boolean isBanned(InetAddress a, long now) {
    if (bans.isEmpty()) {
      return false;
    }
    Long until = bans.get(a);
    if (until == null) {
      return false;
    }
    if (Deadlines.isDue(until, now)) {
      bans.remove(a);
      return false;
    }
    return true;
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

  /**
   * {@code a} sent an announce_peer with a valid token, which proves it receives at {@code a}.
   * Returns when its ban ends if this announce was one too many, else {@link Deadlines#NONE}.
   */
  long provenAnnounce(InetAddress a, long now) {
    if (maxAnnounces <= 0) {
      return Deadlines.NONE;
    }
    Source s = source(a, now);
    if (now - s.announcesSince >= ANNOUNCE_WINDOW) {
      s.announces = 0;
      s.announcesSince = now;
    }
    if (++s.announces <= maxAnnounces) {
      return Deadlines.NONE;
    }
    s.announces = 0;
    if (bans.size() >= MAX_BANS) {
      bans.values().removeIf(until -> Deadlines.isDue(until, now));
      if (bans.size() >= MAX_BANS) {
        return Deadlines.NONE;
      }
    }
    long until = now + BAN_NANOS;
    bans.put(a, until);
    return until;
  }
}
