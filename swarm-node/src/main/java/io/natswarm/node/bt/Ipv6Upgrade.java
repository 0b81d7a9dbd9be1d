package io.natswarm.node.bt;

import bt.event.EventSource;
import bt.metainfo.TorrentId;
import bt.net.ConnectionKey;
import bt.net.ConnectionResult;
import bt.net.HandshakeHandler;
import bt.net.IConnectionSource;
import bt.net.IPeerConnectionPool;
import bt.net.InetPeer;
import bt.net.PeerConnection;
import bt.net.PeerId;
import bt.protocol.Handshake;
import bt.protocol.extended.ExtendedHandshake;
import bt.torrent.messaging.MessageContext;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The IPv6 upgrade (issue 10): when a connection we dialled over IPv4 (perhaps through a NAT) leads
 * to a peer whose BEP 10 handshake names a global IPv6 address ({@code ipv6}), and this node has
 * one too and listens on both families, we dial the peer's IPv6 address at the port we reached it
 * on; when that connection is made and its BitTorrent handshake carries the same peer id, the IPv4
 * connection is closed. A connection to a different peer id at that address is kept as any other
 * peer's. Only the side that dialled the IPv4 connection upgrades it, so two nodes never race to
 * replace one connection with two.
 *
 * <p>BEP 10 names the {@code ipv4}/{@code ipv6} keys for this use; libtorrent fills them but never
 * acts on them.
 *
 * <p>It is also the {@link HandshakeHandler} that records each connection's remote peer id from the
 * BitTorrent handshake (Bt keeps none), until the connection closes.
 *
 * <p>Threads: {@link #handshake} runs on Bt's message-dispatch thread and never blocks (the dial
 * runs on Bt's connection workers through {@link IConnectionSource#getConnectionAsync}); the
 * completion runs there too. State is in concurrent collections and atomic counters.
 */
public final class Ipv6Upgrade implements HandshakeHandler {
  private static final Logger LOG = LoggerFactory.getLogger(Ipv6Upgrade.class);

  /** The upgrade's counters. */
  public record Counters(long attempted, long upgraded, long failed, long otherPeer) {}

  private final OwnAddresses own;
  private final Set<InetSocketAddress> inFlight = ConcurrentHashMap.newKeySet();

  /** Peer ids kept before the ones of connections no longer in the pool are dropped. */
  private static final int MAX_PEER_IDS = 4096;

  private final Map<ConnectionKey, PeerId> peerIds = new ConcurrentHashMap<>();
  private final Map<InetSocketAddress, PeerConnection> moved = new ConcurrentHashMap<>();
  private final AtomicLong attempted = new AtomicLong();
  private final AtomicLong upgraded = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong otherPeer = new AtomicLong();
  private volatile IPeerConnectionPool pool;
  private volatile IConnectionSource connections;

  Ipv6Upgrade(OwnAddresses own) {
    this.own = own;
  }

  /** The node's own addresses. */
  OwnAddresses own() {
    return own;
  }

  /** Bt's services, once its runtime exists. */
  void attach(IPeerConnectionPool pool, IConnectionSource connections, EventSource events) {
    this.pool = pool;
    this.connections = connections;
    events.onPeerDisconnected(
        null,
        e -> {
          peerIds.remove(e.getConnectionKey());
          moved.values().removeIf(PeerConnection::isClosed);
        });
  }

  /** The counters now. */
  Counters counters() {
    return new Counters(attempted.get(), upgraded.get(), failed.get(), otherPeer.get());
  }

  @Override
  public void processOutgoingHandshake(Handshake handshake) {}

  @Override
  public void processIncomingHandshake(PeerConnection connection, Handshake peerHandshake) {
    // Bt hands us a write-only wrapper of the connection: key by what identifies it in the pool.
    if (peerIds.size() >= MAX_PEER_IDS) {
      // connections refused after their handshake never reach the pool, nor its disconnect events
      IPeerConnectionPool p = pool;
      peerIds.keySet().removeIf(k -> p == null || p.getConnection(k) == null);
    }
    peerIds.put(key(connection), peerHandshake.getPeerId());
  }

  private static ConnectionKey key(PeerConnection c) {
    return new ConnectionKey(c.getRemotePeer(), c.getRemotePort(), c.getTorrentId());
  }

  /** A peer's BEP 10 handshake on {@code context}'s connection. */
  void handshake(ExtendedHandshake handshake, MessageContext context) {
    IPeerConnectionPool p = pool;
    IConnectionSource source = connections;
    TorrentId torrent = context.getTorrentId();
    if (p == null || source == null || torrent == null || !own.dualStack()) {
      return;
    }
    PeerConnection c = p.getConnection(context.getConnectionKey());
    if (!(c instanceof StreamPeerConnection v4)
        || !v4.stream().outgoing()
        || !(v4.stream().remoteAddress().getAddress() instanceof Inet4Address)) {
      return;
    }
    InetAddress theirs = HandshakeAddresses.ipv6(handshake);
    Optional<InetAddress> ours = own.ipv6();
    if (!(theirs instanceof Inet6Address)
        || ours.isEmpty()
        || !AddressScope.reachableFrom(ours.get(), theirs)) {
      return;
    }
    InetSocketAddress target = new InetSocketAddress(theirs, v4.stream().remoteAddress().getPort());
    if (!inFlight.add(target)) {
      return;
    }
    attempted.incrementAndGet();
    LOG.debug("upgrading {} to {}", v4.stream(), target);
    var unused =
        source
            .getConnectionAsync(InetPeer.build(target.getAddress(), target.getPort()), torrent)
            .whenComplete(
                (result, error) -> {
                  inFlight.remove(target);
                  finish(v4, target, result, error);
                });
  }

  private void finish(
      StreamPeerConnection v4, InetSocketAddress target, ConnectionResult result, Throwable error) {
    if (error != null || result == null || !result.isSuccess()) {
      failed.incrementAndGet();
      LOG.debug(
          "IPv6 upgrade to {} failed: {}",
          target,
          error != null ? error.toString() : result == null ? "no result" : result.getMessage());
      return;
    }
    PeerConnection v6 = result.getConnection();
    PeerId before = peerIds.get(key(v4));
    PeerId after = peerIds.get(key(v6));
    if (before == null || !before.equals(after)) {
      otherPeer.incrementAndGet(); // someone else at that address: keep both connections
      return;
    }
    upgraded.incrementAndGet();
    LOG.debug("moved {} to {}", v4.stream(), target);
    moved.put(v4.stream().remoteAddress(), v6);
    v4.closeQuietly();
  }

  /**
   * True while the peer at {@code endpoint} (an IPv4 endpoint we upgraded) is connected over IPv6:
   * the peer sources that still list the IPv4 endpoint must not dial it again only for the upgrade
   * to close it once more.
   */
  boolean movedAway(InetSocketAddress endpoint) {
    PeerConnection v6 = moved.get(endpoint);
    if (v6 == null) {
      return false;
    }
    if (v6.isClosed()) {
      moved.remove(endpoint, v6);
      return false;
    }
    return true;
  }
}
