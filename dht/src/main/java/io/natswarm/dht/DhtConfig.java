package io.natswarm.dht;

import io.natswarm.dht.routing.NodeId;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Settings of one {@link DhtNode}. Build with {@link #builder()}; every setting has a default fit
 * for a real node on the internet, and {@link Builder#build()} fails fast naming a bad setting.
 *
 * @param ipv6 the address family the node serves: false (the default) for IPv4, true for IPv6 (BEP
 *     32: {@code nodes6}, 18-byte values). One node per family, as in libtorrent: a node declines
 *     datagrams of the other family, so an IPv4 and an IPv6 node can share one dual-stack socket
 * @param nodeId a fixed id, or empty for a random (or BEP 42, with {@code externalAddress}) one
 * @param externalAddress our external address when known, to derive a BEP 42 id
 * @param k bucket size and lookup result size
 * @param alpha parallel requests per lookup; 8 by default: on a 10,000-node simulated network with
 *     5 % loss ({@code bench/run dht-lookup}) alpha 3 took a median 5.7 round trips and a p95 of
 *     9.2 with 17 queries a lookup, alpha 8 a median 4.3 and a p95 of 6.9 with 28 queries (before
 *     stragglers stopped holding slots: see {@code Lookup})
 * @param readOnly BEP 43: send {@code ro=1}, answer no queries
 * @param enforceBep42 reject routing-table entries whose id does not match their address
 * @param maxPerSubnet most nodes of one /24 or /64 per bucket (0: no limit)
 * @param uniqueIps at most one node per IP address in the routing table (turn off on loopback)
 * @param extendedBuckets larger far buckets (8k, 4k, 2k nodes in buckets 0-2) for shorter lookups
 * @param minTimeout lower bound of the adaptive (stall) timeout of a query
 * @param queryTimeout hard timeout after which a query has failed
 * @param lookupTimeout a lookup ends with what it has after this long
 * @param queriesPerSecond per-source-IP query rate (token bucket); 0 disables the limit
 * @param queryBurst token bucket depth
 * @param maxAnnouncesPerSource valid-token announces one source address may send within five
 *     minutes before it is banned (the only ban: see {@link SourceGuard}); 0 for no bans
 * @param maxValues most peers in one {@code values} list
 * @param amplification a reply is at most this many times the size of its query (and at least 512,
 *     at most 1400 bytes)
 * @param peerTtl how long an announced peer is kept
 * @param tokenRotation how often the token secret rotates; tokens stay valid for two rotations
 * @param bootstrapNodes nodes to bootstrap from (tests always pass their own)
 * @param seed seed of the node's repeatable random numbers (node id, transaction ids, refresh
 *     targets); never of its secrets
 * @param secretSource where the token secrets come from ({@link SecretSource#SECURE_RANDOM})
 * @param tracer hears of the node's events ({@link DhtTracer#NOOP})
 */
public record DhtConfig(
    boolean ipv6,
    Optional<NodeId> nodeId,
    Optional<InetAddress> externalAddress,
    int k,
    int alpha,
    boolean readOnly,
    boolean enforceBep42,
    int maxPerSubnet,
    boolean uniqueIps,
    boolean extendedBuckets,
    Duration minTimeout,
    Duration queryTimeout,
    Duration lookupTimeout,
    int queriesPerSecond,
    int queryBurst,
    int maxAnnouncesPerSource,
    int maxValues,
    int amplification,
    Duration peerTtl,
    Duration tokenRotation,
    List<InetSocketAddress> bootstrapNodes,
    long seed,
    SecretSource secretSource,
    DhtTracer tracer) {

  /**
   * The well-known public routers, as a default bootstrap list for real users only. Tests never use
   * them (LAB.md network rule). Resolved by the caller, never by this module.
   */
  public static final List<String> PUBLIC_ROUTERS =
      List.of(
          "router.bittorrent.com:6881", "dht.transmissionbt.com:6881", "router.utorrent.com:6881");

  public DhtConfig {
    nodeId = nodeId == null ? Optional.empty() : nodeId;
    externalAddress = externalAddress == null ? Optional.empty() : externalAddress;
    bootstrapNodes = List.copyOf(bootstrapNodes);
    secretSource = secretSource == null ? SecretSource.SECURE_RANDOM : secretSource;
    tracer = tracer == null ? DhtTracer.NOOP : tracer;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding these settings, to change some of them. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.ipv6 = ipv6;
    b.nodeId = nodeId;
    b.externalAddress = externalAddress;
    b.k = k;
    b.alpha = alpha;
    b.readOnly = readOnly;
    b.enforceBep42 = enforceBep42;
    b.maxPerSubnet = maxPerSubnet;
    b.uniqueIps = uniqueIps;
    b.extendedBuckets = extendedBuckets;
    b.minTimeout = minTimeout;
    b.queryTimeout = queryTimeout;
    b.lookupTimeout = lookupTimeout;
    b.queriesPerSecond = queriesPerSecond;
    b.queryBurst = queryBurst;
    b.maxAnnouncesPerSource = maxAnnouncesPerSource;
    b.maxValues = maxValues;
    b.amplification = amplification;
    b.peerTtl = peerTtl;
    b.tokenRotation = tokenRotation;
    b.bootstrapNodes = bootstrapNodes;
    b.seed = seed;
    b.secretSource = secretSource;
    b.tracer = tracer;
    return b;
  }

  /** A builder with defaults for an internet node. */
  public static final class Builder {
    private boolean ipv6;
    private Optional<NodeId> nodeId = Optional.empty();
    private Optional<InetAddress> externalAddress = Optional.empty();
    private int k = 8;
    private int alpha = 8;
    private boolean readOnly;
    private boolean enforceBep42;
    private int maxPerSubnet = 2;
    private boolean uniqueIps = true;
    private boolean extendedBuckets = false;
    private Duration minTimeout = Duration.ofMillis(100);
    private Duration queryTimeout = Duration.ofSeconds(3);
    private Duration lookupTimeout = Duration.ofSeconds(20);
    private int queriesPerSecond = 50;
    private int queryBurst = 100;
    private int maxAnnouncesPerSource = 100;
    private int maxValues = 50;
    private int amplification = 10;
    private Duration peerTtl = Duration.ofMinutes(30);
    private Duration tokenRotation = Duration.ofMinutes(5);
    private List<InetSocketAddress> bootstrapNodes = List.of();
    private long seed = new java.security.SecureRandom().nextLong();
    private SecretSource secretSource = SecretSource.SECURE_RANDOM;
    private DhtTracer tracer = DhtTracer.NOOP;

    private Builder() {}

    public Builder ipv6(boolean v) {
      ipv6 = v;
      return this;
    }

    public Builder nodeId(NodeId v) {
      nodeId = Optional.of(v);
      return this;
    }

    public Builder externalAddress(InetAddress v) {
      externalAddress = Optional.of(v);
      return this;
    }

    public Builder k(int v) {
      k = v;
      return this;
    }

    public Builder alpha(int v) {
      alpha = v;
      return this;
    }

    public Builder readOnly(boolean v) {
      readOnly = v;
      return this;
    }

    public Builder enforceBep42(boolean v) {
      enforceBep42 = v;
      return this;
    }

    public Builder maxPerSubnet(int v) {
      maxPerSubnet = v;
      return this;
    }

    public Builder uniqueIps(boolean v) {
      uniqueIps = v;
      return this;
    }

    public Builder extendedBuckets(boolean v) {
      extendedBuckets = v;
      return this;
    }

    public Builder minTimeout(Duration v) {
      minTimeout = v;
      return this;
    }

    public Builder queryTimeout(Duration v) {
      queryTimeout = v;
      return this;
    }

    public Builder lookupTimeout(Duration v) {
      lookupTimeout = v;
      return this;
    }

    /** Per-source query rate; 0 turns the limit off (benchmarks only). */
    public Builder queriesPerSecond(int perSecond, int burst) {
      queriesPerSecond = perSecond;
      queryBurst = burst;
      return this;
    }

    /**
     * Valid-token announces one source address may send within five minutes before it is banned for
     * ten; 0 turns bans off.
     */
    public Builder maxAnnouncesPerSource(int v) {
      maxAnnouncesPerSource = v;
      return this;
    }

    public Builder maxValues(int v) {
      maxValues = v;
      return this;
    }

    public Builder amplification(int v) {
      amplification = v;
      return this;
    }

    public Builder peerTtl(Duration v) {
      peerTtl = v;
      return this;
    }

    public Builder tokenRotation(Duration v) {
      tokenRotation = v;
      return this;
    }

    public Builder bootstrapNodes(List<InetSocketAddress> v) {
      bootstrapNodes = List.copyOf(v);
      return this;
    }

    /** Seed of the repeatable random numbers (ids, transaction ids); secrets never use it. */
    public Builder seed(long v) {
      seed = v;
      return this;
    }

    /** Where token secrets come from (default {@link SecretSource#SECURE_RANDOM}). */
    public Builder secretSource(SecretSource v) {
      if (v == null) {
        throw new IllegalArgumentException("dht.secretSource must not be null");
      }
      secretSource = v;
      return this;
    }

    /** Hears of the node's events (default {@link DhtTracer#NOOP}). */
    public Builder tracer(DhtTracer v) {
      if (v == null) {
        throw new IllegalArgumentException("dht.tracer must not be null (use DhtTracer.NOOP)");
      }
      tracer = v;
      return this;
    }

    /**
     * Loopback test settings: no per-IP or per-subnet limits and no announce bans (every node is
     * 127.0.0.1 or ::1).
     */
    public Builder loopback() {
      uniqueIps = false;
      maxPerSubnet = 0;
      maxAnnouncesPerSource = 0;
      return this;
    }

    public DhtConfig build() {
      require(k >= 1 && k <= 64, "dht.k must be between 1 and 64, got " + k);
      require(alpha >= 1 && alpha <= 16, "dht.alpha must be between 1 and 16, got " + alpha);
      require(maxPerSubnet >= 0, "dht.maxPerSubnet must be 0 (off) or positive");
      require(
          !minTimeout.isNegative() && minTimeout.compareTo(queryTimeout) <= 0,
          "dht.minTimeout must be between 0 and dht.queryTimeout");
      require(queryTimeout.toMillis() >= 10, "dht.queryTimeout must be at least 10 ms");
      require(lookupTimeout.compareTo(queryTimeout) >= 0, "dht.lookupTimeout < queryTimeout");
      require(queriesPerSecond >= 0 && queryBurst >= 1, "dht.queriesPerSecond/queryBurst < 0");
      require(maxAnnouncesPerSource >= 0, "dht.maxAnnouncesPerSource must be 0 (off) or positive");
      require(maxValues >= 0 && maxValues <= 200, "dht.maxValues must be 0..200");
      require(amplification >= 1, "dht.amplification must be at least 1");
      require(!peerTtl.isNegative() && !peerTtl.isZero(), "dht.peerTtl must be positive");
      require(tokenRotation.toMillis() >= 1, "dht.tokenRotation must be positive");
      return new DhtConfig(
          ipv6,
          nodeId,
          externalAddress,
          k,
          alpha,
          readOnly,
          enforceBep42,
          maxPerSubnet,
          uniqueIps,
          extendedBuckets,
          minTimeout,
          queryTimeout,
          lookupTimeout,
          queriesPerSecond,
          queryBurst,
          maxAnnouncesPerSource,
          maxValues,
          amplification,
          peerTtl,
          tokenRotation,
          bootstrapNodes,
          seed,
          secretSource,
          tracer);
    }

    private static void require(boolean ok, String message) {
      if (!ok) {
        throw new IllegalArgumentException(message);
      }
    }
  }
}
