package io.natswarm.dht;

import io.natswarm.datagram.DatagramCore;
import io.natswarm.datagram.Deadlines;
import io.natswarm.datagram.RecentDestinations;
import io.natswarm.datagram.Transmit;
import io.natswarm.dht.krpc.KrpcError;
import io.natswarm.dht.krpc.KrpcKind;
import io.natswarm.dht.krpc.KrpcMessage;
import io.natswarm.dht.krpc.KrpcMethod;
import io.natswarm.dht.krpc.KrpcParser;
import io.natswarm.dht.routing.Bep42;
import io.natswarm.dht.routing.NodeEntry;
import io.natswarm.dht.routing.NodeId;
import io.natswarm.dht.routing.RoutingTable;
import io.natswarm.dht.routing.RoutingTableStore;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * A mainline DHT node (BEP 5, with BEP 32 IPv6, BEP 42 secure ids, BEP 43 read-only mode and BEP 51
 * sample_infohashes answered) as a sans-IO {@link DatagramCore}: datagrams and the time come in
 * ({@link #handleDatagram}, {@link #handleTimeout}), datagrams and the next deadline go out ({@link
 * #pollTransmit}, {@link #pollTimeout}). It reads no clock, opens no socket, touches no file and
 * does not sleep; the real {@code UdpEndpoint} or netsim hosts it, alone or in a {@code
 * Demultiplexer} under {@code DatagramKind.KRPC}.
 *
 * <p>One node serves one address family ({@link DhtConfig#ipv6()}, IPv4 by default) and declines
 * datagrams of the other ({@link #handleDatagram} returns false without counting them), so an IPv4
 * and an IPv6 node (BEP 32) share one dual-stack socket and each sees only its own family.
 *
 * <p>Parts, each behind narrow methods: the {@link KrpcLayer} (sending, calls, discovery pings),
 * the {@link QueryResponder}, the {@link Lookup}s, the {@link TokenSecrets}, the {@link PeerStore},
 * the {@link SourceGuard} (rate limit and ban policy) and the {@link RoutingTable}. The node
 * dispatches datagrams and timers among them and offers the API. Events go to the {@link DhtTracer}
 * of its settings; counters leave as {@link DhtCounters} snapshots.
 *
 * <p>Thread: owned by the thread that drives it (the UDP socket's event loop); every method, the
 * API ones included, must be called on it (other threads hand work over through the loop's queue).
 * Lookup callbacks run on that thread.
 */
public final class DhtNode implements DatagramCore {
  private static final long PEER_EXPIRY_PERIOD = 60_000_000_000L;
  private static final int MAX_INPUT = 8192;
  private static final long BOOTSTRAP_RETRY_MIN = 5_000_000_000L;
  private static final long BOOTSTRAP_RETRY_MAX = 300_000_000_000L;
  private static final long REFRESH_NANOS = 15L * 60 * 1_000_000_000L;
  private static final int MAX_SOURCES = 20_000;

  private final DhtConfig config;
  private final DhtPort port;
  private final DhtTracer tracer;
  private final Random random;
  private volatile NodeId selfId; // read by other threads through DhtService.selfId()
  private RoutingTable table;
  private final Counters counters = new Counters();
  private final KrpcLayer rpc;
  private final TokenSecrets tokens;
  private final PeerStore peers;
  private final SourceGuard guard;
  private final QueryResponder responder;
  private final AddressVotes votes = new AddressVotes(3, 64);
  private RecentDestinations contacted = new RecentDestinations();
  private final KrpcParser parser = new KrpcParser();
  private final KrpcMessage msg = new KrpcMessage();
  private final byte[] rx = new byte[MAX_INPUT];
  private final List<Lookup> lookups = new ArrayList<>();
  private final List<InetSocketAddress> savedNodes = new ArrayList<>();
  private boolean lookupsFinished;
  private long nextPeerExpiry;
  private long bootstrapRetryAt = Deadlines.NONE;
  private long bootstrapBackoff = BOOTSTRAP_RETRY_MIN;

  public DhtNode(DhtConfig config, DhtPort port, long nowNanos) {
    this.config = config;
    this.port = port;
    this.tracer = config.tracer();
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
    this.table = newTable(selfId, nowNanos);
    this.rpc = new KrpcLayer(selfId, config, table, counters, random);
    this.tokens =
        new TokenSecrets(config.tokenRotation().toNanos(), config.secretSource(), nowNanos);
    this.peers = new PeerStore(10_000, 200, config.peerTtl().toNanos());
    this.guard =
        new SourceGuard(
            config.queriesPerSecond(),
            config.queryBurst(),
            config.maxAnnouncesPerSource(),
            MAX_SOURCES);
    this.responder = new QueryResponder(rpc, counters, tokens, peers, guard, config, random);
    this.nextPeerExpiry = nowNanos + PEER_EXPIRY_PERIOD;
  }

  private RoutingTable newTable(NodeId self, long nowNanos) {
    return new RoutingTable(
        self,
        config.k(),
        config.maxPerSubnet(),
        config.uniqueIps(),
        config.enforceBep42(),
        REFRESH_NANOS,
        config.extendedBuckets(),
        nowNanos);
  }

  // ------------------------------------------------------------------ DatagramCore

  /**
   * A datagram arrived from {@code from}; {@code packet} is read from position to limit. Returns
   * false, counting nothing, for a source of the other address family (the other family's node
   * takes it); true for everything else, malformed datagrams included (counted and traced).
   */
  @Override
  public boolean handleDatagram(ByteBuffer packet, InetSocketAddress from, long nowNanos) {
    InetAddress ip = from.getAddress();
    if (ip == null || (ip instanceof Inet6Address) != config.ipv6()) {
      return false;
    }
    counters.datagramsIn++;
    if (from.getPort() == 0) {
      counters.selfOrPortZero++;
      return true;
    }
    if (guard.isBanned(ip, nowNanos)) {
      counters.bannedDrops++;
      tracer.bannedDropped(from);
      return true;
    }
    int len = packet.remaining();
    if (len > MAX_INPUT) {
      malformed(from, len, KrpcError.BENCODE);
      return true;
    }
    packet.get(packet.position(), rx, 0, len);
    KrpcError err = parser.parse(rx, 0, len, msg);
    if (err == KrpcError.NONE) {
      if (msg.kind() == KrpcKind.QUERY) {
        onQuery(from, len, nowNanos);
      } else {
        onReply(from, nowNanos);
      }
    } else {
      malformed(from, len, err);
      if (err.hasTransaction()) {
        onMalformedWithTransaction(err, from, nowNanos);
      }
    }
    afterEvent(nowNanos);
    return true;
  }

  /** Writes the next datagram into {@code out} from position 0 and sets its destination. */
  @Override
  public boolean pollTransmit(Transmit out, long nowNanos) {
    if (!rpc.poll(out)) {
      return false;
    }
    contacted.sentTo(out.destination().getAddress(), nowNanos);
    return true;
  }

  /** The next deadline in nanoseconds, or {@link Deadlines#NONE}. */
  @Override
  public long pollTimeout() {
    long t = Deadlines.earliest(rpc.nextDeadline(), tokens.nextRotation());
    t = Deadlines.earliest(t, nextPeerExpiry);
    if (table.size() > 0 && !config.readOnly()) {
      t = Deadlines.earliest(t, table.nextRefresh());
    }
    for (int i = 0; i < lookups.size(); i++) {
      Lookup l = lookups.get(i);
      if (!l.isDone()) {
        t = Deadlines.earliest(t, l.deadline);
      }
    }
    return Deadlines.earliest(t, bootstrapRetryAt);
  }

  /**
   * Judges whether a query came in unasked by {@code socketWide}, the destinations of every core on
   * the node's socket (its {@code Demultiplexer}'s): a µTP connection to a peer also lets that
   * peer's DHT queries through a NAT. Without it, the node knows only its own sends. Call on the
   * node's thread.
   */
  public void judgeUnsolicitedBy(RecentDestinations socketWide) {
    this.contacted = java.util.Objects.requireNonNull(socketWide);
  }

  /** The clock reached {@link #pollTimeout()} (calling it early or late is harmless). */
  @Override
  public void handleTimeout(long nowNanos) {
    List<RpcCall> fired = rpc.expire(nowNanos);
    for (int i = 0; i < fired.size(); i++) {
      RpcCall c = fired.get(i);
      if (c.state() == RpcState.STALLED) {
        counters.stalls++;
        tracer.rpcStalled(c.method, c.address, nowNanos - c.sentAt);
        c.listener.onStall(c, nowNanos);
      } else {
        counters.timeouts++;
        tracer.rpcTimedOut(c.method, c.address);
        if (c.expectedId != null) {
          table.failed(c.expectedId, nowNanos);
        }
        c.listener.onFailure(c, nowNanos);
      }
    }
    tokens.maybeRotate(nowNanos);
    if (Deadlines.isDue(nextPeerExpiry, nowNanos)) {
      peers.expire(nowNanos);
      nextPeerExpiry = nowNanos + PEER_EXPIRY_PERIOD;
    }
    // finished lookups stay in the list until afterEvent, so indexes do not move under us
    for (int i = lookups.size() - 1; i >= 0; i--) {
      Lookup l = lookups.get(i);
      if (!l.isDone() && Deadlines.isDue(l.deadline, nowNanos)) {
        l.step(nowNanos);
      }
    }
    if (Deadlines.isDue(bootstrapRetryAt, nowNanos)) {
      bootstrapRetryAt = Deadlines.NONE;
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
      rpc.ping(e.address(), e.id(), now);
    }
    purgeFinishedLookups();
  }

  // ------------------------------------------------------------------ public API

  /**
   * Joins the DHT: a find_node lookup for our own id through the restored nodes ({@link
   * #restoreRoutingTable}), the configured bootstrap nodes and whatever the table holds. When
   * nobody answers it tries again later, backing off from 5 seconds to 5 minutes.
   */
  public void bootstrap(long nowNanos, Consumer<LookupResult> done) {
    Consumer<LookupResult> retrying =
        r -> {
          if (table.size() == 0) {
            bootstrapRetryAt = r.endedAt() + bootstrapBackoff;
            bootstrapBackoff = Math.min(BOOTSTRAP_RETRY_MAX, bootstrapBackoff * 2);
          } else {
            bootstrapBackoff = BOOTSTRAP_RETRY_MIN;
          }
          done.accept(r);
        };
    Lookup l = newLookup(selfId, Lookup.Kind.FIND_NODE, -1, nowNanos, FoundPeers.NONE, retrying);
    for (InetSocketAddress a : savedNodes) {
      l.addSeed(a, nowNanos);
    }
    for (InetSocketAddress a : config.bootstrapNodes()) {
      l.addSeed(a, nowNanos);
    }
    start(l, nowNanos);
  }

  /** A get_peers lookup for {@code infoHash}. */
  public void getPeers(NodeId infoHash, long nowNanos, Consumer<LookupResult> done) {
    getPeers(infoHash, nowNanos, FoundPeers.NONE, done);
  }

  /**
   * A get_peers lookup for {@code infoHash} whose peers also go to {@code found} as each answer
   * brings them, before {@code done} hears the result.
   */
  public void getPeers(
      NodeId infoHash, long nowNanos, FoundPeers found, Consumer<LookupResult> done) {
    start(newLookup(infoHash, Lookup.Kind.GET_PEERS, -1, nowNanos, found, done), nowNanos);
  }

  /**
   * A get_peers lookup, then announce_peer to the k closest nodes that gave a token. {@code
   * peerPort} 0 announces with {@code implied_port} (our UDP port as they see it).
   */
  public void announce(NodeId infoHash, int peerPort, long nowNanos, Consumer<LookupResult> done) {
    announce(infoHash, peerPort, nowNanos, FoundPeers.NONE, done);
  }

  /**
   * {@link #announce(NodeId, int, long, Consumer)} whose lookup's peers also go to {@code found} as
   * each answer brings them, before {@code done} hears the result.
   */
  public void announce(
      NodeId infoHash, int peerPort, long nowNanos, FoundPeers found, Consumer<LookupResult> done) {
    if (peerPort < 0 || peerPort > 65_535) {
      throw new IllegalArgumentException("port out of range: " + peerPort);
    }
    if (config.readOnly()) {
      throw new IllegalStateException("a read-only node (BEP 43) does not announce");
    }
    start(newLookup(infoHash, Lookup.Kind.GET_PEERS, peerPort, nowNanos, found, done), nowNanos);
  }

  /** A find_node lookup for {@code target}. */
  public void findNode(NodeId target, long nowNanos, Consumer<LookupResult> done) {
    start(newLookup(target, Lookup.Kind.FIND_NODE, -1, nowNanos, FoundPeers.NONE, done), nowNanos);
  }

  /** Pings {@code address}; if it answers it may enter the routing table. */
  public void ping(InetSocketAddress address, long nowNanos) {
    rpc.ping(address, null, nowNanos);
  }

  /**
   * The routing table (and our id) as bytes for the host to keep ({@link RoutingTableStore}
   * format); read them back with {@link #restoreRoutingTable}.
   */
  public byte[] routingTableBytes() {
    return RoutingTableStore.encode(selfId, table.entries());
  }

  /**
   * Reads bytes from {@link #routingTableBytes()}; the nodes of our family are used by the next
   * {@link #bootstrap}. Corrupt bytes are reported in the result and the node starts empty.
   */
  public RoutingTableStore.Loaded restoreRoutingTable(byte[] data) {
    RoutingTableStore.Loaded loaded = RoutingTableStore.decode(data);
    for (RoutingTableStore.SavedNode n : loaded.nodes()) {
      if (rpc.acceptable(n.address())) {
        savedNodes.add(n.address());
      }
    }
    return loaded;
  }

  public NodeId selfId() {
    return selfId;
  }

  /** Whether this node serves IPv6 rather than IPv4. */
  public boolean ipv6() {
    return config.ipv6();
  }

  /** A snapshot of the counters, taken now (call on the node's thread). */
  public DhtCounters counters() {
    return counters.snapshot();
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

  /** Lookups still running. */
  public int activeLookups() {
    int n = 0;
    for (int i = 0; i < lookups.size(); i++) {
      n += lookups.get(i).isDone() ? 0 : 1;
    }
    return n;
  }

  // ------------------------------------------------------------------ internals

  private Lookup newLookup(
      NodeId target,
      Lookup.Kind kind,
      int announcePort,
      long now,
      FoundPeers found,
      Consumer<LookupResult> done) {
    counters.lookupsStarted++;
    tracer.lookupStarted(
        target, kind == Lookup.Kind.GET_PEERS ? KrpcMethod.GET_PEERS : KrpcMethod.FIND_NODE);
    Lookup l =
        new Lookup(
            rpc,
            target,
            kind,
            config.k(),
            config.alpha(),
            announcePort,
            now,
            config.lookupTimeout().toNanos(),
            found,
            r -> lookupFinished(r, done));
    lookups.add(l);
    return l;
  }

  private void start(Lookup l, long now) {
    List<InetSocketAddress> local = new ArrayList<>();
    if (l.kind() == Lookup.Kind.GET_PEERS) {
      localPeers(l.target, local, now); // peers announced to us count too
    }
    l.start(local, now);
    purgeFinishedLookups();
  }

  private void purgeFinishedLookups() {
    if (lookupsFinished) {
      lookupsFinished = false;
      lookups.removeIf(Lookup::isDone);
    }
  }

  private void lookupFinished(LookupResult r, Consumer<LookupResult> done) {
    counters.lookupsDone++;
    lookupsFinished = true;
    tracer.lookupFinished(r);
    done.accept(r);
  }

  private void localPeers(NodeId infoHash, List<InetSocketAddress> out, long now) {
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

  private void malformed(InetSocketAddress from, int len, KrpcError err) {
    counters.badDatagrams++;
    tracer.malformed(from, len, err);
  }

  /** A malformed message whose transaction id we could read: answer a query, fail a call. */
  private void onMalformedWithTransaction(KrpcError err, InetSocketAddress from, long now) {
    if (msg.kind() == KrpcKind.QUERY) {
      if (config.readOnly()) {
        return;
      }
      if (!guard.allowQuery(from.getAddress(), now)) {
        counters.rateLimited++;
        tracer.queryRateLimited(from);
        return;
      }
      if (err == KrpcError.UNKNOWN_METHOD) {
        counters.unknownMethods++;
      }
      responder.error(msg, from, 203, QueryResponder.MSG_PROTOCOL);
    } else {
      RpcCall call = rpc.match(msg.txAsInt(), from);
      if (call != null) {
        fail(call, now);
      }
    }
  }

  private void fail(RpcCall call, long now) {
    call.transition(RpcState.ERROR);
    tracer.rpcFailed(call.method, call.address);
    call.listener.onFailure(call, now);
  }

  private void onQuery(InetSocketAddress from, int len, long now) {
    counters.queriesIn++;
    if (contacted.unsolicited(from.getAddress(), now)) {
      counters.unsolicitedQueries++;
    }
    if (selfId.matches(rx, msg.idOff())) {
      counters.selfOrPortZero++;
      return;
    }
    if (config.readOnly()) {
      return; // BEP 43: a read-only node answers no queries
    }
    if (!guard.allowQuery(from.getAddress(), now)) {
      counters.rateLimited++;
      tracer.queryRateLimited(from);
      return;
    }
    responder.answer(msg, from, len, now);
    if (!msg.readOnly()) {
      NodeId id = NodeId.of(rx, msg.idOff());
      if (table.heard(id, from, false, -1, now) == RoutingTable.Outcome.INSERTED) {
        rpc.confirm(id, from, now); // a ping to learn that it answers, making it good
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
      fail(call, now);
      return;
    }
    counters.responsesIn++;
    if (selfId.matches(rx, msg.idOff())) {
      counters.selfOrPortZero++;
      fail(call, now);
      return;
    }
    long rtt = now - call.sentAt;
    call.transition(RpcState.RESPONDED);
    rpc.sampleRtt(rtt);
    if (call.expectedId == null || call.expectedId.matches(rx, msg.idOff())) {
      table.heard(NodeId.of(rx, msg.idOff()), from, true, rtt, now);
    }
    if (msg.ipOff() >= 0) {
      vote(from, now);
    }
    call.listener.onResponse(call, msg, now);
  }

  private void vote(InetSocketAddress from, long now) {
    InetSocketAddress seen = RoutingTableStore.compactAddress(rx, msg.ipOff(), msg.ipLen() - 2);
    if (seen == null) {
      return;
    }
    InetSocketAddress changed = votes.vote(from.getAddress(), seen);
    if (changed != null) {
      rpc.ownExternal(changed);
      port.externalAddressVoted(changed.getAddress(), changed.getPort(), votes.leaderVotes());
      rederiveId(changed.getAddress(), now);
    }
  }

  /**
   * BEP 42: once the votes settle on an external address our id is not valid for, take a new id
   * derived from it (unless the id was configured, or the address is exempt), move every node to a
   * table built around the new id, and look our new neighbourhood up, so that nodes that enforce
   * BEP 42 keep us in their tables. What libtorrent does in {@code node::update_node_id}.
   */
  private void rederiveId(InetAddress external, long now) {
    if (config.nodeId().isPresent()
        || Bep42.isExempt(external)
        || Bep42.isValid(selfId, external)) {
      return;
    }
    NodeId old = selfId;
    NodeId id = Bep42.generate(external, random.nextInt(256), random);
    RoutingTable moved = newTable(id, now);
    for (NodeEntry e : table.entries()) {
      moved.heard(e.id(), e.address(), e.everResponded(), e.rttNanos(), now);
    }
    selfId = id;
    table = moved;
    rpc.rehome(id, moved);
    counters.nodeIdChanges++;
    tracer.nodeIdChanged(old, id, external);
    start(newLookup(id, Lookup.Kind.FIND_NODE, -1, now, FoundPeers.NONE, r -> {}), now);
  }
}
