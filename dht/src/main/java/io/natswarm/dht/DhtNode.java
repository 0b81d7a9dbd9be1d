package io.natswarm.dht;

import io.natswarm.dht.krpc.KrpcError;
import io.natswarm.dht.krpc.KrpcKind;
import io.natswarm.dht.krpc.KrpcMessage;
import io.natswarm.dht.krpc.KrpcMethod;
import io.natswarm.dht.krpc.KrpcParser;
import io.natswarm.dht.krpc.KrpcWriter;
import io.natswarm.dht.routing.Bep42;
import io.natswarm.dht.routing.NodeEntry;
import io.natswarm.dht.routing.NodeId;
import io.natswarm.dht.routing.RoutingTable;
import io.natswarm.dht.routing.RoutingTableStore;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * A mainline DHT node (BEP 5, with BEP 32 IPv6, BEP 42 secure ids, BEP 43 read-only mode and BEP 51
 * sample_infohashes answered) as a sans-IO core: datagrams and the time come in ({@link
 * #handleDatagram}, {@link #handleTimeout}), datagrams and the next deadline go out ({@link
 * #pollTransmit}, {@link #pollTimeout}). It reads no clock, opens no socket and does not sleep; the
 * owner of the shared UDP socket (or netsim) drives it.
 *
 * <p>One node serves one address family (as libtorrent runs one DHT per socket family); a
 * dual-stack client runs two.
 *
 * <p>Thread: owned by the thread that owns the UDP socket's event loop; every method, the API ones
 * included, must be called on it (other threads hand work over through the loop's queue). Lookup
 * callbacks run on that thread.
 */
public final class DhtNode {
  private static final long PEER_EXPIRY_PERIOD = 60_000_000_000L;
  private static final int MAX_INPUT = 8192;
  private static final int MAX_DISCOVERY_PINGS = 8;
  private static final long BOOTSTRAP_RETRY_MIN = 5_000_000_000L;
  private static final long BOOTSTRAP_RETRY_MAX = 300_000_000_000L;

  private final DhtConfig config;
  private final DhtPort port;
  private final Random random;
  private final NodeId selfId;
  private final byte[] selfIdBytes;
  private final RoutingTable table;
  private final RpcTable rpc;
  private final TokenSecrets tokens;
  private final PeerStore peers;
  private final SourceGuard guard;
  private final AddressVotes votes = new AddressVotes(3, 64);
  private final OutboundQueue outbound = new OutboundQueue(4096);
  private final DhtCounters counters = new DhtCounters();
  private final KrpcParser parser = new KrpcParser();
  private final KrpcMessage msg = new KrpcMessage();
  private final QueryResponder responder;
  private final byte[] rx = new byte[MAX_INPUT];
  private final List<Lookup> lookups = new ArrayList<>();
  private final List<InetSocketAddress> savedNodes = new ArrayList<>();
  private final RpcCall.Listener maintenance = new Maintenance();
  private final RpcCall.Listener discovery = new Discovery();
  private long nextPeerExpiry;
  private int discoveryPings;
  private long bootstrapRetryAt = Long.MAX_VALUE;
  private long bootstrapBackoff = BOOTSTRAP_RETRY_MIN;

  public DhtNode(DhtConfig config, DhtPort port, long nowNanos) {
    this.config = config;
    this.port = port;
    this.random = new Random(config.seed());
    this.selfId =
        config
            .nodeId()
            .orElseGet(
                () ->
                    config
                        .externalAddress()
                        .map(a -> Bep42.generate(a, random.nextInt(256), random))
                        .orElseGet(() -> NodeId.random(random)));
    this.selfIdBytes = selfId.toBytes();
    long refresh = 15L * 60 * 1_000_000_000L;
    this.table =
        new RoutingTable(
            selfId,
            config.k(),
            config.maxPerSubnet(),
            config.uniqueIps(),
            config.enforceBep42(),
            refresh,
            config.extendedBuckets(),
            nowNanos);
    this.rpc =
        new RpcTable(
            new RttEstimator(config.minTimeout().toNanos(), config.queryTimeout().toNanos()),
            config.queryTimeout().toNanos(),
            random);
    this.tokens = new TokenSecrets(config.tokenRotation().toNanos(), random, nowNanos);
    this.peers = new PeerStore(10_000, 200, config.peerTtl().toNanos());
    this.guard = new SourceGuard(config.queriesPerSecond(), config.queryBurst(), 20_000);
    this.responder = new QueryResponder(this, counters, tokens, peers, outbound, config);
    this.nextPeerExpiry = nowNanos + PEER_EXPIRY_PERIOD;
  }

  /** Whether a datagram looks like KRPC (a bencoded dictionary), for the socket's demultiplexer. */
  public static boolean looksLikeKrpc(ByteBuffer packet) {
    int n = packet.remaining();
    return n >= 2
        && packet.get(packet.position()) == 'd'
        && packet.get(packet.position() + n - 1) == 'e';
  }

  // ------------------------------------------------------------------ sans-IO interface

  /** A datagram arrived from {@code from}; {@code packet} is read from position to limit. */
  public void handleDatagram(ByteBuffer packet, InetSocketAddress from, long nowNanos) {
    counters.datagramsIn++;
    if (guard.banned(from.getAddress(), nowNanos)) {
      counters.bannedDrops++;
      return;
    }
    if (!acceptableAddress(from)) {
      counters.selfOrPortZero++;
      return;
    }
    int len = packet.remaining();
    if (len > MAX_INPUT) {
      counters.badDatagrams++;
      guard.garbage(from.getAddress(), nowNanos);
      return;
    }
    packet.get(packet.position(), rx, 0, len);
    KrpcError err = parser.parse(rx, 0, len, msg);
    if (err != KrpcError.NONE) {
      counters.badDatagrams++;
      if (!err.hasTransaction()) {
        guard.garbage(from.getAddress(), nowNanos);
      } else if (msg.kind() == KrpcKind.QUERY) {
        if (!config.readOnly() && guard.allowQuery(from.getAddress(), nowNanos)) {
          if (err == KrpcError.UNKNOWN_METHOD) {
            counters.unknownMethods++;
          }
          responder.error(msg, from, 203, QueryResponder.MSG_PROTOCOL);
        }
      } else {
        RpcCall call = rpc.match(msg.txAsInt(), from);
        if (call != null) {
          call.transition(RpcState.ERROR);
          call.listener.onFailure(call, nowNanos);
        }
      }
      afterEvent(nowNanos);
      return;
    }
    switch (msg.kind()) {
      case QUERY -> onQuery(from, len, nowNanos);
      case RESPONSE, ERROR -> onReply(from, nowNanos);
    }
    afterEvent(nowNanos);
  }

  /**
   * Writes the next datagram into {@code out} (from its position) and returns its destination, or
   * returns null when there is nothing to send.
   */
  public InetSocketAddress pollTransmit(ByteBuffer out, long nowNanos) {
    InetSocketAddress d = outbound.poll(out);
    if (d != null) {
      counters.datagramsOut++;
    }
    return d;
  }

  /** The next deadline in nanoseconds, or {@link Long#MAX_VALUE}. */
  public long pollTimeout() {
    long t = Math.min(rpc.nextDeadline(), tokens.nextRotation());
    t = Math.min(t, nextPeerExpiry);
    if (table.size() > 0 && !config.readOnly()) {
      t = Math.min(t, table.nextRefresh());
    }
    for (int i = 0; i < lookups.size(); i++) {
      t = Math.min(t, lookups.get(i).deadline);
    }
    return Math.min(t, bootstrapRetryAt);
  }

  /** The clock reached {@link #pollTimeout()} (calling it early or late is harmless). */
  public void handleTimeout(long nowNanos) {
    List<RpcCall> fired = rpc.expire(nowNanos);
    for (int i = 0; i < fired.size(); i++) {
      RpcCall c = fired.get(i);
      if (c.state() == RpcState.STALLED) {
        counters.stalls++;
        c.listener.onStall(c, nowNanos);
      } else {
        counters.timeouts++;
        if (c.expectedId != null) {
          table.failed(c.expectedId, nowNanos);
        }
        c.listener.onFailure(c, nowNanos);
      }
    }
    tokens.maybeRotate(nowNanos);
    if (nowNanos >= nextPeerExpiry) {
      peers.expire(nowNanos);
      nextPeerExpiry = nowNanos + PEER_EXPIRY_PERIOD;
    }
    for (int i = lookups.size() - 1; i >= 0; i--) {
      if (i < lookups.size() && nowNanos >= lookups.get(i).deadline) {
        lookups.get(i).step(nowNanos);
      }
    }
    if (nowNanos >= bootstrapRetryAt) {
      bootstrapRetryAt = Long.MAX_VALUE;
      bootstrap(nowNanos, r -> {});
    }
    if (table.size() > 0) {
      for (int n = 0; n < 4; n++) {
        NodeId target = table.pollRefreshTarget(nowNanos, random);
        if (target == null) {
          break;
        }
        findNode(target, nowNanos, r -> {});
      }
    }
    afterEvent(nowNanos);
  }

  private void afterEvent(long now) {
    for (NodeEntry e; (e = table.pollPing()) != null; ) {
      sendPing(e.address(), e.id(), now);
    }
  }

  // ------------------------------------------------------------------ public API

  /**
   * Joins the DHT: a find_node lookup for our own id through the saved nodes ({@link
   * #loadRoutingTable}), the configured bootstrap nodes and whatever the table holds.
   */
  public void bootstrap(long nowNanos, Consumer<LookupResult> done) {
    Consumer<LookupResult> retrying =
        r -> {
          if (table.size() == 0) {
            // nobody answered: try again later, backing off
            bootstrapRetryAt = r.endedAt() + bootstrapBackoff;
            bootstrapBackoff = Math.min(BOOTSTRAP_RETRY_MAX, bootstrapBackoff * 2);
          } else {
            bootstrapBackoff = BOOTSTRAP_RETRY_MIN;
          }
          done.accept(r);
        };
    Lookup l = newLookup(selfId, Lookup.Kind.FIND_NODE, -1, nowNanos, retrying);
    for (InetSocketAddress a : savedNodes) {
      l.addSeed(a, nowNanos);
    }
    for (InetSocketAddress a : config.bootstrapNodes()) {
      l.addSeed(a, nowNanos);
    }
    l.start(nowNanos);
  }

  /** A get_peers lookup for {@code infoHash}. */
  public void getPeers(NodeId infoHash, long nowNanos, Consumer<LookupResult> done) {
    newLookup(infoHash, Lookup.Kind.GET_PEERS, -1, nowNanos, done).start(nowNanos);
  }

  /**
   * A get_peers lookup, then announce_peer to the k closest nodes that gave a token. {@code
   * peerPort} 0 announces with {@code implied_port} (our UDP port as they see it).
   */
  public void announce(NodeId infoHash, int peerPort, long nowNanos, Consumer<LookupResult> done) {
    if (peerPort < 0 || peerPort > 65_535) {
      throw new IllegalArgumentException("port out of range: " + peerPort);
    }
    if (config.readOnly()) {
      throw new IllegalStateException("a read-only node (BEP 43) does not announce");
    }
    newLookup(infoHash, Lookup.Kind.GET_PEERS, peerPort, nowNanos, done).start(nowNanos);
  }

  /** A find_node lookup for {@code target}. */
  public void findNode(NodeId target, long nowNanos, Consumer<LookupResult> done) {
    newLookup(target, Lookup.Kind.FIND_NODE, -1, nowNanos, done).start(nowNanos);
  }

  /** Pings {@code address}; if it answers it may enter the routing table. */
  public void ping(InetSocketAddress address, long nowNanos) {
    sendPing(address, null, nowNanos);
  }

  /** Saves the routing table (and our id) to {@code file}. */
  public void saveRoutingTable(Path file) throws IOException {
    RoutingTableStore.save(file, selfId, table.entries());
  }

  /**
   * Reads a saved routing table; its nodes are used by the next {@link #bootstrap}. A missing or
   * corrupt file is reported in the result and the node starts empty.
   */
  public RoutingTableStore.Loaded loadRoutingTable(Path file) {
    RoutingTableStore.Loaded loaded = RoutingTableStore.load(file);
    for (RoutingTableStore.SavedNode n : loaded.nodes()) {
      if (acceptableAddress(n.address())) {
        savedNodes.add(n.address());
      }
    }
    return loaded;
  }

  public NodeId selfId() {
    return selfId;
  }

  public DhtCounters counters() {
    return counters;
  }

  /** The routing table, for status and tests; do not modify. */
  public RoutingTable routingTable() {
    return table;
  }

  /** Our external address by vote, or null. */
  public InetSocketAddress externalAddress() {
    return votes.leader();
  }

  /** Queries in flight. */
  public int pendingQueries() {
    return rpc.inFlight();
  }

  public int activeLookups() {
    return lookups.size();
  }

  // ------------------------------------------------------------------ internals

  boolean ipv6() {
    return config.ipv6();
  }

  Random random() {
    return random;
  }

  byte[] selfIdBytes() {
    return selfIdBytes;
  }

  int closestNodes(NodeId target, NodeEntry[] out, int n, long now) {
    return table.closest(target, out, n, now);
  }

  /** Our family, a real port. */
  boolean acceptableAddress(InetSocketAddress a) {
    return a.getPort() != 0
        && a.getAddress() != null
        && (a.getAddress() instanceof Inet6Address) == config.ipv6();
  }

  void commit(InetSocketAddress to) {
    if (!outbound.commit(to)) {
      counters.outboundDropped++;
    }
  }

  private Lookup newLookup(
      NodeId target, Lookup.Kind kind, int announcePort, long now, Consumer<LookupResult> done) {
    counters.lookupsStarted++;
    Lookup l =
        new Lookup(
            this,
            target,
            kind,
            config.k(),
            config.alpha(),
            announcePort,
            now,
            config.lookupTimeout().toNanos(),
            done);
    lookups.add(l);
    return l;
  }

  void localPeers(NodeId infoHash, java.util.Collection<InetSocketAddress> out, long now) {
    int len = config.ipv6() ? 18 : 6;
    peers.forEach(
        infoHash,
        len,
        Integer.MAX_VALUE,
        now,
        p -> {
          InetSocketAddress a = RoutingTableStore.compactAddress(p, 0, len - 2);
          if (a != null) {
            out.add(a);
          }
        });
  }

  void lookupDone(Lookup l) {
    counters.lookupsDone++;
    lookups.remove(l);
  }

  private long nodeRtt(NodeId id) {
    if (id == null) {
      return -1;
    }
    NodeEntry e = table.find(id);
    return e == null ? -1 : e.rttNanos();
  }

  /** Sends a find_node or get_peers query for a lookup; null if it could not be queued. */
  RpcCall sendLookupQuery(
      KrpcMethod method,
      InetSocketAddress to,
      NodeId id,
      byte[] target,
      RpcCall.Listener listener,
      Object context,
      long now) {
    if (outbound.size() >= 4000) {
      counters.outboundDropped++;
      return null;
    }
    RpcCall call = rpc.start(method, to, id, nodeRtt(id), listener, context, now);
    ByteBuffer out = outbound.begin();
    KrpcWriter.beginQuery(out, selfIdBytes);
    if (method == KrpcMethod.GET_PEERS) {
      KrpcWriter.infoHash(out, target);
    } else {
      KrpcWriter.target(out, target);
    }
    KrpcWriter.endQuery(out, method, config.readOnly(), call.tx);
    commit(to);
    counters.queriesOut++;
    return call;
  }

  boolean sendAnnounce(
      InetSocketAddress to, NodeId id, byte[] infoHash, byte[] token, int peerPort, long now) {
    RpcCall call = rpc.start(KrpcMethod.ANNOUNCE_PEER, to, id, nodeRtt(id), maintenance, null, now);
    ByteBuffer out = outbound.begin();
    KrpcWriter.beginQuery(out, selfIdBytes);
    if (peerPort == 0) {
      KrpcWriter.impliedPort(out);
    }
    KrpcWriter.infoHash(out, infoHash);
    KrpcWriter.port(out, peerPort == 0 ? 1 : peerPort);
    KrpcWriter.token(out, token, 0, token.length);
    KrpcWriter.endQuery(out, KrpcMethod.ANNOUNCE_PEER, config.readOnly(), call.tx);
    commit(to);
    counters.queriesOut++;
    return true;
  }

  private void sendPing(InetSocketAddress to, NodeId id, long now) {
    sendPing(to, id, maintenance, now);
  }

  private void sendPing(InetSocketAddress to, NodeId id, RpcCall.Listener listener, long now) {
    RpcCall call = rpc.start(KrpcMethod.PING, to, id, nodeRtt(id), listener, null, now);
    ByteBuffer out = outbound.begin();
    KrpcWriter.beginQuery(out, selfIdBytes);
    KrpcWriter.endQuery(out, KrpcMethod.PING, config.readOnly(), call.tx);
    commit(to);
    counters.queriesOut++;
  }

  /**
   * A node we learned of second hand (a {@code nodes} entry): ping it if it would get a free slot
   * in our table, a few at a time, so that tables fill without waiting for refreshes.
   */
  void consider(NodeId id, InetSocketAddress address, long now) {
    if (discoveryPings < MAX_DISCOVERY_PINGS
        && !config.readOnly()
        && table.hasRoomFor(id, address)) {
      discoveryPings++;
      sendPing(address, id, discovery, now);
    }
  }

  private void onQuery(InetSocketAddress from, int len, long now) {
    counters.queriesIn++;
    if (selfId.matches(rx, msg.idOff())) {
      counters.selfOrPortZero++;
      return;
    }
    if (config.readOnly()) {
      return; // BEP 43: a read-only node answers no queries
    }
    if (!guard.allowQuery(from.getAddress(), now)) {
      counters.rateLimited++;
      return;
    }
    responder.answer(msg, from, len, now);
    if (!msg.readOnly()) {
      NodeId id = NodeId.of(rx, msg.idOff());
      if (table.heard(id, from, false, -1, now) == RoutingTable.Outcome.INSERTED
          && discoveryPings < MAX_DISCOVERY_PINGS) {
        discoveryPings++;
        sendPing(from, id, discovery, now); // confirm it answers, making it good
      }
    }
  }

  private void onReply(InetSocketAddress from, long now) {
    RpcCall call = rpc.match(msg.txAsInt(), from);
    if (call == null) {
      counters.unmatchedResponses++;
      return;
    }
    if (msg.kind() == KrpcKind.ERROR) {
      counters.errorsIn++;
      call.transition(RpcState.ERROR);
      call.listener.onFailure(call, now);
      return;
    }
    counters.responsesIn++;
    if (selfId.matches(rx, msg.idOff())) {
      counters.selfOrPortZero++;
      call.transition(RpcState.ERROR);
      call.listener.onFailure(call, now);
      return;
    }
    long rtt = now - call.sentAt;
    call.transition(RpcState.RESPONDED);
    rpc.sample(rtt);
    if (call.expectedId == null || call.expectedId.matches(rx, msg.idOff())) {
      table.heard(NodeId.of(rx, msg.idOff()), from, true, rtt, now);
    }
    if (msg.ipOff() >= 0) {
      vote(from);
    }
    call.listener.onResponse(call, msg, now);
  }

  private void vote(InetSocketAddress from) {
    InetSocketAddress seen = RoutingTableStore.compactAddress(rx, msg.ipOff(), msg.ipLen() - 2);
    if (seen == null) {
      return;
    }
    InetSocketAddress changed = votes.vote(from.getAddress(), seen);
    if (changed != null) {
      port.externalAddressVoted(changed.getAddress(), changed.getPort(), votes.leaderVotes());
    }
  }

  /** Discovery pings: count them down when they end. */
  private final class Discovery implements RpcCall.Listener {
    @Override
    public void onResponse(RpcCall call, KrpcMessage m, long nowNanos) {
      discoveryPings--;
    }

    @Override
    public void onStall(RpcCall call, long nowNanos) {}

    @Override
    public void onFailure(RpcCall call, long nowNanos) {
      discoveryPings--;
    }
  }

  /** Pings and announces: the table is updated by the dispatcher; nothing else to do. */
  private static final class Maintenance implements RpcCall.Listener {
    @Override
    public void onResponse(RpcCall call, KrpcMessage m, long nowNanos) {}

    @Override
    public void onStall(RpcCall call, long nowNanos) {}

    @Override
    public void onFailure(RpcCall call, long nowNanos) {}
  }
}
