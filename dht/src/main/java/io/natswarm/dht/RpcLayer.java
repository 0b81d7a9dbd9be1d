package io.natswarm.dht;

import io.natswarm.dht.krpc.KrpcMethod;
import io.natswarm.dht.routing.NodeEntry;
import io.natswarm.dht.routing.NodeId;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * What a {@link Lookup} and the {@link QueryResponder} may ask of the node they work for: who we
 * are, a read-only view of the routing table, sending a query (which registers its call) or a
 * reply. The node's token service ({@link TokenSecrets}) and peer store are handed to the responder
 * on their own. Implemented by {@link KrpcLayer}; owned by the DHT node's thread.
 */
interface RpcLayer {
  NodeId selfId();

  /** Our id as the 20 bytes every message carries. Do not modify. */
  byte[] selfIdBytes();

  /** Whether we serve IPv6 (BEP 32: {@code nodes6}, 18-byte peers) rather than IPv4. */
  boolean ipv6();

  /** Whether {@code a} is of our address family and has a real port. */
  boolean acceptable(InetSocketAddress a);

  /**
   * Fills {@code out} with up to {@code n} live, non-bad nodes of our table closest to {@code
   * target}, closest first, and returns how many.
   */
  int closestNodes(NodeId target, NodeEntry[] out, int n, long now);

  /**
   * Sends a find_node or get_peers query for {@code target} and registers its call; returns null
   * (and counts the drop) when the outbound queue is too full to take it.
   */
  RpcCall sendQuery(
      KrpcMethod method,
      InetSocketAddress to,
      NodeId expectedId,
      byte[] target,
      RpcCall.Listener listener,
      Object context,
      long now);

  /** Sends announce_peer with {@code token}; {@code peerPort} 0 announces with implied_port. */
  void sendAnnounce(
      InetSocketAddress to, NodeId id, byte[] infoHash, byte[] token, int peerPort, long now);

  /**
   * A node we learned of second hand (a {@code nodes} entry): the RPC layer pings it if it would
   * get a free slot in our table, a few at a time.
   */
  void discovered(NodeId id, InetSocketAddress address, long now);

  /** A cleared buffer for the next reply; finish it with {@link #sendReply}. */
  ByteBuffer beginReply();

  /** Queues the reply written into the buffer of {@link #beginReply} for {@code to}. */
  void sendReply(InetSocketAddress to);
}
