package io.natswarm.node.bt;

import bt.event.EventSource;
import bt.metainfo.TorrentId;
import bt.net.ConnectionKey;
import bt.net.IPeerConnectionPool;
import bt.net.PeerConnection;
import bt.protocol.extended.ExtendedHandshake;
import bt.torrent.messaging.MessageContext;
import io.natswarm.datagram.UdpEndpoint;
import io.natswarm.holepunch.turn.TurnClient;
import io.natswarm.holepunch.turn.TurnCounters;
import io.natswarm.holepunch.turn.TurnSignal;
import io.natswarm.holepunch.turn.TurnState;
import io.natswarm.node.DaemonThreads;
import io.natswarm.node.NatTraversal;
import io.natswarm.node.net.NodeSocket;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ladder's last rung (issue 12): a relay through the TURN server the operator runs (RFC 8656),
 * and {@code ns_turn}, the signalling that makes it usable between two peers behind NATs ({@link
 * TurnSignal}).
 *
 * <p>With {@code nat.turn_server} set, the node keeps one allocation ({@link TurnClient}, a core of
 * the node's one UDP socket, in {@link NodeSocket#turn()}): what comes from a peer through the
 * relay enters the socket's demultiplexer as if it came from that peer, and what µTP sends back to
 * it leaves wrapped toward the server (the demultiplexer's egress filter). When the ladder reaches
 * this rung for a target, the node creates a permission for the target's address and sends an offer
 * (the target's endpoint, our relayed address) to the peers of the torrent that speak ns_turn; a
 * peer connected to the target passes it on as a dial, and the target dials the relayed address
 * over µTP. Its NAT then lets the relay's answers in, since the target sent first; no connection
 * within {@link #ANSWER_TIMEOUT} is the rung's failure. (Permissions are per address, RFC 8656
 * section 9, so the target's NAT may use any port toward the relay.)
 *
 * <p>Every node speaks ns_turn, server or not: as the middle peer (rate-limited per peer, only
 * toward a peer it is connected to, never to any other address) and as the target.
 *
 * <p>Threads: Bt's message workers call {@link #handshake} and {@link #received}; the ladder calls
 * {@link #ask}; the allocation lives on the UDP loop; messages leave and dials run on this
 * service's own thread. The monitor guards the maps and counters and is never held while calling
 * out.
 */
public final class TurnService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TurnService.class);

  /** How long after an offer a connection through the relay must be made. */
  static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(15);

  /** A middle peer passes on at most one offer per this interval from each peer. */
  static final Duration FORWARD_INTERVAL = Duration.ofSeconds(1);

  /** A target dials one relayed address at most once per this interval. */
  static final Duration REDIAL_AFTER = Duration.ofSeconds(30);

  /** Offers go to at most this many peers at once. */
  static final int MAX_MIDDLE_PEERS = 4;

  private static final Duration LOOP_CALL = Duration.ofSeconds(2);
  private static final int MAX_ROUTED = 256;

  /**
   * The service's counters.
   *
   * @param configured whether a TURN server is configured
   * @param server the server, or null
   * @param state the allocation's state ({@code none} when not configured)
   * @param relayedAddress our relayed address while allocated, or null
   * @param failure why the allocation failed, or null
   * @param offersSent targets we offered our relayed address to
   * @param noMiddlePeer ladder asks with no ns_turn peer to pass the offer on
   * @param connected connections made through our allocation after an offer
   * @param timedOut offers that led to no connection in time
   * @param forwarded offers we passed on as the middle peer
   * @param notConnected offers for a target we are not connected to (dropped)
   * @param rateLimited offers dropped by the per-peer rate limit
   * @param dialsAsked dial messages we acted on (as the target)
   * @param dialsConnected of those, µTP streams made to the relayed address
   * @param dialsIgnored dial messages for a peer we are already connected to, or repeated
   * @param malformed ns_turn messages that did not parse
   * @param client the TURN client's counters, or null when not configured
   */
  public record Counters(
      boolean configured,
      InetSocketAddress server,
      String state,
      InetSocketAddress relayedAddress,
      String failure,
      long offersSent,
      long noMiddlePeer,
      long connected,
      long timedOut,
      long forwarded,
      long notConnected,
      long rateLimited,
      long dialsAsked,
      long dialsConnected,
      long dialsIgnored,
      long malformed,
      TurnCounters client) {}

  /** A connection of a torrent, as ns_turn sees it. */
  private record Link(
      ConnectionKey key,
      TorrentId torrent,
      InetSocketAddress remote,
      InetSocketAddress endpoint,
      InetSocketAddress alias,
      boolean speaks) {
    boolean is(InetSocketAddress e) {
      return e.equals(remote) || e.equals(endpoint) || e.equals(alias);
    }
  }

  /** An offer of our relayed address to {@code target}. */
  private static final class Offer {
    final InetSocketAddress target;
    final TorrentId torrent;
    final long sentNanos;
    boolean connected;

    Offer(InetSocketAddress target, TorrentId torrent, long sentNanos) {
      this.target = target;
      this.torrent = torrent;
      this.sentNanos = sentNanos;
    }
  }

  private final NatTraversal.TurnServer server;
  private final UdpEndpoint udp;
  private final NodeSocket socket;
  private final ScheduledExecutorService timer;
  private final ExecutorService dialler;
  private final Set<InetSocketAddress> routed = ConcurrentHashMap.newKeySet();
  private final Map<ConnectionKey, Link> links = new HashMap<>();
  private final Map<InetAddress, Offer> offers = new HashMap<>();
  private final Map<ConnectionKey, Long> lastForward = new HashMap<>();
  private final Map<InetSocketAddress, Long> lastDial =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<InetSocketAddress, Long> eldest) {
          return size() > 256;
        }
      };
  private volatile TurnClient client; // touched only on the UDP loop; the field is for reading
  private volatile TurnState state = TurnState.IDLE;
  private volatile String failure;
  private volatile InetSocketAddress relayed;
  private volatile TurnCounters clientCounters;
  private volatile IPeerConnectionPool pool;
  private volatile PeerConnector connector;
  private volatile ConnectionLadder ladder;
  private long offersSent;
  private long noMiddlePeer;
  private long connected;
  private long timedOut;
  private long forwarded;
  private long notConnected;
  private long rateLimited;
  private long dialsAsked;
  private long dialsConnected;
  private long dialsIgnored;
  private long malformed;

  /** {@code server} null: no allocation, only the middle peer's and the target's parts. */
  TurnService(NatTraversal.TurnServer server, UdpEndpoint udp, NodeSocket socket) {
    this.server = server;
    this.udp = udp;
    this.socket = socket;
    this.timer = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("natswarm-turn"));
    this.dialler = Executors.newSingleThreadExecutor(DaemonThreads.named("natswarm-turn-dial"));
  }

  /** Bt's services, once its runtime exists; takes the allocation when a server is configured. */
  void attach(
      IPeerConnectionPool pool,
      EventSource events,
      PeerConnector connector,
      ConnectionLadder ladder) {
    this.pool = pool;
    this.connector = connector;
    this.ladder = ladder;
    events.onPeerDisconnected(null, e -> disconnected(e.getConnectionKey()));
    connector.turnRoutes(routed::contains);
    connector.addEstablishedListener(this::established);
    if (server != null) {
      allocate();
    }
    var unused = timer.scheduleWithFixedDelay(this::tick, 1, 1, TimeUnit.SECONDS);
  }

  private void allocate() {
    try {
      udp.call(
          () -> {
            TurnClient c =
                new TurnClient(
                    server.server(),
                    server.username(),
                    server.password(),
                    new SecureRandom(),
                    new TurnClient.Listener() {
                      @Override
                      public void received(
                          ByteBuffer payload, InetSocketAddress peer, long nowNanos) {
                        fromRelay(payload, peer, nowNanos);
                      }

                      @Override
                      public void stateChanged(TurnState s, String why) {
                        changed(s, why);
                      }
                    });
            var previous = socket.turn().install(c);
            client = c;
            c.start(udp.clock().nanoTime());
            return previous;
          },
          LOOP_CALL);
      LOG.debug("asking {} for a TURN allocation", server.server());
    } catch (IOException | RuntimeException e) {
      state = TurnState.FAILED;
      failure = "could not start: " + e;
      LOG.warn("TURN server {}: {}", server.server(), failure);
    }
  }

  /** On the UDP loop: a datagram from {@code peer} through our allocation. */
  private void fromRelay(ByteBuffer payload, InetSocketAddress peer, long nowNanos) {
    if (!routed.contains(peer) && routed.size() < MAX_ROUTED) {
      routed.add(peer);
    }
    socket.demultiplexer().dispatch(payload, peer, nowNanos);
  }

  /** On the UDP loop: the allocation's state changed. */
  private void changed(TurnState s, String why) {
    TurnClient c = client;
    state = s;
    if (s == TurnState.ALLOCATED && c != null) {
      relayed = c.relayedAddress();
      failure = null;
      LOG.info("TURN server {}: relayed address {}", server.server(), relayed);
    } else if (s == TurnState.FAILED) {
      relayed = null;
      failure = why;
      LOG.warn(
          "TURN server {}: {}; peers that no other rung reaches stay unreachable"
              + " (check nat.turn_server, nat.turn_username and nat.turn_password)",
          server.server(),
          why);
    } else if (s != TurnState.ALLOCATED) {
      relayed = null;
    }
  }

  /** A peer's BEP 10 handshake: remember whether it speaks ns_turn and where it listens. */
  void handshake(ExtendedHandshake handshake, MessageContext context) {
    StreamPeerConnection s = StreamPeerConnection.of(pool, context);
    if (s == null) {
      return;
    }
    ConnectionKey key = context.getConnectionKey();
    TorrentId torrent = context.getTorrentId();
    boolean speaks = handshake.getSupportedMessageTypes().contains(TurnSignal.EXTENSION_NAME);
    InetSocketAddress endpoint = HolepunchService.listeningEndpoint(s, handshake);
    InetSocketAddress alias = HolepunchService.alias(s, handshake, endpoint);
    synchronized (this) {
      if (s.isClosed()) {
        return;
      }
      links.put(key, new Link(key, torrent, s.stream().remoteAddress(), endpoint, alias, speaks));
    }
  }

  private synchronized void disconnected(ConnectionKey key) {
    links.remove(key);
    lastForward.remove(key);
  }

  /** An ns_turn payload from connection {@code key}. */
  void received(byte[] payload, ConnectionKey key) {
    TurnSignal.Parsed parsed = TurnSignal.parse(payload);
    Link from;
    Link to = null;
    synchronized (this) {
      from = links.get(key);
      if (from == null) {
        return; // before its BEP 10 handshake
      }
      if (!parsed.ok()) {
        malformed++;
        return;
      }
      TurnSignal m = parsed.signal();
      if (m.type() == TurnSignal.Type.OFFER) {
        long now = System.nanoTime();
        Long last = lastForward.get(key);
        if (last != null && now - last < FORWARD_INTERVAL.toNanos()) {
          rateLimited++;
          return;
        }
        for (Link l : links.values()) {
          if (!l.key.equals(from.key)
              && l.torrent.equals(from.torrent)
              && l.speaks
              && l.is(m.peer())) {
            to = l;
            break;
          }
        }
        if (to == null) {
          notConnected++;
          return;
        }
        lastForward.put(key, now);
        forwarded++;
      }
    }
    TurnSignal m = parsed.signal();
    if (m.type() == TurnSignal.Type.OFFER) {
      post(to.key, new TurnSignal(TurnSignal.Type.DIAL, from.endpoint, m.relayed()));
    } else {
      dial(from.torrent, m.peer(), m.relayed());
    }
  }

  /** As the target: {@code peer} asks us, through a middle peer, to dial {@code relayedAddress}. */
  private void dial(TorrentId torrent, InetSocketAddress peer, InetSocketAddress relayedAddress) {
    PeerConnector c = connector;
    if (c == null) {
      return;
    }
    synchronized (this) {
      long now = System.nanoTime();
      Long last = lastDial.get(relayedAddress);
      if (c.connectedTo(torrent, peer.getAddress())
          || relayedAddress.getAddress().isLoopbackAddress()
          || (last != null && now - last < REDIAL_AFTER.toNanos())) {
        dialsIgnored++;
        return;
      }
      lastDial.put(relayedAddress, now);
      dialsAsked++;
    }
    LOG.debug("{} offers its TURN relayed address {}: dialling it", peer, relayedAddress);
    try {
      dialler.execute(
          () -> {
            boolean ok = c.dialTurn(relayedAddress, torrent);
            synchronized (this) {
              if (ok) {
                dialsConnected++;
              }
            }
            LOG.debug("TURN relayed address {}: {}", relayedAddress, ok ? "connected" : "failed");
          });
    } catch (RejectedExecutionException e) {
      // closing
    }
  }

  /** Whether the ladder's TURN rung can be tried for {@code torrent} now. */
  synchronized boolean canAsk(TorrentId torrent) {
    if (relayed == null) {
      return false;
    }
    for (Link l : links.values()) {
      if (l.speaks && l.torrent.equals(torrent)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The ladder's TURN rung: permits {@code target}'s address on our allocation and offers our
   * relayed address to it through our ns_turn peers of {@code torrent}.
   *
   * @return whether an offer was sent
   */
  boolean ask(InetSocketAddress target, TorrentId torrent) {
    InetSocketAddress r = relayed;
    TurnClient c = client;
    if (r == null || c == null || torrent == null) {
      return false;
    }
    List<Link> middle = new ArrayList<>(MAX_MIDDLE_PEERS);
    synchronized (this) {
      Offer pending = offers.get(target.getAddress());
      if (pending != null && !pending.connected) {
        return true; // offered already, waiting
      }
      for (Link l : links.values()) {
        if (l.speaks && l.torrent.equals(torrent) && !l.is(target)) {
          middle.add(l);
          if (middle.size() == MAX_MIDDLE_PEERS) {
            break;
          }
        }
      }
      if (middle.isEmpty()) {
        noMiddlePeer++;
        return false;
      }
      offers.put(target.getAddress(), new Offer(target, torrent, System.nanoTime()));
      offersSent++;
    }
    udp.execute(() -> c.permit(target.getAddress(), udp.clock().nanoTime()));
    LOG.debug("offering our TURN relayed address {} to {} through {} peer(s)", r, target, middle);
    TurnSignal offer = new TurnSignal(TurnSignal.Type.OFFER, target, r);
    for (Link l : middle) {
      post(l.key, offer);
    }
    return true;
  }

  /**
   * The endpoint the ladder climbed for when {@code remote} reached us through the relay, or null
   * when we offered our relayed address to no one at {@code remote}'s address (we are the side that
   * dialled the relayed address).
   */
  synchronized InetSocketAddress targetOf(InetSocketAddress remote) {
    Offer o = offers.get(remote.getAddress());
    return o == null ? null : o.target;
  }

  private void established(StreamPeerConnection c) {
    if (!"turn".equals(c.path()) || c.stream().outgoing()) {
      return;
    }
    synchronized (this) {
      Offer o = offers.get(c.stream().remoteAddress().getAddress());
      if (o != null && !o.connected) {
        o.connected = true;
        connected++;
      }
    }
  }

  private void tick() {
    List<Offer> failed = new ArrayList<>();
    synchronized (this) {
      long now = System.nanoTime();
      for (var it = offers.values().iterator(); it.hasNext(); ) {
        Offer o = it.next();
        if (!o.connected && now - o.sentNanos > ANSWER_TIMEOUT.toNanos()) {
          it.remove();
          timedOut++;
          failed.add(o);
        } else if (o.connected && now - o.sentNanos > Duration.ofMinutes(30).toNanos()) {
          it.remove();
        }
      }
    }
    ConnectionLadder l = ladder;
    for (Offer o : failed) {
      if (l != null) {
        l.turnFailed(
            o.target,
            o.torrent,
            "no connection through the TURN server " + ANSWER_TIMEOUT.toSeconds() + " s after");
      }
    }
    TurnClient c = client;
    if (c != null) {
      try {
        clientCounters = udp.call(c::counters, LOOP_CALL);
      } catch (IOException | RuntimeException e) {
        // the loop is closing
      }
    }
  }

  private void post(ConnectionKey to, TurnSignal m) {
    byte[] bytes = m.toBytes();
    try {
      timer.execute(
          () -> {
            IPeerConnectionPool p = pool;
            PeerConnection c = p == null ? null : p.getConnection(to);
            if (c == null || c.isClosed()) {
              return;
            }
            try {
              c.postMessage(new UtTurnMessage(bytes));
            } catch (IOException | RuntimeException e) {
              LOG.debug("ns_turn message to {} not sent: {}", to, e.toString());
            }
          });
    } catch (RejectedExecutionException e) {
      // closing
    }
  }

  /** The counters now. */
  synchronized Counters counters() {
    return new Counters(
        server != null,
        server == null ? null : server.server(),
        server == null ? "none" : state.name().toLowerCase(java.util.Locale.ROOT),
        relayed,
        failure,
        offersSent,
        noMiddlePeer,
        connected,
        timedOut,
        forwarded,
        notConnected,
        rateLimited,
        dialsAsked,
        dialsConnected,
        dialsIgnored,
        malformed,
        clientCounters);
  }

  @Override
  public void close() {
    timer.shutdownNow();
    dialler.shutdownNow();
    TurnClient c = client;
    if (c != null) {
      try {
        udp.call(
            () -> {
              c.close(udp.clock().nanoTime());
              return null;
            },
            LOOP_CALL);
      } catch (IOException | RuntimeException e) {
        // the loop is closing
      }
    }
  }
}
