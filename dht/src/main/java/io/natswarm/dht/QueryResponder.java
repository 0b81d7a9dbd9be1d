package io.natswarm.dht;

import io.natswarm.datagram.Deadlines;
import io.natswarm.dht.krpc.KrpcMessage;
import io.natswarm.dht.krpc.KrpcMethod;
import io.natswarm.dht.krpc.KrpcWriter;
import io.natswarm.dht.routing.NodeEntry;
import io.natswarm.dht.routing.NodeId;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

/**
 * Answers incoming KRPC queries (BEP 5 ping, find_node, get_peers, announce_peer; BEP 51
 * sample_infohashes; unknown methods with a target or info_hash as find_node) into the outbound
 * queue. Every reply echoes the requester's address as BEP 42 {@code ip}, and its size is bounded
 * by the query's size times the amplification factor (no amplification attacks). An announce with a
 * valid token is the one proof of a source address we get, so it is here that the {@link
 * SourceGuard} hears of announces that may earn a ban. Works through the {@link RpcLayer} (routing
 * table view, replies), the {@link TokenSecrets} and the {@link PeerStore}, never the node itself.
 * Owned by the DHT node's thread.
 */
final class QueryResponder {
  static final byte[] MSG_PROTOCOL = "Protocol Error".getBytes(StandardCharsets.US_ASCII);
  static final byte[] MSG_BAD_TOKEN = "Bad token".getBytes(StandardCharsets.US_ASCII);
  static final byte[] MSG_BAD_PORT = "Invalid port".getBytes(StandardCharsets.US_ASCII);
  static final int MIN_REPLY = 512;
  static final int MAX_REPLY = 1400;
  static final int SAMPLE_INTERVAL_SECONDS = 6 * 3600;

  private final RpcLayer rpc;
  private final Counters counters;
  private final TokenSecrets tokens;
  private final PeerStore peers;
  private final SourceGuard guard;
  private final DhtTracer tracer;
  private final Random random;
  private final int k;
  private final int maxValues;
  private final int amplification;
  private final NodeEntry[] closest;
  private final byte[] token = new byte[TokenSecrets.LENGTH];
  private final byte[] compactPeer = new byte[18];

  QueryResponder(
      RpcLayer rpc,
      Counters counters,
      TokenSecrets tokens,
      PeerStore peers,
      SourceGuard guard,
      DhtConfig config,
      Random random) {
    this.rpc = rpc;
    this.counters = counters;
    this.tokens = tokens;
    this.peers = peers;
    this.guard = guard;
    this.tracer = config.tracer();
    this.random = random;
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
        if (msg.method() == KrpcMethod.UNKNOWN) {
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
    int len = rpc.ipv6() ? 18 : 6;
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
    InetAddress ip = from.getAddress();
    if (!tokens.isValid(ip, buf, msg.tokenOff(), msg.tokenLen())) {
      counters.badTokens++;
      tracer.badToken(from);
      error(msg, from, 203, MSG_BAD_TOKEN);
      return;
    }
    long bannedUntil = guard.provenAnnounce(ip, now);
    if (bannedUntil != Deadlines.NONE) {
      counters.bans++;
      tracer.sourceBanned(ip, bannedUntil, "more valid-token announces than allowed");
      return; // not stored, not answered; the source's next datagrams are dropped
    }
    int port = msg.impliedPort() ? from.getPort() : msg.port();
    if (port <= 0) {
      counters.selfOrPortZero++;
      error(msg, from, 203, MSG_BAD_PORT);
      return;
    }
    byte[] address = ip.getAddress(); // 4 or 16 bytes
    int len = address.length + 2;
    System.arraycopy(address, 0, compactPeer, 0, address.length);
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
    List<NodeId> sample = peers.sample(Math.min(room, 50), random);
    KrpcWriter.samplesHeader(out, sample.size());
    for (NodeId id : sample) {
      id.write(out);
    }
    end(out, msg, from);
  }

  private ByteBuffer begin(InetSocketAddress from) {
    ByteBuffer out = rpc.beginReply();
    KrpcWriter.beginResponse(out, from, rpc.selfIdBytes());
    return out;
  }

  private void writeNodes(ByteBuffer out, NodeId target, long now) {
    int n = rpc.closestNodes(target, closest, k, now);
    if (rpc.ipv6()) {
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
    rpc.sendReply(from);
  }

  /** A complete error reply to the query in {@code msg}. */
  void error(KrpcMessage msg, InetSocketAddress from, int code, byte[] text) {
    ByteBuffer out = rpc.beginReply();
    KrpcWriter.error(out, code, text, from, msg.buf(), msg.txOff(), msg.txLen());
    counters.errorsOut++;
    rpc.sendReply(from);
  }
}
