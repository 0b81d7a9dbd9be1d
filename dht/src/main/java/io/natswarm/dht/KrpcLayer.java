package io.natswarm.dht;

import io.natswarm.datagram.Transmit;
import io.natswarm.dht.krpc.KrpcMessage;
import io.natswarm.dht.krpc.KrpcMethod;
import io.natswarm.dht.krpc.KrpcWriter;
import io.natswarm.dht.routing.NodeEntry;
import io.natswarm.dht.routing.NodeId;
import io.natswarm.dht.routing.RoutingTable;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;

/**
 * The RPC layer of one {@link DhtNode} (BEP 5, "KRPC Protocol"): writes queries into the outbound
 * queue and registers their calls in the {@link RpcTable} (transaction ids, adaptive timeouts),
 * queues replies, hands datagrams to the host, and runs the discovery pings that fill the routing
 * table. Lookups and the query responder see it only as an {@link RpcLayer}. Owned by the DHT
 * node's thread.
 */
final class KrpcLayer implements RpcLayer {
  /** Discovery pings in flight at most. */
  private static final int MAX_DISCOVERY_PINGS = 8;

  /** Datagrams that may wait to be sent. */
  private static final int QUEUE_LIMIT = 4096;

  /** Lookup queries are refused above this many waiting datagrams, leaving room for replies. */
  private static final int LOOKUP_QUEUE_LIMIT = 4000;

  private NodeId selfId;
  private byte[] selfIdBytes;
  private final boolean ipv6;
  private final boolean readOnly;
  private RoutingTable table;
  private InetSocketAddress ownExternal;
  private final RpcTable calls;
  private final Counters counters;
  private final OutboundQueue outbound = new OutboundQueue(QUEUE_LIMIT);
  private final RpcCall.Listener maintenance = new Maintenance();
  private final RpcCall.Listener discovery = new Discovery();
  private int discoveryPings;

  KrpcLayer(NodeId selfId, DhtConfig config, RoutingTable table, Counters counters, Random random) {
    this.selfId = selfId;
    this.selfIdBytes = selfId.toBytes();
    this.ipv6 = config.ipv6();
    this.readOnly = config.readOnly();
    this.table = table;
    this.counters = counters;
    this.calls =
        new RpcTable(
            new RttEstimator(config.minTimeout().toNanos(), config.queryTimeout().toNanos()),
            config.queryTimeout().toNanos(),
            random);
  }

  // ------------------------------------------------------------------ RpcLayer

  /** Our id changed (BEP 42, a new external address): {@code table} is built around it. */
  void rehome(NodeId id, RoutingTable newTable) {
    this.selfId = id;
    this.selfIdBytes = id.toBytes();
    this.table = newTable;
  }

  @Override
  public NodeId selfId() {
    return selfId;
  }

  @Override
  public byte[] selfIdBytes() {
    return selfIdBytes;
  }

  @Override
  public boolean ipv6() {
    return ipv6;
  }

  @Override
  public boolean acceptable(InetSocketAddress a) {
    return a.getPort() != 0
        && a.getAddress() != null
        && (a.getAddress() instanceof Inet6Address) == ipv6
        && !a.equals(ownExternal);
  }

  /**
   * Our own address as the votes say others see it: never a node to contact (after a new BEP 42 id,
   * other tables still name us under the old one there; sending to it would hairpin through our own
   * NAT).
   */
  void ownExternal(InetSocketAddress address) {
    this.ownExternal = address;
  }

  @Override
  public int closestNodes(NodeId target, NodeEntry[] out, int n, long now) {
    return table.closest(target, out, n, now);
  }

  @Override
  public RpcCall sendQuery(
      KrpcMethod method,
      InetSocketAddress to,
      NodeId expectedId,
      byte[] target,
      RpcCall.Listener listener,
      Object context,
      long now) {
    if (outbound.size() >= LOOKUP_QUEUE_LIMIT) {
      counters.outboundDropped++;
      return null;
    }
    RpcCall call = calls.start(method, to, expectedId, nodeRtt(expectedId), listener, context, now);
    ByteBuffer out = outbound.begin();
    KrpcWriter.beginQuery(out, selfIdBytes);
    if (method == KrpcMethod.GET_PEERS) {
      KrpcWriter.infoHash(out, target);
    } else {
      KrpcWriter.target(out, target);
    }
    KrpcWriter.endQuery(out, method, readOnly, call.tx);
    commitQuery(to);
    return call;
  }

  @Override
  public void sendAnnounce(
      InetSocketAddress to, NodeId id, byte[] infoHash, byte[] token, int peerPort, long now) {
    RpcCall call =
        calls.start(KrpcMethod.ANNOUNCE_PEER, to, id, nodeRtt(id), maintenance, null, now);
    ByteBuffer out = outbound.begin();
    KrpcWriter.beginQuery(out, selfIdBytes);
    if (peerPort == 0) {
      KrpcWriter.impliedPort(out);
    }
    KrpcWriter.infoHash(out, infoHash);
    KrpcWriter.port(out, peerPort == 0 ? 1 : peerPort);
    KrpcWriter.token(out, token, 0, token.length);
    KrpcWriter.endQuery(out, KrpcMethod.ANNOUNCE_PEER, readOnly, call.tx);
    commitQuery(to);
  }

  @Override
  public void discovered(NodeId id, InetSocketAddress address, long now) {
    if (discoveryPings < MAX_DISCOVERY_PINGS && !readOnly && table.hasRoomFor(id, address)) {
      discoveryPings++;
      sendPing(address, id, discovery, now);
    }
  }

  @Override
  public ByteBuffer beginReply() {
    return outbound.begin();
  }

  @Override
  public void sendReply(InetSocketAddress to) {
    if (!outbound.commit(to)) {
      counters.outboundDropped++;
    }
  }

  // ------------------------------------------------------------------ for the node

  /** Pings {@code to} ({@code id} null when unknown); if it answers it may enter the table. */
  void ping(InetSocketAddress to, NodeId id, long now) {
    sendPing(to, id, maintenance, now);
  }

  /** Pings a node that just entered our table, to learn that it answers; a few at a time. */
  void confirm(NodeId id, InetSocketAddress address, long now) {
    if (discoveryPings < MAX_DISCOVERY_PINGS) {
      discoveryPings++;
      sendPing(address, id, discovery, now);
    }
  }

  /** The call answered by transaction {@code tx} from {@code from} (now removed), or null. */
  RpcCall match(int tx, InetSocketAddress from) {
    return calls.match(tx, from);
  }

  /** A measured round trip, for the adaptive timeouts. */
  void sampleRtt(long rttNanos) {
    calls.sample(rttNanos);
  }

  /** Calls past a deadline, moved to STALLED or TIMED_OUT (a reused list). */
  List<RpcCall> expire(long now) {
    return calls.expire(now);
  }

  long nextDeadline() {
    return calls.nextDeadline();
  }

  int inFlight() {
    return calls.inFlight();
  }

  /**
   * Writes the next queued datagram into {@code out} from position 0, sets its destination and
   * returns true; false when nothing waits.
   */
  boolean poll(Transmit out) {
    ByteBuffer b = out.buffer();
    b.clear();
    InetSocketAddress to = outbound.poll(b);
    if (to == null) {
      return false;
    }
    out.setDestination(to);
    counters.datagramsOut++;
    return true;
  }

  private void sendPing(InetSocketAddress to, NodeId id, RpcCall.Listener listener, long now) {
    RpcCall call = calls.start(KrpcMethod.PING, to, id, nodeRtt(id), listener, null, now);
    ByteBuffer out = outbound.begin();
    KrpcWriter.beginQuery(out, selfIdBytes);
    KrpcWriter.endQuery(out, KrpcMethod.PING, readOnly, call.tx);
    commitQuery(to);
  }

  private void commitQuery(InetSocketAddress to) {
    if (outbound.commit(to)) {
      counters.queriesOut++;
    } else {
      counters.outboundDropped++;
    }
  }

  private long nodeRtt(NodeId id) {
    if (id == null) {
      return -1;
    }
    NodeEntry e = table.find(id);
    return e == null ? -1 : e.rttNanos();
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

  /** Pings and announces: the table is updated by the node's dispatch; nothing else to do. */
  private static final class Maintenance implements RpcCall.Listener {
    @Override
    public void onResponse(RpcCall call, KrpcMessage m, long nowNanos) {}

    @Override
    public void onStall(RpcCall call, long nowNanos) {}

    @Override
    public void onFailure(RpcCall call, long nowNanos) {}
  }
}
