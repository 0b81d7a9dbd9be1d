package io.natswarm.node.bt;

import bt.net.Peer;
import com.google.inject.Inject;
import io.natswarm.node.PeerFailures;
import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's judgement of peers that send bad data, keyed by endpoint (address and port), and the
 * counters of {@link PeerFailures}.
 *
 * <p>Bt 1.10 does nothing about a piece that fails its SHA-1 check (BEP 3) but clear it and log an
 * error ({@code DefaultDataWorker}, {@code PieceConsumer}): it blames no peer, so a peer serving
 * corrupt data is asked again and again. {@link HashFailureBlame} tells this class which peers'
 * blocks made up each verified or failed piece, and trust is scored per endpoint (issue 9,
 * "Tolerating failure"):
 *
 * <ul>
 *   <li>a failed piece that came from one peer alone bans that peer at once: nobody else can have
 *       corrupted it;
 *   <li>a failed piece shared by several peers costs each of them {@link #SHARED_FAILURE_COST}
 *       points; a verified piece earns each contributor one point, up to {@link #MAX_TRUST}; a peer
 *       at {@link #BAN_AT} or below is banned. An honest peer that shared a few pieces with a liar
 *       keeps its credit from the pieces it got right.
 * </ul>
 *
 * <p>A ban closes every open connection to the endpoint and refuses new ones in both directions
 * ({@link PeerConnector}) for the life of the node. Endpoints, not addresses, because on loopback
 * (tests, the demo) every peer is 127.0.0.1; natswarm peers dial from their listen port, so their
 * endpoint is the same for connections in either direction.
 *
 * <p>Connections are tracked by their Bt {@link Peer}, which {@code PeerConnector} makes fresh for
 * each connection ({@code InetPeer} compares by identity), so that a block's peer can be turned
 * into an endpoint when the block is written. That mapping is kept (weakly) after the connection
 * closes: blocks a peer sent before its ban are still written after it, and without the mapping the
 * peer who completes such a piece would take the blame alone (seen in {@code SwarmFailureTest}:
 * honest peers banned).
 *
 * <p>Thread-safe: called on Bt's data worker, its connection workers and the peer I/O loop.
 */
final class PeerBans {
  /** Trust lost by each contributor of a failed piece that several peers contributed to. */
  static final int SHARED_FAILURE_COST = 2;

  /** Trust at or below which a peer is banned. */
  static final int BAN_AT = -7;

  /** Most trust a peer can bank from verified pieces. */
  static final int MAX_TRUST = 8;

  private static final Logger LOG = LoggerFactory.getLogger(PeerBans.class);

  private final Map<Peer, StreamPeerConnection> connections = new ConcurrentHashMap<>();
  // weak: an entry lives while Bt still holds the peer (queued blocks), also after the close
  private final Map<Peer, InetSocketAddress> endpoints =
      Collections.synchronizedMap(new WeakHashMap<>());
  private final Map<InetSocketAddress, Integer> trust = new ConcurrentHashMap<>();
  private final Set<InetSocketAddress> banned = ConcurrentHashMap.newKeySet();
  private final AtomicLong failedPieces = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong protocolErrors = new AtomicLong();

  @Inject
  PeerBans() {}

  /** Remembers an established connection until it closes. */
  void track(StreamPeerConnection c) {
    connections.put(c.getRemotePeer(), c);
    endpoints.put(c.getRemotePeer(), c.stream().remoteAddress());
  }

  void untrack(StreamPeerConnection c) {
    connections.remove(c.getRemotePeer(), c);
  }

  /** The endpoint of {@code peer}'s connection (open or closed), or null if never tracked. */
  InetSocketAddress endpointOf(Peer peer) {
    return endpoints.get(peer);
  }

  /** Whether {@code endpoint} is banned; counts a refusal when it is. */
  boolean refuse(InetSocketAddress endpoint) {
    if (!banned.contains(endpoint)) {
      return false;
    }
    refused.incrementAndGet();
    return true;
  }

  boolean isBanned(InetSocketAddress endpoint) {
    return banned.contains(endpoint);
  }

  /** A piece made of blocks from {@code contributors} hashed correctly. */
  void pieceVerified(Collection<InetSocketAddress> contributors) {
    for (InetSocketAddress e : contributors) {
      trust.merge(e, 1, (a, b) -> Math.min(MAX_TRUST, a + b));
    }
  }

  /**
   * A piece made of blocks from {@code contributors} failed its hash check. A piece that a banned
   * peer contributed to is explained by that peer and costs the others nothing: a banned peer's
   * blocks stay written in the pieces it had been assigned, and whoever completes such a piece
   * would otherwise be blamed for it.
   */
  void pieceFailed(int pieceIndex, Collection<InetSocketAddress> contributors) {
    failedPieces.incrementAndGet();
    for (InetSocketAddress e : contributors) {
      if (banned.contains(e)) {
        return;
      }
    }
    boolean sole = contributors.size() == 1;
    for (InetSocketAddress e : contributors) {
      int left = trust.merge(e, -SHARED_FAILURE_COST, Integer::sum);
      if (sole || left <= BAN_AT) {
        ban(e, pieceIndex, sole);
      }
    }
  }

  private void ban(InetSocketAddress endpoint, int pieceIndex, boolean sole) {
    if (!banned.add(endpoint)) {
      return;
    }
    LOG.info(
        "banned {}: piece {} failed its hash check ({})",
        endpoint,
        pieceIndex,
        sole ? "sent all of it" : "trust " + trust.get(endpoint));
    for (StreamPeerConnection c : connections.values()) {
      if (endpoint.equals(c.stream().remoteAddress())) {
        c.closeQuietly();
      }
    }
  }

  /** A connection is closed because its peer broke the protocol. */
  void protocolError() {
    protocolErrors.incrementAndGet();
  }

  /**
   * The peer of an open connection broke the protocol in a message Bt decoded ({@link
   * MessageSanity}): its connection is closed, and counted once.
   */
  void protocolError(Peer peer) {
    StreamPeerConnection c = connections.remove(peer);
    if (c != null) {
      protocolErrors.incrementAndGet();
      c.closeQuietly();
    }
  }

  PeerFailures snapshot() {
    return new PeerFailures(failedPieces.get(), banned.size(), refused.get(), protocolErrors.get());
  }
}
