package io.natswarm.dht.routing;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The Kademlia routing table of BEP 5 ("Routing Table"): k-buckets that split when the bucket
 * covering our own id is full, a replacement cache per bucket, good/questionable/bad nodes with
 * pings of questionable nodes before anything is evicted, and bucket refresh targets.
 *
 * <p>Diversity (against Sybil attacks): at most {@code maxPerSubnet} nodes of one /24 (IPv4) or /64
 * (IPv6) per bucket, optionally one node per IP address in the whole table, optionally only BEP 42
 * verified ids; verified ids are preferred when a questionable node is replaced.
 *
 * <p>Owned by the DHT node's thread; not thread-safe.
 */
public final class RoutingTable {
  /** What {@link #heard} did with a node. */
  public enum Outcome {
    UPDATED,
    INSERTED,
    REPLACEMENT,
    REJECTED_SELF,
    REJECTED_SUBNET,
    REJECTED_IP,
    REJECTED_UNVERIFIED
  }

  private final NodeId self;
  private final int k;
  private final int maxPerSubnet;
  private final boolean uniqueIps;
  private final boolean enforceBep42;
  private final long refreshNanos;
  private final boolean extended;
  private final List<Bucket> buckets = new ArrayList<>();
  private final Map<InetAddress, Integer> ipCounts = new HashMap<>();
  private final ArrayDeque<NodeEntry> pingQueue = new ArrayDeque<>();
  private int size;

  /**
   * @param k bucket size (8 in BEP 5)
   * @param maxPerSubnet most nodes of one /24 or /64 per bucket; 0 for no limit
   * @param uniqueIps at most one node per IP address in the table
   * @param enforceBep42 reject ids that are not valid for their address under BEP 42
   * @param refreshNanos a bucket unchanged for this long is refreshed (15 minutes in BEP 5)
   */
  public RoutingTable(
      NodeId self,
      int k,
      int maxPerSubnet,
      boolean uniqueIps,
      boolean enforceBep42,
      long refreshNanos,
      long nowNanos) {
    this(self, k, maxPerSubnet, uniqueIps, enforceBep42, refreshNanos, false, nowNanos);
  }

  /**
   * As above; with {@code extended}, the far buckets hold more nodes (8k, 4k, 2k for buckets 0-2,
   * as libtorrent's extended routing table does) so that the first hop of a lookup lands closer.
   */
  public RoutingTable(
      NodeId self,
      int k,
      int maxPerSubnet,
      boolean uniqueIps,
      boolean enforceBep42,
      long refreshNanos,
      boolean extended,
      long nowNanos) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be positive");
    }
    this.self = self;
    this.k = k;
    this.maxPerSubnet = maxPerSubnet;
    this.uniqueIps = uniqueIps;
    this.enforceBep42 = enforceBep42;
    this.refreshNanos = refreshNanos;
    this.extended = extended;
    buckets.add(new Bucket(k, nowNanos));
  }

  public NodeId self() {
    return self;
  }

  /** Number of live nodes. */
  public int size() {
    return size;
  }

  public int bucketCount() {
    return buckets.size();
  }

  /** How many live nodes bucket {@code index} holds. */
  public int capacity(int index) {
    return extended ? k << Math.max(0, 3 - index) : k;
  }

  private int bucketIndex(NodeId id) {
    return Math.min(self.commonPrefixLength(id), buckets.size() - 1);
  }

  /** The live node with this id, or null. */
  public NodeEntry find(NodeId id) {
    return buckets.get(bucketIndex(id)).find(id);
  }

  /**
   * We heard from a node: it answered a query of ours ({@code responded}, with round trip {@code
   * rttNanos} or -1) or sent us one.
   */
  public Outcome heard(
      NodeId id, InetSocketAddress address, boolean responded, long rttNanos, long nowNanos) {
    if (id.equals(self)) {
      return Outcome.REJECTED_SELF;
    }
    Boolean verifiedOnce = null;
    while (true) {
      int index = bucketIndex(id);
      Bucket b = buckets.get(index);
      NodeEntry e = b.find(id);
      if (e != null) {
        if (!e.address().equals(address)) {
          // same id from another address: keep the one we know unless it stopped answering
          if (e.status(nowNanos) != NodeStatus.BAD) {
            return Outcome.REJECTED_IP;
          }
          remove(b, e);
          continue;
        }
        touch(e, responded, rttNanos, nowNanos);
        if (responded) {
          b.lastChanged = nowNanos;
        }
        return Outcome.UPDATED;
      }
      // a node we do not know yet: only now pay for the BEP 42 check (not per packet)
      if (verifiedOnce == null) {
        verifiedOnce = Bep42.isValid(id, address.getAddress());
      }
      boolean verified = verifiedOnce;
      if (enforceBep42 && !verified) {
        return Outcome.REJECTED_UNVERIFIED;
      }
      if (uniqueIps && ipCounts.containsKey(address.getAddress())) {
        return Outcome.REJECTED_IP;
      }
      if (maxPerSubnet > 0 && subnetCount(b.live, address.getAddress()) >= maxPerSubnet) {
        return Outcome.REJECTED_SUBNET;
      }
      if (b.live.size() < capacity(index)) {
        add(b, newEntry(id, address, verified, responded, rttNanos, nowNanos), nowNanos);
        return Outcome.INSERTED;
      }
      if (index == buckets.size() - 1 && buckets.size() < NodeId.BITS) {
        split();
        continue;
      }
      for (int i = 0; i < b.live.size(); i++) {
        if (b.live.get(i).status(nowNanos) == NodeStatus.BAD) {
          remove(b, b.live.get(i));
          add(b, newEntry(id, address, verified, responded, rttNanos, nowNanos), nowNanos);
          return Outcome.INSERTED;
        }
      }
      if (!responded && !verified) {
        return Outcome.REPLACEMENT; // not even cached: unconfirmed and unverified
      }
      cache(b, newEntry(id, address, verified, responded, rttNanos, nowNanos));
      // ping questionable nodes so that a dead one can make room (BEP 5)
      for (int i = 0; i < b.live.size(); i++) {
        NodeEntry q = b.live.get(i);
        if (q.status(nowNanos) == NodeStatus.QUESTIONABLE && !q.pingInFlight()) {
          q.setPingInFlight();
          pingQueue.add(q);
        }
      }
      return Outcome.REPLACEMENT;
    }
  }

  private static NodeEntry newEntry(
      NodeId id,
      InetSocketAddress address,
      boolean verified,
      boolean responded,
      long rtt,
      long now) {
    NodeEntry e = new NodeEntry(id, address, verified, now);
    if (responded) {
      e.responded(now, rtt);
    }
    return e;
  }

  private static void touch(NodeEntry e, boolean responded, long rtt, long now) {
    if (responded) {
      e.responded(now, rtt);
    } else {
      e.queried(now);
    }
  }

  private void cache(Bucket b, NodeEntry e) {
    int existing = b.findReplacement(e.id());
    if (existing >= 0) {
      b.replacements.remove(existing);
    }
    if (b.replacements.size() >= k) {
      // drop an unverified or the oldest entry
      int victim = 0;
      for (int i = 0; i < b.replacements.size(); i++) {
        if (!b.replacements.get(i).verified()) {
          victim = i;
          break;
        }
      }
      b.replacements.remove(victim);
    }
    b.replacements.add(e);
  }

  /**
   * Whether a node we have not heard from directly would get a live slot now (free room, or a
   * splittable bucket) if it answered: worth a ping.
   */
  public boolean hasRoomFor(NodeId id, InetSocketAddress address) {
    if (id.equals(self)) {
      return false;
    }
    int index = bucketIndex(id);
    Bucket b = buckets.get(index);
    if (b.find(id) != null) {
      return false;
    }
    if (uniqueIps && ipCounts.containsKey(address.getAddress())) {
      return false;
    }
    if (maxPerSubnet > 0 && subnetCount(b.live, address.getAddress()) >= maxPerSubnet) {
      return false;
    }
    return b.live.size() < capacity(index)
        || (index == buckets.size() - 1 && buckets.size() < NodeId.BITS);
  }

  /** A query to a node timed out. */
  public void failed(NodeId id, long nowNanos) {
    Bucket b = buckets.get(bucketIndex(id));
    NodeEntry e = b.find(id);
    if (e == null) {
      int r = b.findReplacement(id);
      if (r >= 0) {
        b.replacements.remove(r);
      }
      return;
    }
    e.failed();
    if (e.status(nowNanos) == NodeStatus.BAD && !b.replacements.isEmpty()) {
      remove(b, e);
      promote(b, nowNanos);
    }
  }

  /** Moves the best replacement (verified and answered first, then newest) into the bucket. */
  private void promote(Bucket b, long nowNanos) {
    while (b.live.size() < capacity(buckets.indexOf(b)) && !b.replacements.isEmpty()) {
      int best = b.replacements.size() - 1;
      for (int i = b.replacements.size() - 1; i >= 0; i--) {
        NodeEntry r = b.replacements.get(i);
        if (r.verified() && r.everResponded()) {
          best = i;
          break;
        }
      }
      NodeEntry r = b.replacements.remove(best);
      if (uniqueIps && ipCounts.containsKey(r.address().getAddress())) {
        continue;
      }
      if (maxPerSubnet > 0 && subnetCount(b.live, r.address().getAddress()) >= maxPerSubnet) {
        continue;
      }
      add(b, r, nowNanos);
    }
  }

  private void add(Bucket b, NodeEntry e, long nowNanos) {
    b.live.add(e);
    b.lastChanged = nowNanos;
    size++;
    if (uniqueIps) {
      ipCounts.merge(e.address().getAddress(), 1, Integer::sum);
    }
  }

  private void remove(Bucket b, NodeEntry e) {
    if (b.live.remove(e)) {
      size--;
      if (uniqueIps) {
        ipCounts.computeIfPresent(e.address().getAddress(), (a, n) -> n > 1 ? n - 1 : null);
      }
    }
  }

  private void split() {
    int last = buckets.size() - 1;
    Bucket old = buckets.get(last);
    Bucket fresh = new Bucket(k, old.lastChanged);
    buckets.add(fresh);
    for (int i = old.live.size() - 1; i >= 0; i--) {
      NodeEntry e = old.live.get(i);
      if (self.commonPrefixLength(e.id()) > last) {
        old.live.remove(i);
        fresh.live.add(0, e);
      }
    }
    for (int i = old.replacements.size() - 1; i >= 0; i--) {
      NodeEntry e = old.replacements.get(i);
      if (self.commonPrefixLength(e.id()) > last) {
        old.replacements.remove(i);
        fresh.replacements.add(0, e);
      }
    }
    // a smaller bucket may not hold all it inherited: the rest wait in its replacement cache
    while (fresh.live.size() > capacity(last + 1)) {
      NodeEntry e = fresh.live.remove(fresh.live.size() - 1);
      size--;
      if (uniqueIps) {
        ipCounts.computeIfPresent(e.address().getAddress(), (a, n) -> n > 1 ? n - 1 : null);
      }
      if (fresh.replacements.size() < k) {
        fresh.replacements.add(e);
      }
    }
  }

  private static int subnetCount(List<NodeEntry> live, InetAddress a) {
    byte[] mine = a.getAddress();
    int prefix = a instanceof Inet4Address ? 3 : 8;
    int n = 0;
    for (int i = 0; i < live.size(); i++) {
      byte[] other = live.get(i).address().getAddress().getAddress();
      if (other.length == mine.length
          && java.util.Arrays.equals(mine, 0, prefix, other, 0, prefix)) {
        n++;
      }
    }
    return n;
  }

  /**
   * Fills {@code out} with up to {@code n} live, non-bad nodes closest to {@code target}, closest
   * first, and returns how many. Allocates nothing.
   */
  public int closest(NodeId target, NodeEntry[] out, int n, long nowNanos) {
    int count = 0;
    for (int bi = 0; bi < buckets.size(); bi++) {
      List<NodeEntry> live = buckets.get(bi).live;
      for (int i = 0; i < live.size(); i++) {
        NodeEntry e = live.get(i);
        if (e.status(nowNanos) == NodeStatus.BAD) {
          continue;
        }
        int pos = count;
        while (pos > 0 && target.compareDistance(e.id(), out[pos - 1].id()) < 0) {
          pos--;
        }
        if (pos >= n) {
          continue;
        }
        int last = Math.min(count, n - 1);
        System.arraycopy(out, pos, out, pos + 1, last - pos);
        out[pos] = e;
        if (count < n) {
          count++;
        }
      }
    }
    return count;
  }

  /** A questionable node that should be pinged before it can be evicted, or null. */
  public NodeEntry pollPing() {
    return pingQueue.poll();
  }

  /** A target for refreshing the first bucket not changed for the refresh interval, or null. */
  public NodeId pollRefreshTarget(long nowNanos, Random random) {
    for (int i = 0; i < buckets.size(); i++) {
      Bucket b = buckets.get(i);
      if (nowNanos - b.lastChanged >= refreshNanos) {
        b.lastChanged = nowNanos;
        return i == buckets.size() - 1
            ? self.randomSharing(i, random)
            : self.randomWithPrefix(i, random);
      }
    }
    return null;
  }

  /** The earliest time a bucket becomes due for refresh. */
  public long nextRefresh() {
    long t = Long.MAX_VALUE;
    for (int i = 0; i < buckets.size(); i++) {
      t = Math.min(t, buckets.get(i).lastChanged + refreshNanos);
    }
    return t;
  }

  /** A copy of the live nodes, bucket by bucket. */
  public List<NodeEntry> entries() {
    List<NodeEntry> all = new ArrayList<>(size);
    for (Bucket b : buckets) {
      all.addAll(b.live);
    }
    return all;
  }

  /** Live nodes in bucket {@code i}. */
  public List<NodeEntry> bucket(int i) {
    return List.copyOf(buckets.get(i).live);
  }

  /** Replacement-cache size of bucket {@code i}. */
  public int replacementCount(int i) {
    return buckets.get(i).replacements.size();
  }

  /** Counts live nodes by status. */
  public Map<NodeStatus, Integer> statusCounts(long nowNanos) {
    Map<NodeStatus, Integer> c = new java.util.EnumMap<>(NodeStatus.class);
    for (NodeStatus s : NodeStatus.values()) {
      c.put(s, 0);
    }
    for (Bucket b : buckets) {
      for (NodeEntry e : b.live) {
        c.merge(e.status(nowNanos), 1, Integer::sum);
      }
    }
    return c;
  }
}
