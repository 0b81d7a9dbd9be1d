package io.natswarm.node.bt;

import bt.event.EventSource;
import bt.metainfo.TorrentId;
import bt.net.ConnectionKey;
import bt.net.IPeerConnectionPool;
import bt.protocol.extended.ExtendedHandshake;
import bt.torrent.messaging.MessageContext;
import io.natswarm.datagram.UdpEndpoint;
import io.natswarm.holepunch.punch.HolepunchCodec;
import io.natswarm.holepunch.punch.Outgoing;
import io.natswarm.holepunch.punch.PeerRef;
import io.natswarm.holepunch.punch.PortPrediction;
import io.natswarm.holepunch.punch.PunchEvent;
import io.natswarm.holepunch.punch.PunchFailure;
import io.natswarm.holepunch.punch.PunchProbes;
import io.natswarm.holepunch.punch.PunchRequests;
import io.natswarm.holepunch.punch.Rendezvous;
import io.natswarm.node.DaemonThreads;
import io.natswarm.pex.PexFlags;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ut_holepunch (BEP 55) between Bt's connections and the {@code holepunch} module's sans-IO cores:
 * per torrent, a {@link Rendezvous} (we introduce two of our peers that both speak ut_holepunch)
 * and a {@link PunchRequests} (we ask to be introduced, and answer introductions).
 *
 * <p>The ladder's hole-punch rung ({@link ConnectionLadder}): when {@link PeerConnector} cannot
 * reach an endpoint over µTP (it goes on to try TCP meanwhile), or µTP has gone unanswered for
 * {@link PeerConnector#CLIMB_AFTER} and a punch can be asked for, and a PEX message flagged it 0x08
 * (it speaks ut_holepunch), we ask our connected ut_holepunch peers of that torrent, one after
 * another, to introduce us; when that ends without a connection (an error or no answer, or no µTP
 * connection after the punch) the ladder is told, and goes on to the relay. On a connect message —
 * for a request of ours or the other side's — the node's socket sends a burst of punch probes to
 * the endpoint ({@link PunchProbes}: our NAT opens for it), and {@link PeerConnector} counts a
 * connection with it, dialled or accepted, as punched. The side that asked dials µTP at once, and
 * the stream enters Bt through the same acceptor as any other ({@link PeerConnector#dialPunched};
 * Bt's connection source would join a TCP dial still pending to the same endpoint); the other side
 * only punches and accepts (two crossing µTP SYNs would make two connections between the same
 * endpoints).
 *
 * <p>TCP simultaneous open ({@link PeerConnector#punchTcp}): the asking side opens TCP from its
 * listen port instead of dialling µTP when it dials TCP only, and the other side opens TCP toward
 * it {@link #TCP_PUNCH_AFTER} after the connect message unless a connection was made by then; TCP's
 * SYN retries cover the difference.
 *
 * <p>Synchronising the two sides: the rendezvous sends its connect messages together, so the sides
 * punch one rendezvous-to-peer delay apart. Rather than delaying our SYN by a guess of that
 * difference (go-libp2p's DCUtR times the dial by a measured round trip; BEP 55 carries nothing to
 * measure the target's delay by), the asking side reacts to the target's first probe: it proves the
 * target's NAT is open to us, so an unanswered SYN goes again at once ({@code UtpStack#triggerSyn},
 * wired by the node's socket: a triggered check in ICE's terms, RFC 8445 §7.3.1.4), and a probe
 * from another port than the rendezvous named is dialled at once as the target's peer-reflexive
 * endpoint. A late target then costs its lateness plus a round trip, not µTP's one-second SYN
 * timer.
 *
 * <p>Threads: Bt's message-dispatch threads call the agent methods and Bt's connection workers
 * {@link #unreachable}; the cores are guarded by this object's monitor, never held while calling Bt
 * or the socket. Deadlines run on this service's own timer thread; punches on the socket's loop.
 */
public final class HolepunchService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HolepunchService.class);

  /** A target we asked to be introduced to is not asked about again sooner than this. */
  static final Duration RETRY_AFTER = Duration.ofSeconds(60);

  /** When, after a connect of ours, the peer-reflexive endpoint is looked for. */
  private static final List<Duration> REFLEXIVE_CHECKS =
      List.of(Duration.ofMillis(300), Duration.ofMillis(1200));

  private static final long TICK_MILLIS = 250;
  private static final int KEPT_TIMES = 64;
  private static final int MAX_OUTBOX = 8;
  private static final int MAX_OUTBOXES = 1024;

  /**
   * The hole punch's counters since the node started.
   *
   * @param unreachable endpoints flagged 0x08 that µTP did not reach directly
   * @param asked of those, rendezvous requests made (connected ut_holepunch peers existed)
   * @param noRendezvous of those, none made: no connected peer speaks ut_holepunch
   * @param introduced connect messages answering a request of ours
   * @param invited connect messages for the other side's requests
   * @param dialledAfterPunch connections dialled after a connect, made (dialable only after it)
   * @param dialFailedAfterPunch connections dialled after a connect, not made
   * @param punched connections made by the hole punch, dialled or accepted, on either side
   * @param reflexiveDials dials of a peer-reflexive endpoint: the target's probes came from another
   *     port than the rendezvous named
   * @param tcpPunched TCP connections made by simultaneous open after a connect, on either side
   * @param punchMillis of the connections we asked a rendezvous for, the milliseconds from the
   *     request (right after the failed direct dial) to the connected stream (before its MSE and
   *     BitTorrent handshakes, like libtorrent's figure in the nat-matrix benchmark), the last
   *     {@value #KEPT_TIMES} at most, oldest first
   * @param failed requests that ended without a connect, by reason
   * @param relayed rendezvous requests we relayed to both sides
   * @param relayRefused rendezvous requests we answered with an error
   * @param relayRateLimited rendezvous requests dropped by the per-peer limit
   * @param malformed ut_holepunch payloads that did not parse, ignored
   */
  public record Counters(
      long unreachable,
      long asked,
      long noRendezvous,
      long introduced,
      long invited,
      long dialledAfterPunch,
      long dialFailedAfterPunch,
      long punched,
      long reflexiveDials,
      long tcpPunched,
      List<Long> punchMillis,
      Map<PunchFailure, Long> failed,
      long relayed,
      long relayRefused,
      long relayRateLimited,
      long malformed) {}

  /** One torrent's cores. */
  private static final class Swarm {
    final TorrentId torrent;
    final PunchRequests requests = new PunchRequests(PunchRequests.Settings.DEFAULTS);
    final Rendezvous relay = new Rendezvous(Rendezvous.Settings.DEFAULTS, requests);

    Swarm(TorrentId torrent) {
      this.torrent = torrent;
    }
  }

  /** A connection registered with its swarm's cores. */
  private record Link(PeerRef ref, ConnectionKey key, Swarm swarm, boolean holepunch) {}

  private record Action(TorrentId torrent, PunchEvent event) {}

  private final UdpEndpoint udp;
  private final PunchProbes probes; // the socket loop's
  private final PexExchange pex;
  private volatile PeerConnector connector;
  private final ScheduledExecutorService timer;
  private final java.util.concurrent.ExecutorService dialler;
  private final Map<TorrentId, Swarm> swarms = new HashMap<>();
  private final Map<ConnectionKey, Link> links = new HashMap<>();
  private final Map<PeerRef, Link> byRef = new HashMap<>();
  private final Map<ConnectionKey, ArrayDeque<byte[]>> outboxes = new LinkedHashMap<>();
  private final Map<InetSocketAddress, Long> askedAt = new HashMap<>();
  private final Map<PunchFailure, Long> failures = new EnumMap<>(PunchFailure.class);
  private final Outgoing out = new Outgoing();
  private final ByteBuffer encoded = ByteBuffer.allocate(HolepunchCodec.MAX_ENCODED_LENGTH);
  private long nextRef;
  private long unreachable;
  private long asked;
  private long noRendezvous;
  private long dialledAfterPunch;
  private long dialFailedAfterPunch;
  private long punched;
  private long reflexiveDials;
  private long tcpPunched;
  private final java.util.Set<InetSocketAddress> reached = new java.util.HashSet<>();
  private final Map<InetSocketAddress, InetSocketAddress> reflexiveOf = new LinkedHashMap<>();

  /** A target we punched toward as the side that asked, whose probes may come from another port. */
  private record AwaitedAnswer(TorrentId torrent, InetSocketAddress target, long untilNanos) {}

  /** By the target's address; read on the socket's thread when a probe arrives. */
  private final java.util.concurrent.ConcurrentHashMap<java.net.InetAddress, AwaitedAnswer>
      awaitedAnswers = new java.util.concurrent.ConcurrentHashMap<>();

  private final ArrayDeque<Long> punchMillis = new ArrayDeque<>();
  private volatile IPeerConnectionPool pool;
  private volatile ConnectionLadder ladder;
  private final boolean dialsUtp;
  private final boolean dialsTcp;
  private final java.util.concurrent.ExecutorService tcpAnswers;
  private final java.util.Set<InetSocketAddress> tcpAnswering =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  /**
   * When the side that was asked to punch opens TCP toward the asking side too, if no connection
   * with it was made by then: an asking side that dials µTP is connected well before.
   */
  static final Duration TCP_PUNCH_AFTER = Duration.ofSeconds(1);

  /** After a failed dial following our punch, how long the peer-reflexive dials get to connect. */
  private static final Duration VERDICT_AFTER = Duration.ofMillis(1500);

  HolepunchService(
      UdpEndpoint udp, PunchProbes probes, PexExchange pex, boolean dialsUtp, boolean dialsTcp) {
    this.dialsUtp = dialsUtp;
    this.dialsTcp = dialsTcp;
    // the other side's TCP punches: one at a time, apart from our own dials
    this.tcpAnswers =
        Executors.newSingleThreadExecutor(DaemonThreads.named("natswarm-holepunch-tcp"));
    this.udp = udp;
    this.probes = probes;
    this.pex = pex;
    this.timer =
        Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("natswarm-holepunch"));
    // µTP dials block for up to its connect timeout: two at a time, off the timer's thread
    this.dialler = Executors.newFixedThreadPool(2, DaemonThreads.named("natswarm-holepunch-dial"));
  }

  /** Bt's services, once its runtime exists; starts the deadline timer. */
  void attach(
      IPeerConnectionPool pool,
      EventSource events,
      PeerConnector connector,
      ConnectionLadder ladder) {
    this.pool = pool;
    this.connector = connector;
    this.ladder = ladder;
    events.onPeerDisconnected(null, e -> disconnected(e.getConnectionKey()));
    connector.onPunched(this::punched);
    try {
      udp.execute(() -> probes.addHeardListener(this::probeHeard));
    } catch (RuntimeException e) {
      // the socket is closing
    }
    var unused =
        timer.scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
  }

  /** A peer's BEP 10 handshake: register its connection with its torrent's relay. */
  void handshake(ExtendedHandshake handshake, MessageContext context) {
    StreamPeerConnection s = StreamPeerConnection.of(pool, context);
    if (s == null) {
      return;
    }
    ConnectionKey key = context.getConnectionKey();
    TorrentId torrent = context.getTorrentId();
    boolean speaks = handshake.getSupportedMessageTypes().contains(HolepunchCodec.EXTENSION_NAME);
    InetSocketAddress endpoint = listeningEndpoint(s, handshake);
    InetSocketAddress alias = alias(s, handshake, endpoint);
    synchronized (this) {
      Swarm swarm = swarms.computeIfAbsent(torrent, Swarm::new);
      Link link = links.get(key);
      if (link == null || link.swarm() != swarm) {
        link = new Link(new PeerRef(++nextRef), key, swarm, speaks);
      } else {
        link = new Link(link.ref(), key, swarm, speaks);
      }
      links.put(key, link);
      byRef.put(link.ref(), link);
      swarm.relay.peerConnected(link.ref(), endpoint, alias, speaks);
    }
  }

  /**
   * Where the peer of {@code s} can be introduced to: the dialled endpoint of an outgoing
   * connection; the source of an incoming µTP one (the node's one socket, as its NAT maps it); for
   * incoming TCP, the BEP 10 {@code p} port at the source address (its source port may be an
   * ephemeral one).
   */
  static InetSocketAddress listeningEndpoint(StreamPeerConnection s, ExtendedHandshake handshake) {
    PeerStream stream = s.stream();
    InetSocketAddress remote = stream.remoteAddress();
    if (stream.outgoing() || stream.transport() == PeerStream.Transport.UTP) {
      return remote;
    }
    InetSocketAddress advertised = advertised(s, handshake);
    return advertised == null ? remote : advertised;
  }

  /**
   * The peer's second endpoint for the relay: over IPv6, its BEP 10 {@code ipv4} address at its
   * port (a target with IPv4 only can punch that); over IPv4 and incoming, its address with the BEP
   * 10 listen port, which is what our PEX names it by (its µTP source port is what its NAT maps,
   * not always the same); else null.
   */
  static InetSocketAddress alias(
      StreamPeerConnection s, ExtendedHandshake handshake, InetSocketAddress endpoint) {
    if (endpoint.getAddress() instanceof java.net.Inet6Address) {
      java.net.InetAddress v4 = HandshakeAddresses.ipv4(handshake);
      if (v4 == null || !AddressScope.global(v4)) {
        return null;
      }
      InetSocketAddress advertised = advertised(s, handshake);
      return new InetSocketAddress(
          v4, advertised != null ? advertised.getPort() : endpoint.getPort());
    }
    return s.stream().outgoing() ? null : advertised(s, handshake);
  }

  /** The source address of {@code s} with the BEP 10 {@code p} port, or null without one. */
  private static InetSocketAddress advertised(StreamPeerConnection s, ExtendedHandshake handshake) {
    var port = handshake.getPort();
    if (port == null) {
      return null;
    }
    int p = port.getValue().intValue();
    return p > 0 && p <= 0xffff
        ? new InetSocketAddress(s.stream().remoteAddress().getAddress(), p)
        : null;
  }

  /** A ut_holepunch payload from connection {@code key}. */
  void received(byte[] payload, ConnectionKey key) {
    List<Action> actions;
    synchronized (this) {
      Link link = links.get(key);
      if (link == null) {
        return; // before its BEP 10 handshake: BEP 55 peers negotiate first
      }
      link.swarm().relay.handlePayload(link.ref(), ByteBuffer.wrap(payload), System.nanoTime());
      actions = drain(link.swarm());
    }
    act(actions);
  }

  /** The payloads queued for connection {@code key}, oldest first; the queue is emptied. */
  synchronized List<byte[]> take(ConnectionKey key) {
    ArrayDeque<byte[]> box = outboxes.remove(key);
    return box == null ? List.of() : List.copyOf(box);
  }

  /**
   * Whether a rendezvous can be asked for to reach {@code target} now: a PEX message flagged it
   * 0x08 (it speaks ut_holepunch), a connected peer of the torrent speaks ut_holepunch, and we did
   * not ask about it within {@link #RETRY_AFTER}.
   */
  boolean canAsk(InetSocketAddress target, TorrentId torrent) {
    if (torrent == null) {
      return false;
    }
    int flags = pex.flagsOf(torrent, target);
    if (flags < 0 || (flags & PexFlags.HOLEPUNCH) == 0) {
      return false;
    }
    synchronized (this) {
      Long last = askedAt.get(target);
      if (last != null && System.nanoTime() - last < RETRY_AFTER.toNanos()) {
        return false;
      }
      Swarm swarm = swarms.get(torrent);
      if (swarm == null) {
        return false;
      }
      for (Link l : links.values()) {
        if (l.swarm() == swarm && l.holepunch()) {
          return true;
        }
      }
      return false;
    }
  }

  /**
   * The ladder's hole-punch rung: µTP did not reach {@code target}; asks our ut_holepunch peers of
   * the torrent, one after another, to introduce us.
   *
   * @return whether a rendezvous request was made
   */
  boolean ask(InetSocketAddress target, TorrentId torrent) {
    if (torrent == null) {
      return false;
    }
    int flags = pex.flagsOf(torrent, target);
    if (flags < 0 || (flags & PexFlags.HOLEPUNCH) == 0) {
      return false;
    }
    List<Action> actions;
    synchronized (this) {
      unreachable++;
      long now = System.nanoTime();
      Long last = askedAt.get(target);
      if (last != null && now - last < RETRY_AFTER.toNanos()) {
        return false;
      }
      Swarm swarm = swarms.get(torrent);
      List<PeerRef> via = new ArrayList<>();
      if (swarm != null) {
        for (Link l : links.values()) {
          if (l.swarm() == swarm && l.holepunch()) {
            via.add(l.ref());
          }
        }
      }
      if (via.isEmpty()) {
        noRendezvous++;
        return false;
      }
      if (askedAt.size() > 1024) {
        askedAt.values().removeIf(t -> now - t >= RETRY_AFTER.toNanos());
      }
      askedAt.put(target, now);
      if (!swarm.requests.requestRendezvous(target, via, now)) {
        return false;
      }
      asked++;
      LOG.debug(
          "{} is unreachable directly: asking {} peer(s) for a rendezvous", target, via.size());
      actions = drain(swarm);
    }
    // The target may punch and dial before our connect message arrives (the rendezvous peer's
    // upload queue delays it): a connection made from now on owes itself to the hole punch.
    PeerConnector c = connector;
    if (c != null) {
      c.expectPunch(target);
    }
    act(actions);
    return true;
  }

  /** A connection with {@code endpoint} was made by the hole punch. */
  private synchronized void punched(InetSocketAddress endpoint, long streamConnectedAt) {
    punched++;
    InetSocketAddress target = reflexiveOf.getOrDefault(endpoint, endpoint);
    Long asked = askedAt.get(target);
    if (asked == null) {
      // the relay named the target by another port than we asked for (its NAT's mapping)
      for (Map.Entry<InetSocketAddress, Long> e : askedAt.entrySet()) {
        if (e.getKey().getAddress().equals(target.getAddress())
            && (asked == null || e.getValue() - asked > 0)) {
          asked = e.getValue();
        }
      }
    }
    if (asked != null) {
      long ms = TimeUnit.NANOSECONDS.toMillis(streamConnectedAt - asked);
      if (ms < RETRY_AFTER.toMillis()) {
        if (punchMillis.size() == KEPT_TIMES) {
          punchMillis.removeFirst();
        }
        punchMillis.addLast(ms);
        LOG.debug("{}: connected {} ms after asking for a rendezvous", endpoint, ms);
      }
    }
  }

  private void disconnected(ConnectionKey key) {
    List<Action> actions;
    synchronized (this) {
      outboxes.remove(key);
      Link link = links.remove(key);
      if (link == null) {
        return;
      }
      byRef.remove(link.ref());
      link.swarm().relay.peerDisconnected(link.ref());
      link.swarm().requests.peerDisconnected(link.ref(), System.nanoTime());
      actions = drain(link.swarm());
    }
    act(actions);
  }

  private void tick() {
    List<Action> actions = new ArrayList<>();
    synchronized (this) {
      long now = System.nanoTime();
      for (Swarm s : swarms.values()) {
        long due = s.requests.pollTimeout();
        if (due != Long.MAX_VALUE && now - due >= 0) {
          s.requests.handleTimeout(now);
        }
        actions.addAll(drain(s));
      }
    }
    act(actions);
  }

  /** Moves the swarm's messages into the outboxes; returns its events. Under the monitor. */
  private List<Action> drain(Swarm swarm) {
    while (swarm.relay.pollOutgoing(out)) {
      queue(out);
    }
    while (swarm.requests.pollOutgoing(out)) {
      queue(out);
    }
    List<Action> actions = List.of();
    PunchEvent e;
    while ((e = swarm.requests.pollEvent()) != null) {
      if (actions.isEmpty()) {
        actions = new ArrayList<>(2);
      }
      actions.add(new Action(swarm.torrent, e));
      if (e instanceof PunchEvent.RequestFailed f) {
        failures.merge(f.failure(), 1L, Long::sum);
      }
    }
    return actions;
  }

  private void queue(Outgoing o) {
    Link to = byRef.get(o.to());
    if (to == null) {
      return;
    }
    encoded.clear();
    o.encode(encoded);
    encoded.flip();
    byte[] b = new byte[encoded.remaining()];
    encoded.get(b);
    ArrayDeque<byte[]> box = outboxes.computeIfAbsent(to.key(), k -> new ArrayDeque<>());
    if (box.size() < MAX_OUTBOX) {
      box.add(b);
    }
    if (outboxes.size() > MAX_OUTBOXES) {
      outboxes.remove(outboxes.keySet().iterator().next());
    }
  }

  /** Carries out events, outside the monitor. */
  private void act(List<Action> actions) {
    for (Action a : actions) {
      if (a.event() instanceof PunchEvent.PunchNow p) {
        punch(a.torrent(), p);
      } else if (a.event() instanceof PunchEvent.RequestFailed f) {
        LOG.debug("no hole punch to {}: {}", f.target(), f.failure().explanation());
        ConnectionLadder l = ladder;
        if (l != null) {
          l.holepunchFailed(f.target(), a.torrent(), f.failure().explanation());
        }
      }
    }
  }

  private void punch(TorrentId torrent, PunchEvent.PunchNow p) {
    InetSocketAddress target = p.endpoint();
    LOG.debug("punching {} ({})", target, p.initiatedByUs() ? "we asked" : "the other side asked");
    PeerConnector c = connector;
    if (c != null) {
      c.expectPunch(target);
    }
    try {
      udp.execute(
          () -> {
            long now = udp.clock().nanoTime();
            // With port prediction: a NAT that allocates ports in sequence (on either side) maps
            // the flows of the punch to ports after the ones the rendezvous saw; the two sides
            // probe those in the two orders that meet (PortPrediction).
            probes.punch(
                target,
                p.initiatedByUs() ? PortPrediction.Side.INITIATOR : PortPrediction.Side.TARGET,
                PortPrediction.SPAN,
                now);
          });
    } catch (RuntimeException e) {
      return; // the socket is closing
    }
    if (p.initiatedByUs()) {
      if (!dialsUtp) {
        // TCP only: simultaneous open from our listen port; the other side opens toward us
        // TCP_PUNCH_AFTER after its connect message, while our SYNs are still being retried
        tcpPunch(torrent, target, true);
        return;
      }
      // At once: the rendezvous sent connect to both sides together, so the target's punch leaves
      // its NAT one rendezvous-to-target delay after that, while our SYN reaches the target's NAT
      // a rendezvous-to-us delay plus an us-to-target delay after it, later wherever the triangle
      // inequality holds. A SYN that still arrives first (the target was late) is dropped, and
      // goes again as soon as the target's first probe reaches us (NodeSocket's triggered check),
      // not at µTP's one-second timer.
      if (awaitedAnswers.size() >= 256) {
        awaitedAnswers.clear();
      }
      awaitedAnswers.put(
          target.getAddress(),
          new AwaitedAnswer(
              torrent, target, udp.clock().nanoTime() + PeerConnector.PUNCH_WINDOW.toNanos()));
      dial(torrent, target, true);
      for (Duration after : REFLEXIVE_CHECKS) {
        schedule(() -> dialReflexive(torrent, target), after);
      }
    } else {
      // The asking side may dial TCP only: open TCP toward it too (simultaneous open), unless a
      // connection with it was made meanwhile (over µTP, the usual case).
      if (dialsTcp) {
        schedule(
            () -> {
              PeerConnector pc = connector;
              if (pc != null && !pc.connectedTo(torrent, target.getAddress())) {
                answerTcp(torrent, target);
              }
            },
            TCP_PUNCH_AFTER);
      }
    }
  }

  /**
   * A punch probe from {@code from} arrived (on the socket's thread: only a look-up here). When it
   * comes from the address of a target we punched toward, but from another port than the rendezvous
   * named, the target's NAT maps each destination apart and that port is its peer-reflexive
   * endpoint for us: dial it now rather than at the next check of {@link #REFLEXIVE_CHECKS}, which
   * stay for a probe that went unnoticed.
   */
  private void probeHeard(InetSocketAddress from, long nowNanos) {
    AwaitedAnswer a = awaitedAnswers.get(from.getAddress());
    if (a == null || from.equals(a.target())) {
      return;
    }
    if (nowNanos - a.untilNanos() > 0) {
      awaitedAnswers.remove(from.getAddress(), a);
      return;
    }
    if (awaitedAnswers.remove(from.getAddress(), a)) {
      schedule(() -> dialReflexive(a.torrent(), a.target()), Duration.ZERO);
    }
  }

  /**
   * When the target's probes came from another port of its address than the rendezvous named (its
   * NAT maps each destination apart), and no connection is made yet, dial that peer-reflexive
   * endpoint too.
   */
  private void dialReflexive(TorrentId torrent, InetSocketAddress target) {
    synchronized (this) {
      if (reached.contains(target)) {
        return;
      }
    }
    InetSocketAddress seen;
    try {
      seen =
          udp.call(
              () ->
                  probes.lastHeardFrom(
                      target.getAddress(),
                      udp.clock().nanoTime() - PeerConnector.PUNCH_WINDOW.toNanos()),
              Duration.ofSeconds(1));
    } catch (IOException | RuntimeException e) {
      return;
    }
    if (seen == null || seen.equals(target)) {
      return;
    }
    synchronized (this) {
      if (reached.contains(target) || reflexiveOf.containsKey(seen)) {
        return;
      }
      if (reflexiveOf.size() >= 256) {
        reflexiveOf.remove(reflexiveOf.keySet().iterator().next());
      }
      reflexiveOf.put(seen, target);
      reflexiveDials++;
    }
    LOG.debug("{} answers from {}: dialling that peer-reflexive endpoint", target, seen);
    PeerConnector c = connector;
    if (c != null) {
      c.expectPunch(seen);
    }
    dial(torrent, seen, false);
  }

  /**
   * Dials {@code target} over µTP on the dialler thread; the stream enters through the acceptor.
   */
  private void dial(TorrentId torrent, InetSocketAddress target, boolean verdict) {
    PeerConnector c = connector;
    if (c == null) {
      return;
    }
    try {
      dialler.execute(
          () -> {
            boolean ok = c.dialPunched(target, torrent);
            synchronized (this) {
              if (ok) {
                dialledAfterPunch++;
                reached.add(reflexiveOf.getOrDefault(target, target));
                if (reached.size() > 1024) {
                  reached.clear();
                }
              } else {
                dialFailedAfterPunch++;
              }
            }
            LOG.debug("{} after the hole punch: {}", target, ok ? "connected" : "failed");
            if (!ok && verdict) {
              schedule(() -> verdict(torrent, target), VERDICT_AFTER);
            }
          });
    } catch (RejectedExecutionException e) {
      // closing
    }
  }

  /**
   * TCP simultaneous open with {@code target} on the dialler thread ({@link
   * PeerConnector#punchTcp}); as the side that asked ({@code initiator}), a failure is the punch's
   * failure for the ladder.
   */
  private void tcpPunch(TorrentId torrent, InetSocketAddress target, boolean initiator) {
    PeerConnector c = connector;
    if (c == null) {
      return;
    }
    try {
      dialler.execute(
          () -> {
            boolean ok = c.punchTcp(target, torrent, initiator);
            synchronized (this) {
              if (ok) {
                tcpPunched++;
                reached.add(target);
              } else if (initiator) {
                dialFailedAfterPunch++;
              }
            }
            LOG.debug(
                "TCP simultaneous open with {} ({}): {}",
                target,
                initiator ? "we asked" : "it asked",
                ok ? "connected" : "failed");
            if (!ok && initiator) {
              verdict(torrent, target);
            }
          });
    } catch (RejectedExecutionException e) {
      // closing
    }
  }

  /**
   * The other side's TCP punch, on its own thread (so that a rendezvous sending many connects
   * cannot hold our dialler), once per target at a time; at most {@value #MAX_TCP_ANSWERS} wait.
   */
  private void answerTcp(TorrentId torrent, InetSocketAddress target) {
    PeerConnector c = connector;
    if (c == null || tcpAnswering.size() >= MAX_TCP_ANSWERS || !tcpAnswering.add(target)) {
      return;
    }
    try {
      tcpAnswers.execute(
          () -> {
            try {
              boolean ok = c.punchTcp(target, torrent, false);
              if (ok) {
                synchronized (this) {
                  tcpPunched++;
                }
              }
              LOG.debug(
                  "TCP simultaneous open with {} (it asked): {}", target, ok ? "made" : "not");
            } finally {
              tcpAnswering.remove(target);
            }
          });
    } catch (RejectedExecutionException e) {
      tcpAnswering.remove(target); // closing
    }
  }

  private static final int MAX_TCP_ANSWERS = 8;

  /**
   * Our dial after the punch failed a moment ago: unless a peer-reflexive dial or the target's own
   * SYN made the connection meanwhile, the punch failed, and the ladder goes on.
   */
  private void verdict(TorrentId torrent, InetSocketAddress target) {
    PeerConnector c = connector;
    synchronized (this) {
      if (reached.contains(target)) {
        return;
      }
    }
    if (c == null || c.connectedTo(torrent, target.getAddress())) {
      return;
    }
    ConnectionLadder l = ladder;
    if (l != null) {
      l.holepunchFailed(target, torrent, "no µTP connection after the punch");
    }
  }

  private void schedule(Runnable r, Duration after) {
    try {
      var unused = timer.schedule(r, after.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // closing
    }
  }

  /** The counters now. */
  synchronized Counters counters() {
    long introduced = 0;
    long invited = 0;
    long relayed = 0;
    long refused = 0;
    long limited = 0;
    long malformed = 0;
    for (Swarm s : swarms.values()) {
      PunchRequests.Counters q = s.requests.counters();
      Rendezvous.Counters r = s.relay.counters();
      introduced += q.punchesInitiated();
      invited += q.punchesInvited();
      relayed += r.relayed();
      refused +=
          r.refusedNoSuchPeer()
              + r.refusedNotConnected()
              + r.refusedNoSupport()
              + r.refusedNoSelf();
      limited += r.rateLimited();
      malformed += r.malformed();
    }
    return new Counters(
        unreachable,
        asked,
        noRendezvous,
        introduced,
        invited,
        dialledAfterPunch,
        dialFailedAfterPunch,
        punched,
        reflexiveDials,
        tcpPunched,
        List.copyOf(punchMillis),
        Map.copyOf(failures),
        relayed,
        refused,
        limited,
        malformed);
  }

  /** Punch probes sent and received by the node's socket, or null when it did not answer. */
  long[] probeCounters() {
    try {
      return udp.call(() -> new long[] {probes.sent(), probes.received()}, Duration.ofSeconds(2));
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    dialler.shutdownNow();
    tcpAnswers.shutdownNow();
  }
}
