package io.natswarm.dht;

import io.natswarm.dht.krpc.KrpcMessage;
import io.natswarm.dht.krpc.KrpcWriter;
import io.natswarm.dht.routing.NodeEntry;
import io.natswarm.dht.routing.NodeId;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Answers incoming KRPC queries (BEP 5 ping, find_node, get_peers, announce_peer; BEP 51
 * sample_infohashes; unknown methods with a target or info_hash as find_node) into the outbound
 * queue. Every reply echoes the requester's address as BEP 42 {@code ip}, and its size is bounded
 * by the query's size times the amplification factor (no amplification attacks). Owned by the DHT
 * node's thread.
 */
final class QueryResponder {
  static final byte[] MSG_PROTOCOL = "Protocol Error".getBytes(StandardCharsets.US_ASCII);
  static final byte[] MSG_BAD_TOKEN = "Bad token".getBytes(StandardCharsets.US_ASCII);
  static final byte[] MSG_BAD_PORT = "Invalid port".getBytes(StandardCharsets.US_ASCII);
  static final int MIN_REPLY = 512;
  static final int MAX_REPLY = 1400;
  static final int SAMPLE_INTERVAL_SECONDS = 6 * 3600;

  private final DhtNode node;
  private final DhtCounters counters;
  private final TokenSecrets tokens;
  private final PeerStore peers;
  private final OutboundQueue outbound;
  private final int k;
  private final int maxValues;
  private final int amplification;
  private final NodeEntry[] closest;
  private final byte[] token = new byte[TokenSecrets.LENGTH];
  private final byte[] compactPeer = new byte[18];

  QueryResponder(
      DhtNode node,
      DhtCounters counters,
      TokenSecrets tokens,
      PeerStore peers,
      OutboundQueue outbound,
      DhtConfig config) {
    this.node = node;
    this.counters = counters;
    this.tokens = tokens;
    this.peers = peers;
    this.outbound = outbound;
    this.k = config.k();
    this.maxValues = config.maxValues();
    this.amplification = config.amplification();
    this.closest = new NodeEntry[config.k()];
  }

  /** Answers a well-formed query of {@code requestLen} bytes. */
  void answer(KrpcMessage msg, InetSocketAddress from, int requestLen, long now) {
    byte[] buf = msg.buf();
    int budget = Math.max(MIN_REPLY, Math.min(MAX_REPLY, requestLen * amplification));
    switch (msg.method()) {
      case PING -> {
        ByteBuffer out = begin(from);
        end(out, msg, from);
      }
      case FIND_NODE, UNKNOWN -> {
        if (msg.method() == io.natswarm.dht.krpc.KrpcMethod.UNKNOWN) {
          counters.unknownMethods++;
        }
        int t = msg.targetOff() >= 0 ? msg.targetOff() : msg.infoHashOff();
        ByteBuffer out = begin(from);
        writeNodes(out, NodeId.of(buf, t), now);
        end(out, msg, from);
      }
      case GET_PEERS -> getPeers(msg, from, budget, now);
      case ANNOUNCE_PEER -> announce(msg, from, now);
      case SAMPLE_INFOHASHES -> sample(msg, from, budget, now);
    }
  }

  private void getPeers(KrpcMessage msg, InetSocketAddress from, int budget, long now) {
    NodeId infoHash = NodeId.of(msg.buf(), msg.infoHashOff());
    ByteBuffer out = begin(from);
    writeNodes(out, infoHash, now);
    tokens.token(from.getAddress(), token, 0);
    KrpcWriter.token(out, token, 0, token.length);
    int len = node.ipv6() ? 18 : 6;
    int room = (budget - out.position() - 40) / (len + 3);
    int n = Math.min(Math.min(maxValues, room), peers.count(infoHash, len, now));
    if (n > 0) {
      KrpcWriter.valuesBegin(out);
      peers.forEach(infoHash, len, n, now, p -> KrpcWriter.value(out, p, 0, p.length));
      KrpcWriter.end(out);
    }
    end(out, msg, from);
  }

  private void announce(KrpcMessage msg, InetSocketAddress from, long now) {
    byte[] buf = msg.buf();
    if (!tokens.isValid(from.getAddress(), buf, msg.tokenOff(), msg.tokenLen())) {
      counters.badTokens++;
      error(msg, from, 203, MSG_BAD_TOKEN);
      return;
    }
    int port = msg.impliedPort() ? from.getPort() : msg.port();
    if (port <= 0) {
      counters.selfOrPortZero++;
      error(msg, from, 203, MSG_BAD_PORT);
      return;
    }
    int len;
    if (from.getAddress() instanceof Inet4Address) {
      int a = from.getAddress().hashCode();
      compactPeer[0] = (byte) (a >>> 24);
      compactPeer[1] = (byte) (a >>> 16);
      compactPeer[2] = (byte) (a >>> 8);
      compactPeer[3] = (byte) a;
      len = 6;
    } else {
      System.arraycopy(from.getAddress().getAddress(), 0, compactPeer, 0, 16);
      len = 18;
    }
    compactPeer[len - 2] = (byte) (port >>> 8);
    compactPeer[len - 1] = (byte) port;
    if (peers.announce(NodeId.of(buf, msg.infoHashOff()), compactPeer, 0, len, now)) {
      counters.announcesStored++;
    }
    ByteBuffer out = begin(from);
    end(out, msg, from);
  }

  private void sample(KrpcMessage msg, InetSocketAddress from, int budget, long now) {
    ByteBuffer out = begin(from);
    KrpcWriter.interval(out, SAMPLE_INTERVAL_SECONDS);
    writeNodes(out, NodeId.of(msg.buf(), msg.targetOff()), now);
    KrpcWriter.num(out, peers.torrentCount());
    int room = Math.max(0, (budget - out.position() - 40) / 20);
    List<NodeId> sample = peers.sample(Math.min(room, 50), node.random());
    KrpcWriter.samplesHeader(out, sample.size());
    for (NodeId id : sample) {
      id.write(out);
    }
    end(out, msg, from);
  }

  private ByteBuffer begin(InetSocketAddress from) {
    ByteBuffer out = outbound.begin();
    KrpcWriter.beginResponse(out, from, node.selfIdBytes());
    return out;
  }

  private void writeNodes(ByteBuffer out, NodeId target, long now) {
    int n = node.closestNodes(target, closest, k, now);
    if (node.ipv6()) {
      KrpcWriter.nodes6Header(out, n);
    } else {
      KrpcWriter.nodesHeader(out, n);
    }
    for (int i = 0; i < n; i++) {
      out.put(closest[i].compact());
      closest[i] = null;
    }
  }

  private void end(ByteBuffer out, KrpcMessage msg, InetSocketAddress from) {
    KrpcWriter.endResponse(out, msg.buf(), msg.txOff(), msg.txLen());
    node.commit(from);
  }

  /** A complete error reply to the query in {@code msg}. */
  void error(KrpcMessage msg, InetSocketAddress from, int code, byte[] text) {
    ByteBuffer out = outbound.begin();
    KrpcWriter.error(out, code, text, from, msg.buf(), msg.txOff(), msg.txLen());
    counters.errorsOut++;
    node.commit(from);
  }
}
