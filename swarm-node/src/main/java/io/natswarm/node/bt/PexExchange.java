package io.natswarm.node.bt;

import bt.event.EventSource;
import bt.metainfo.Torrent;
import bt.metainfo.TorrentId;
import bt.net.ConnectionKey;
import bt.net.IPeerConnectionPool;
import bt.net.InetPeer;
import bt.net.Peer;
import bt.net.PeerConnection;
import bt.peer.IPeerRegistry;
import bt.peer.PeerSource;
import bt.peer.PeerSourceFactory;
import bt.protocol.Message;
import bt.protocol.extended.ExtendedHandshake;
import bt.torrent.TorrentRegistry;
import bt.torrent.messaging.MessageContext;
import io.natswarm.pex.PexCodec;
import io.natswarm.pex.PexCounters;
import io.natswarm.pex.PexFlags;
import io.natswarm.pex.PexMessage;
import io.natswarm.pex.PexPeer;
import io.natswarm.pex.PexReceiver;
import io.natswarm.pex.PexSender;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Peer exchange (BEP 11) between Bt's connections and the {@code pex} module's sans-IO parts: for
 * each connection whose peer announced ut_pex in its BEP 10 handshake, a {@link PexSender} that
 * tells the peer who else we are connected to, and a {@link PexReceiver} that reads what the peer
 * tells us (a malformed message is counted and ignored; a flooding peer is disconnected).
 *
 * <p>What we advertise for a connection: its peer's listening endpoint (the dialled one for an
 * outgoing connection; for an incoming one, the BEP 10 {@code p} port once the peer sent it, never
 * its ephemeral source port), flagged 0x04 when the connection is µTP, 0x10 when we dialled it and
 * 0x08 when the peer's handshake named ut_holepunch; and, when the peer's BEP 10 handshake gave a
 * global address of the other family ({@code ipv6} for a peer connected over IPv4, {@code ipv4} for
 * one over IPv6), that address at the same port too. Private torrents (BEP 27) exchange nothing.
 *
 * <p>Peers learned are pushed into Bt's registry at once and kept, with their flags, as this
 * torrent's PEX candidates (at most {@link #MAX_CANDIDATES} per torrent, the oldest forgotten
 * first), which re-feed Bt at every discovery interval like the DHT's, and whose flags the
 * traversal ladder can consult ({@link #flagsOf}). Our own endpoint is never a candidate
 * (libtorrent's lists may contain the recipient).
 *
 * <p>Threads: Bt calls the agent's methods on its message-dispatch threads; each connection's state
 * is guarded by its own monitor, the counters by theirs. Bt's event bus calls {@link #attach}'s
 * listeners synchronously; they only remove map entries.
 */
final class PexExchange implements PeerSourceFactory {
  /** The most PEX-learned candidates kept per torrent. */
  static final int MAX_CANDIDATES = 200;

  /** How often a connection's sender is asked whether a message is due. */
  static final long POLL_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final InetSocketAddress self;
  private final ExternalAddressVotes votes;
  private final PexCounters counters = new PexCounters();
  private final Map<ConnectionKey, Link> links = new ConcurrentHashMap<>();
  private final Map<TorrentId, Candidates> candidates = new ConcurrentHashMap<>();
  private volatile IPeerConnectionPool pool;
  private volatile IPeerRegistry registry;
  private volatile TorrentRegistry torrents;

  /**
   * @param self this node's listening endpoint, never advertised back to us as a candidate
   * @param votes what peers say our address is: that address at our port is us too
   */
  PexExchange(InetSocketAddress self, ExternalAddressVotes votes) {
    this.self = self;
    this.votes = votes;
  }

  /** Bt's services, once its runtime exists. */
  void attach(
      IPeerConnectionPool pool,
      IPeerRegistry registry,
      TorrentRegistry torrents,
      EventSource events) {
    this.pool = pool;
    this.registry = registry;
    this.torrents = torrents;
    events.onPeerDisconnected(null, e -> links.remove(e.getConnectionKey()));
    events.onTorrentStopped(null, e -> candidates.remove(e.getTorrentId()));
  }

  /** The PEX counters now. */
  PexCounters.Snapshot counters() {
    synchronized (counters) {
      return counters.snapshot();
    }
  }

  /** The flags a PEX message gave {@code endpoint} for {@code torrent}, or -1 if none did. */
  int flagsOf(TorrentId torrent, InetSocketAddress endpoint) {
    Candidates c = candidates.get(torrent);
    return c == null ? -1 : c.flagsOf(endpoint);
  }

  void handshake(ExtendedHandshake handshake, MessageContext context) {
    Set<String> types = handshake.getSupportedMessageTypes();
    Link link = link(context.getConnectionKey());
    synchronized (link) {
      link.speaksPex = types.contains(UtPexMessage.EXTENSION);
      link.holepunch = types.contains("ut_holepunch");
      link.ipv4 = globalOrNull(HandshakeAddresses.ipv4(handshake));
      link.ipv6 = globalOrNull(HandshakeAddresses.ipv6(handshake));
    }
  }

  private static InetAddress globalOrNull(InetAddress a) {
    return AddressScope.global(a) ? a : null;
  }

  void received(UtPexMessage message, MessageContext context) {
    TorrentId torrent = context.getTorrentId();
    if (torrent == null || isPrivate(torrent)) {
      return;
    }
    Link link = link(context.getConnectionKey());
    PexReceiver.Received received;
    synchronized (counters) {
      synchronized (link) {
        byte[] payload = message.payload();
        received = link.receiver.onMessage(payload, 0, payload.length, System.nanoTime());
      }
    }
    switch (received.verdict()) {
      case FLOOD -> {
        IPeerConnectionPool p = pool;
        PeerConnection c = p == null ? null : p.getConnection(context.getConnectionKey());
        if (c != null) {
          c.closeQuietly();
        }
      }
      case ACCEPTED -> learn(torrent, received.message());
      case IGNORED -> {}
    }
  }

  private void learn(TorrentId torrent, PexMessage message) {
    Candidates known = candidates.computeIfAbsent(torrent, t -> new Candidates());
    IPeerRegistry r = registry;
    for (PexPeer peer : message.added()) {
      if (isSelf(peer.endpoint())) {
        continue;
      }
      if (known.add(peer) && r != null) {
        r.addPeer(torrent, DirectPeers.btPeer(peer.endpoint()));
      }
    }
  }

  void produce(Consumer<Message> messages, MessageContext context) {
    TorrentId torrent = context.getTorrentId();
    IPeerConnectionPool p = pool;
    if (torrent == null || p == null) {
      return;
    }
    Link link = link(context.getConnectionKey());
    long now = System.nanoTime();
    synchronized (link) {
      if (!link.speaksPex || now - link.nextPollNanos < 0) {
        return;
      }
      link.nextPollNanos = now + POLL_NANOS;
    }
    if (isPrivate(torrent)) {
      return;
    }
    PeerConnection own = p.getConnection(context.getConnectionKey());
    if (own == null) {
      return;
    }
    // A peer that never told us its listening port cannot be in anyone's list, ours included:
    // its connection's own endpoint stands in for it.
    InetSocketAddress listening = listeningEndpoint(own);
    InetSocketAddress recipient =
        listening != null
            ? listening
            : new InetSocketAddress(own.getRemotePeer().getInetAddress(), own.getRemotePort());
    List<PexPeer> connected = new ArrayList<>();
    p.visitConnections(torrent, c -> addAdvertised(c, torrent, connected));
    PexMessage message;
    synchronized (counters) {
      synchronized (link) {
        if (link.sender == null) {
          link.sender = new PexSender(recipient, counters);
        }
        message = link.sender.poll(connected, now);
      }
    }
    if (message != null) {
      messages.accept(new UtPexMessage(PexCodec.encode(message)));
    }
  }

  private void addAdvertised(PeerConnection c, TorrentId torrent, List<PexPeer> into) {
    if (c.isClosed()) {
      return;
    }
    InetSocketAddress endpoint = listeningEndpoint(c);
    if (endpoint == null) {
      return;
    }
    int flags = 0;
    if (c instanceof StreamPeerConnection s) {
      if (s.stream().transport() == PeerStream.Transport.UTP) {
        flags |= PexFlags.UTP;
      }
      if (s.stream().outgoing()) {
        flags |= PexFlags.REACHABLE;
      }
    }
    Link other = links.get(new ConnectionKey(c.getRemotePeer(), c.getRemotePort(), torrent));
    InetAddress otherFamily = null;
    if (other != null) {
      synchronized (other) {
        if (other.holepunch) {
          flags |= PexFlags.HOLEPUNCH;
        }
        otherFamily = endpoint.getAddress() instanceof Inet4Address ? other.ipv6 : other.ipv4;
      }
    }
    into.add(new PexPeer(endpoint, flags));
    if (otherFamily != null) {
      // The address of the peer's other family, from its BEP 10 handshake, at the same port: how
      // peers behind IPv4 NATs that cannot reach each other meet over IPv6. Not flagged reachable
      // (nobody dialled it) nor µTP (that flag was about this connection).
      into.add(
          new PexPeer(
              new InetSocketAddress(otherFamily, endpoint.getPort()), flags & PexFlags.HOLEPUNCH));
    }
  }

  /**
   * Where the peer of {@code c} listens: the dialled endpoint of an outgoing connection, the BEP 10
   * port of an incoming one; null while unknown.
   */
  private static InetSocketAddress listeningEndpoint(PeerConnection c) {
    Peer peer = c.getRemotePeer();
    if (c instanceof StreamPeerConnection s && s.stream().outgoing()) {
      return s.stream().remoteAddress();
    }
    if (peer.isPortUnknown() || peer.getPort() <= 0 || peer.getPort() > 0xffff) {
      return null;
    }
    return new InetSocketAddress(peer.getInetAddress(), peer.getPort());
  }

  private boolean isPrivate(TorrentId torrent) {
    TorrentRegistry t = torrents;
    return t != null && t.getTorrent(torrent).map(Torrent::isPrivate).orElse(false);
  }

  private boolean isSelf(InetSocketAddress endpoint) {
    if (endpoint.getPort() != self.getPort()) {
      return false;
    }
    InetAddress a = endpoint.getAddress();
    if (a.equals(self.getAddress()) || a.isLoopbackAddress() || a.isAnyLocalAddress()) {
      return true;
    }
    if (votes.votedFor(a)) {
      return true; // our NAT's address, as peers see it (libtorrent's PEX names us to ourselves)
    }
    if (!self.getAddress().isAnyLocalAddress()) {
      return false;
    }
    try {
      return NetworkInterface.getByInetAddress(a) != null;
    } catch (SocketException e) {
      return false;
    }
  }

  private Link link(ConnectionKey key) {
    return links.computeIfAbsent(key, k -> new Link(new PexReceiver(counters)));
  }

  @Override
  public PeerSource getPeerSource(TorrentId torrentId) {
    return new PeerSource() {
      private Collection<Peer> latest = new ArrayList<>();

      @Override
      public boolean update() {
        Candidates c = candidates.get(torrentId);
        latest = c == null ? new ArrayList<>() : c.peers();
        return !latest.isEmpty();
      }

      @Override
      public Collection<Peer> getPeers() {
        return latest; // Bt's registry empties this collection through its iterator
      }
    };
  }

  /** One connection's PEX state; guarded by its own monitor. */
  private static final class Link {
    final PexReceiver receiver;
    PexSender sender;
    boolean speaksPex;
    boolean holepunch;
    InetAddress ipv4; // from the peer's BEP 10 handshake, global scope only
    InetAddress ipv6;
    long nextPollNanos = System.nanoTime();

    Link(PexReceiver receiver) {
      this.receiver = receiver;
    }
  }

  /** A torrent's PEX-learned peers with their flags, oldest first; bounded. */
  private static final class Candidates {
    private final LinkedHashMap<InetSocketAddress, Integer> byEndpoint = new LinkedHashMap<>();

    /** True if {@code peer} was not known. */
    synchronized boolean add(PexPeer peer) {
      boolean fresh = byEndpoint.put(peer.endpoint(), peer.flags()) == null;
      if (fresh && byEndpoint.size() > MAX_CANDIDATES) {
        byEndpoint.remove(byEndpoint.keySet().iterator().next());
      }
      return fresh;
    }

    synchronized int flagsOf(InetSocketAddress endpoint) {
      return byEndpoint.getOrDefault(endpoint, -1);
    }

    synchronized Collection<Peer> peers() {
      Collection<Peer> out = new ArrayList<>(byEndpoint.size());
      for (InetSocketAddress a : byEndpoint.keySet()) {
        out.add(InetPeer.build(a.getAddress(), a.getPort()));
      }
      return out;
    }
  }
}
