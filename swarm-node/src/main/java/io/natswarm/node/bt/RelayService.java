package io.natswarm.node.bt;

import bt.event.EventSource;
import bt.metainfo.TorrentId;
import bt.net.ConnectionKey;
import bt.net.IPeerConnectionPool;
import bt.net.PeerConnection;
import bt.protocol.extended.ExtendedHandshake;
import bt.torrent.messaging.MessageContext;
import io.natswarm.holepunch.punch.PeerRef;
import io.natswarm.holepunch.relay.RelayCipher;
import io.natswarm.holepunch.relay.RelayCodec;
import io.natswarm.holepunch.relay.RelayMessage;
import io.natswarm.holepunch.relay.RelayMessageType;
import io.natswarm.holepunch.relay.RelayOutgoing;
import io.natswarm.holepunch.relay.RelayParsed;
import io.natswarm.holepunch.relay.RelayReason;
import io.natswarm.holepunch.relay.RelaySwitch;
import io.natswarm.node.DaemonThreads;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ladder's relay step: {@code ns_relay}, natswarm's BEP 10 extension, between Bt's connections
 * and the {@code holepunch} module's sans-IO cores. Per torrent, a {@link RelaySwitch} relays
 * circuits between two of our peers; and our own circuits end here as {@link RelayPeerStream}s,
 * end-to-end encrypted by {@link RelayCipher} (keys bound to the info-hash and both peer ids), that
 * enter Bt through the same acceptor as any other stream.
 *
 * <p>When the {@link ConnectionLadder} reaches this rung for an endpoint (the direct dial failed
 * and the hole punch failed or could not be tried), we ask our connected {@code ns_relay} peers of
 * that torrent, one after another (those we dialled first: they are reachable, so the target may
 * have reached them too), to join us to it.
 *
 * <p>Circuit ids: on each connection an id is chosen by the side that opened the hop (CONNECT: the
 * initiator, ids below 2<sup>30</sup>; INCOMING: the relay, ids with bit 30 set), and every message
 * sent by the other side of the hop carries it with bit 31 set. So a receiver tells its four kinds
 * of circuits apart without asking the other side: bit 31 equal to bit 30 means a hop whose relay
 * we are (our {@link RelaySwitch}), different means one of our own ends.
 *
 * <p>Threads: Bt's message-dispatch threads call {@link #handshake} and {@link #received}, its
 * connection workers (through the {@link ConnectionLadder}) {@link #ask}; the cores and maps are
 * guarded by this object's monitor, never held while calling Bt; every message leaves on this
 * service's one sender thread, in order (a relayed stream's frames must arrive in the order they
 * were sealed), and deadlines run on its timer thread.
 */
public final class RelayService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RelayService.class);

  /** A target we asked a relay for is not asked about again sooner than this. */
  static final Duration RETRY_AFTER = Duration.ofSeconds(60);

  /** Credit each end of a circuit starts with (what a relay allows in flight). */
  static final int WINDOW = RelayCodec.INITIAL_WINDOW;

  /** Circuits one relay peer may open to us at a time. */
  static final int MAX_TARGET_ENDS_PER_LINK = 4;

  /**
   * How long a relay peer may take to answer our CONNECT (its switch waits 10 s for the target).
   */
  static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(15);

  /** Bytes queued for the sender thread above which DATA is dropped (its circuit then fails). */
  static final long MAX_QUEUED_BYTES = 16L << 20;

  static final int NOT_OPENER = 0x80000000;
  static final int BY_INCOMING = 0x40000000;
  private static final int OWN_IDS = 0x3fffffff;
  private static final long TICK_MILLIS = 500;
  private static final int KEPT_TIMES = 64;

  /**
   * The relay's counters since the node started.
   *
   * @param asked targets we asked a relay peer to join us to
   * @param noRelay targets unreachable for which no connected peer speaks ns_relay
   * @param connected our circuits that a relay and the target accepted (dialled side)
   * @param accepted circuits to us that we accepted (target side)
   * @param refused our requests refused, by reason (each relay peer asked counts)
   * @param ended our circuits that ended badly: a frame failed authentication or overran credit
   * @param relayMillis of the circuits we made, milliseconds from asking a relay peer to its
   *     circuit, the last {@value #KEPT_TIMES} at most
   * @param served circuits we relayed between two of our peers
   * @param servedRefused circuits we refused to relay, by reason
   * @param bytesRelayed bytes of DATA we forwarded for others
   * @param dataDropped DATA messages dropped because the sender thread's queue was full (each fails
   *     its circuit)
   * @param malformed ns_relay payloads that did not parse, ignored
   */
  public record Counters(
      long asked,
      long noRelay,
      long connected,
      long accepted,
      Map<RelayReason, Long> refused,
      long ended,
      List<Long> relayMillis,
      long served,
      Map<RelayReason, Long> servedRefused,
      long bytesRelayed,
      long dataDropped,
      long malformed) {}

  private static final class Swarm {
    final TorrentId torrent;
    final RelaySwitch relay;

    Swarm(TorrentId torrent, boolean enabled) {
      this.torrent = torrent;
      this.relay = new RelaySwitch(RelaySwitch.Settings.DEFAULTS, enabled);
    }
  }

  private record Link(
      PeerRef ref, ConnectionKey key, Swarm swarm, boolean speaks, boolean dialled) {}

  private record EndKey(long link, int id) {}

  /** One of our circuits: the initiator's end (we asked) or the target's (we were asked). */
  private final class End implements RelayPeerStream.Circuit {
    final boolean initiator;
    final InetSocketAddress remote;
    final TorrentId torrent;
    final long startedNanos;
    final ArrayDeque<Link> candidates;
    Link via;
    long askedNanos; // when the current relay peer was asked
    int id; // as we send it
    RelayCipher cipher;
    RelayPeerStream stream;

    End(
        boolean initiator,
        InetSocketAddress remote,
        TorrentId torrent,
        long startedNanos,
        ArrayDeque<Link> candidates) {
      this.initiator = initiator;
      this.remote = remote;
      this.torrent = torrent;
      this.startedNanos = startedNanos;
      this.candidates = candidates;
    }

    EndKey key() {
      return new EndKey(via.ref().id(), id & ~NOT_OPENER);
    }

    @Override
    public void sendData(byte[] frame) {
      send(via.key(), RelayMessage.data(id, ByteBuffer.wrap(frame)));
    }

    @Override
    public void grant(int credit) {
      send(via.key(), RelayMessage.window(id, credit));
    }

    @Override
    public void close() {
      synchronized (RelayService.this) {
        ends.remove(key(), this);
      }
      send(via.key(), RelayMessage.close(id, RelayReason.NORMAL));
    }
  }

  private final boolean enabled;
  private final Supplier<byte[]> ownPeerId;
  private final SecureRandom random = new SecureRandom();
  private final ScheduledExecutorService timer;
  private final ExecutorService sender;
  private final Map<TorrentId, Swarm> swarms = new HashMap<>();
  private final Map<ConnectionKey, Link> links = new HashMap<>();
  private final Map<PeerRef, Link> byRef = new HashMap<>();
  private final Map<EndKey, End> ends = new HashMap<>();
  private final Map<InetSocketAddress, Long> askedAt = new HashMap<>();
  private final Map<RelayReason, Long> refused = new EnumMap<>(RelayReason.class);
  private final ArrayDeque<Long> relayMillis = new ArrayDeque<>();
  private final RelayOutgoing out = new RelayOutgoing();
  private long nextRef;
  private int nextId;
  private long asked;
  private long noRelay;
  private long connected;
  private long accepted;
  private long endedBadly;
  private long malformed;
  private final java.util.concurrent.atomic.AtomicLong queuedBytes =
      new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong droppedData =
      new java.util.concurrent.atomic.AtomicLong();
  private volatile IPeerConnectionPool pool;
  private volatile PeerConnector connector;
  private volatile NodeTransport transport;
  private volatile ConnectionLadder ladder;

  /**
   * {@code ownPeerId} is Bt's peer id of this node, asked once Bt runs; when not {@code enabled}
   * the node neither relays nor asks to be relayed, and refuses circuits to itself (DISABLED).
   */
  RelayService(boolean enabled, Supplier<byte[]> ownPeerId) {
    this.enabled = enabled;
    this.ownPeerId = ownPeerId;
    this.timer = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("natswarm-relay"));
    this.sender = Executors.newSingleThreadExecutor(DaemonThreads.named("natswarm-relay-send"));
  }

  /** Bt's services, once its runtime exists; starts the deadline timer. */
  void attach(
      IPeerConnectionPool pool,
      EventSource events,
      PeerConnector connector,
      NodeTransport transport,
      ConnectionLadder ladder) {
    this.pool = pool;
    this.connector = connector;
    this.transport = transport;
    this.ladder = ladder;
    events.onPeerDisconnected(null, e -> disconnected(e.getConnectionKey()));
    var unused =
        timer.scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
  }

  /** A peer's BEP 10 handshake: register its connection with its torrent's switch. */
  void handshake(ExtendedHandshake handshake, MessageContext context) {
    StreamPeerConnection s = StreamPeerConnection.of(pool, context);
    if (s == null) {
      return;
    }
    ConnectionKey key = context.getConnectionKey();
    TorrentId torrent = context.getTorrentId();
    // a relayed connection is no relay itself: circuits inside circuits would multiply every cost
    boolean speaks =
        handshake.getSupportedMessageTypes().contains(RelayCodec.EXTENSION_NAME)
            && !(s.stream() instanceof RelayPeerStream);
    InetSocketAddress endpoint = HolepunchService.listeningEndpoint(s, handshake);
    InetSocketAddress alias = HolepunchService.alias(s, handshake, endpoint);
    byte[] peerId = s.peerId();
    List<Send> sends;
    synchronized (this) {
      if (s.isClosed()) {
        return; // its disconnect event may have come and gone: registering it would leave it here
      }
      Swarm swarm = swarms.computeIfAbsent(torrent, t -> new Swarm(t, enabled));
      Link link = links.get(key);
      PeerRef ref = link == null || link.swarm() != swarm ? new PeerRef(++nextRef) : link.ref();
      link = new Link(ref, key, swarm, speaks, s.stream().outgoing());
      links.put(key, link);
      byRef.put(ref, link);
      swarm.relay.peerConnected(
          ref, endpoint, alias, peerId == null ? new byte[20] : peerId, speaks && peerId != null);
      sends = drain(swarm);
    }
    send(sends);
  }

  /** An ns_relay payload from connection {@code key}. */
  void received(byte[] payload, ConnectionKey key) {
    List<Send> sends = new ArrayList<>();
    List<Runnable> after = new ArrayList<>(1);
    synchronized (this) {
      Link link = links.get(key);
      if (link == null) {
        return; // before its BEP 10 handshake
      }
      RelayParsed parsed = RelayCodec.parse(payload);
      if (!parsed.ok()) {
        malformed++;
        return;
      }
      RelayMessage m = parsed.message();
      int id = m.circuit();
      boolean notOpener = (id & NOT_OPENER) != 0;
      boolean byIncoming = (id & BY_INCOMING) != 0;
      if (m.type() == RelayMessageType.CONNECT
          || (m.type() != RelayMessageType.INCOMING && notOpener == byIncoming)) {
        link.swarm().relay.onMessage(link.ref(), m, System.nanoTime());
        sends.addAll(drain(link.swarm()));
      } else if (m.type() == RelayMessageType.INCOMING) {
        incoming(link, m, sends, after);
      } else {
        End e = ends.get(new EndKey(link.ref().id(), id & ~NOT_OPENER));
        if (e != null) {
          atEnd(e, m, sends, after);
        }
      }
    }
    send(sends);
    after.forEach(Runnable::run);
  }

  /** Under the monitor: another peer, through {@code link}, wants a circuit to us. */
  private void incoming(Link link, RelayMessage m, List<Send> sends, List<Runnable> after) {
    int reply = m.circuit() | NOT_OPENER;
    if ((m.circuit() & (NOT_OPENER | BY_INCOMING)) != BY_INCOMING) {
      sends.add(new Send(link.key(), RelayMessage.refuse(reply, RelayReason.PROTOCOL)));
      return;
    }
    if (!enabled) {
      sends.add(new Send(link.key(), RelayMessage.refuse(reply, RelayReason.DISABLED)));
      return;
    }
    byte[] own = ownPeerId.get();
    InetSocketAddress from = m.endpoint();
    // Both sides may ask at once: the circuit of the peer with the lower id wins.
    EndKey key = new EndKey(link.ref().id(), reply & ~NOT_OPENER);
    if (ends.containsKey(key)) {
      sends.add(new Send(link.key(), RelayMessage.refuse(reply, RelayReason.PROTOCOL)));
      return;
    }
    int targetEnds = 0;
    for (End e : ends.values()) {
      if (!e.initiator && e.via.equals(link)) {
        targetEnds++;
      }
    }
    if (targetEnds >= MAX_TARGET_ENDS_PER_LINK) {
      sends.add(new Send(link.key(), RelayMessage.refuse(reply, RelayReason.TOO_MANY_CIRCUITS)));
      return;
    }
    for (End e : List.copyOf(ends.values())) {
      if (e.initiator
          && e.stream == null // a circuit still being made; an open one stays
          && e.torrent.equals(link.swarm().torrent)
          && e.remote.getAddress().equals(from.getAddress())) {
        if (java.util.Arrays.compareUnsigned(own, m.peerId()) < 0) {
          sends.add(new Send(link.key(), RelayMessage.refuse(reply, RelayReason.REFUSED)));
          return;
        }
        dropEnd(e, sends, after, "the other side's circuit won");
      }
    }
    RelayCipher cipher =
        RelayCipher.target(link.swarm().torrent.getBytes(), own, m.key(), m.peerId(), random);
    if (cipher == null) {
      sends.add(new Send(link.key(), RelayMessage.refuse(reply, RelayReason.REFUSED)));
      return;
    }
    End e = new End(false, from, link.swarm().torrent, System.nanoTime(), new ArrayDeque<>());
    e.via = link;
    e.id = reply;
    e.cipher = cipher;
    e.stream = new RelayPeerStream(cipher, from, false, WINDOW);
    e.stream.attach(e);
    ends.put(e.key(), e);
    accepted++;
    sends.add(new Send(link.key(), RelayMessage.accept(reply, cipher.publicKey(), own)));
    RelayPeerStream stream = e.stream;
    after.add(
        () -> {
          NodeTransport t = transport;
          if (t == null || !t.acceptStream(stream)) {
            stream.close();
          } else {
            LOG.debug("relayed circuit from {} accepted", from);
          }
        });
  }

  /** Under the monitor: a message for one of our ends. */
  private void atEnd(End e, RelayMessage m, List<Send> sends, List<Runnable> after) {
    switch (m.type()) {
      case ACCEPT -> {
        if (!e.initiator || e.stream != null) {
          return;
        }
        if (!e.cipher.complete(m.key(), m.peerId())) {
          sends.add(new Send(e.via.key(), RelayMessage.close(e.id, RelayReason.PROTOCOL)));
          ends.remove(e.key());
          endedBadly++;
          return;
        }
        e.stream = new RelayPeerStream(e.cipher, e.remote, true, WINDOW);
        e.stream.attach(e);
        connected++;
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - e.startedNanos);
        if (relayMillis.size() == KEPT_TIMES) {
          relayMillis.removeFirst();
        }
        relayMillis.addLast(ms);
        RelayPeerStream stream = e.stream;
        TorrentId torrent = e.torrent;
        after.add(
            () -> {
              PeerConnector c = connector;
              if (c == null || !c.dialRelayed(stream, torrent)) {
                stream.close();
              }
            });
        LOG.debug("relayed circuit to {} through {} accepted", e.remote, e.via.key());
      }
      case REFUSE -> {
        if (!e.initiator || e.stream != null) {
          return;
        }
        ends.remove(e.key());
        refused.merge(m.reason(), 1L, Long::sum);
        LOG.debug("relay {} refused a circuit to {}: {}", e.via.key(), e.remote, m.reason());
        if (retryable(m.reason())) {
          tryNext(e, sends, after);
        } else {
          e.candidates.clear();
          tryNext(e, sends, after); // tells the ladder
        }
      }
      case DATA -> {
        if (e.stream != null && !e.stream.deliver(m.data())) {
          endedBadly++;
          ends.remove(e.key());
          sends.add(new Send(e.via.key(), RelayMessage.close(e.id, RelayReason.PROTOCOL)));
        }
      }
      case WINDOW -> {
        if (e.stream != null) {
          e.stream.credit(m.code());
        }
      }
      case CLOSE -> {
        ends.remove(e.key());
        if (e.stream != null) {
          RelayPeerStream s = e.stream;
          String why = "closed by the relay or the other end (" + m.reason() + ")";
          after.add(() -> s.remoteClosed(why));
        }
      }
      default -> {
        // CONNECT and INCOMING never reach an end
      }
    }
  }

  private static boolean retryable(RelayReason r) {
    return r == RelayReason.NOT_CONNECTED
        || r == RelayReason.NO_SUPPORT
        || r == RelayReason.TOO_MANY_CIRCUITS
        || r == RelayReason.DISABLED
        || r == RelayReason.TIME_EXCEEDED;
  }

  /**
   * Under the monitor: asks the next candidate relay for {@code e}; when none is left, the ladder
   * is told (by a task added to {@code after}).
   */
  private void tryNext(End e, List<Send> sends, List<Runnable> after) {
    while (!e.candidates.isEmpty()) {
      Link via = e.candidates.poll();
      if (!via.equals(links.get(via.key()))) {
        continue; // disconnected meanwhile
      }
      e.via = via;
      e.askedNanos = System.nanoTime();
      nextId = (nextId + 1) & OWN_IDS;
      if (nextId == 0) {
        nextId = 1;
      }
      e.id = nextId;
      e.cipher = RelayCipher.initiator(e.torrent.getBytes(), ownPeerId.get(), random);
      ends.put(e.key(), e);
      sends.add(new Send(via.key(), RelayMessage.connect(e.id, e.cipher.publicKey(), e.remote)));
      return;
    }
    ConnectionLadder l = ladder;
    if (l != null) {
      InetSocketAddress target = e.remote;
      TorrentId torrent = e.torrent;
      after.add(() -> l.relayFailed(target, torrent, "no relay peer made a circuit"));
    }
  }

  private void dropEnd(End e, List<Send> sends, List<Runnable> after, String why) {
    ends.remove(e.key());
    sends.add(new Send(e.via.key(), RelayMessage.close(e.id, RelayReason.NORMAL)));
    if (e.stream != null) {
      RelayPeerStream s = e.stream;
      after.add(() -> s.remoteClosed(why));
    }
  }

  /** Whether the node relays and asks to be relayed ({@code nat.peer_relay}). */
  boolean enabled() {
    return enabled;
  }

  /** Whether a connected peer of {@code torrent} speaks ns_relay (and could be asked). */
  synchronized boolean canAsk(TorrentId torrent) {
    if (!enabled) {
      return false;
    }
    Swarm swarm = swarms.get(torrent);
    if (swarm == null) {
      return false;
    }
    for (Link l : links.values()) {
      if (l.swarm() == swarm && l.speaks()) {
        return true;
      }
    }
    return false;
  }

  /**
   * The ladder's relay rung: asks our connected ns_relay peers of {@code torrent}, one after
   * another (those we dialled first: they are reachable, so the target may have reached them too),
   * to join us to {@code target}.
   *
   * @return whether a relay peer was asked
   */
  boolean ask(InetSocketAddress target, TorrentId torrent) {
    PeerConnector c = connector;
    if (!enabled || c == null || torrent == null || c.connectedTo(torrent, target.getAddress())) {
      return false;
    }
    List<Send> sends = new ArrayList<>(1);
    synchronized (this) {
      long now = System.nanoTime();
      Long last = askedAt.get(target);
      if (last != null && now - last < RETRY_AFTER.toNanos()) {
        return false;
      }
      for (End e : ends.values()) {
        if (e.torrent.equals(torrent) && e.remote.getAddress().equals(target.getAddress())) {
          return true; // a circuit with it exists or is being made
        }
      }
      Swarm swarm = swarms.get(torrent);
      ArrayDeque<Link> candidates = new ArrayDeque<>();
      if (swarm != null) {
        List<Link> accepted = new ArrayList<>();
        for (Link l : links.values()) {
          if (l.swarm() == swarm && l.speaks()) {
            (l.dialled() ? candidates : accepted).add(l);
          }
        }
        candidates.addAll(accepted);
      }
      if (candidates.isEmpty()) {
        noRelay++;
        return false;
      }
      if (askedAt.size() > 1024) {
        askedAt.values().removeIf(t -> now - t >= RETRY_AFTER.toNanos());
      }
      askedAt.put(target, now);
      asked++;
      End e = new End(true, target, torrent, now, candidates);
      LOG.debug("{} is unreachable: asking up to {} peer(s) to relay", target, candidates.size());
      tryNext(e, sends, new ArrayList<>());
    }
    send(sends);
    return true;
  }

  private void disconnected(ConnectionKey key) {
    List<Send> sends = new ArrayList<>();
    List<Runnable> after = new ArrayList<>();
    synchronized (this) {
      Link link = links.remove(key);
      if (link == null) {
        return;
      }
      byRef.remove(link.ref());
      link.swarm().relay.peerDisconnected(link.ref(), System.nanoTime());
      sends.addAll(drain(link.swarm()));
      List<End> retry = new ArrayList<>();
      for (Iterator<End> it = ends.values().iterator(); it.hasNext(); ) {
        End e = it.next();
        if (e.via.equals(link)) {
          it.remove();
          if (e.stream != null) {
            RelayPeerStream s = e.stream;
            after.add(() -> s.remoteClosed("the connection with the relay closed"));
          } else if (e.initiator) {
            retry.add(e);
          }
        }
      }
      for (End e : retry) {
        tryNext(e, sends, after); // after the loop: it puts into ends
      }
    }
    send(sends);
    after.forEach(Runnable::run);
  }

  private void tick() {
    List<Send> sends = new ArrayList<>();
    List<Runnable> after = new ArrayList<>();
    synchronized (this) {
      long now = System.nanoTime();
      List<End> silent = new ArrayList<>();
      for (End e : ends.values()) {
        if (e.initiator && e.stream == null && now - e.askedNanos > ANSWER_TIMEOUT.toNanos()) {
          silent.add(e);
        }
      }
      for (End e : silent) {
        // the relay peer never answered: give up on it (telling it, in case it still might) and
        // ask the next one
        ends.remove(e.key());
        refused.merge(RelayReason.TIME_EXCEEDED, 1L, Long::sum);
        sends.add(new Send(e.via.key(), RelayMessage.close(e.id, RelayReason.TIME_EXCEEDED)));
        tryNext(e, sends, after);
      }
      for (Swarm s : swarms.values()) {
        long due = s.relay.nextDeadlineNanos(now);
        if (due != Long.MAX_VALUE && now - due >= 0) {
          s.relay.onTimer(now);
        }
        sends.addAll(drain(s));
      }
    }
    send(sends);
    after.forEach(Runnable::run);
  }

  /** One encoded message for one connection. */
  private static final class Send {
    private final ConnectionKey to;
    private final byte[] payload;
    private final boolean data;

    Send(ConnectionKey to, RelayMessage m) {
      this.to = to;
      this.payload = RelayCodec.encode(m);
      this.data = m.type() == RelayMessageType.DATA;
    }

    ConnectionKey to() {
      return to;
    }

    byte[] payload() {
      return payload;
    }
  }

  /** Under the monitor: the switch's messages, encoded. */
  private List<Send> drain(Swarm swarm) {
    List<Send> sends = List.of();
    while (swarm.relay.pollOutgoing(out)) {
      Link to = byRef.get(out.to());
      if (to == null) {
        continue;
      }
      if (sends.isEmpty()) {
        sends = new ArrayList<>();
      }
      sends.add(new Send(to.key(), out.message()));
    }
    return sends;
  }

  private void send(ConnectionKey to, RelayMessage m) {
    send(List.of(new Send(to, m)));
  }

  /** Queues {@code sends} on the sender thread, in order. */
  private void send(List<Send> sends) {
    if (sends.isEmpty()) {
      return;
    }
    List<Send> taken = sends;
    long bytes = 0;
    for (Send s : sends) {
      bytes += s.payload.length;
    }
    if (queuedBytes.get() + bytes > MAX_QUEUED_BYTES) {
      // A link that does not drain (a slow or stalled peer holds the sender thread in Bt's send)
      // must not grow this queue without bound: DATA is dropped, and the circuit it belonged to
      // fails at its far end (the next frame does not open), which closes it.
      taken = new ArrayList<>(sends.size());
      bytes = 0;
      for (Send s : sends) {
        if (s.data) {
          droppedData.incrementAndGet();
        } else {
          taken.add(s);
          bytes += s.payload.length;
        }
      }
    }
    List<Send> batch = taken;
    long batchBytes = bytes;
    queuedBytes.addAndGet(batchBytes);
    try {
      sender.execute(
          () -> {
            IPeerConnectionPool p = pool;
            try {
              if (p != null) {
                post(p, batch);
              }
            } finally {
              queuedBytes.addAndGet(-batchBytes);
            }
          });
    } catch (RejectedExecutionException e) {
      queuedBytes.addAndGet(-batchBytes); // closing
    }
  }

  /** On the sender thread: posts each message on its connection, in order. */
  private static void post(IPeerConnectionPool p, List<Send> batch) {
    for (Send s : batch) {
      PeerConnection c = p.getConnection(s.to());
      if (c == null || c.isClosed()) {
        continue;
      }
      try {
        c.postMessage(new UtRelayMessage(s.payload()));
      } catch (java.io.IOException | RuntimeException e) {
        LOG.debug("relay message to {} not sent: {}", s.to(), e.toString());
      }
    }
  }

  /** The counters now. */
  synchronized Counters counters() {
    long served = 0;
    long bytes = 0;
    Map<RelayReason, Long> servedRefused = new EnumMap<>(RelayReason.class);
    for (Swarm s : swarms.values()) {
      RelaySwitch.Counters c = s.relay.counters();
      served += c.circuitsOpened();
      bytes += c.bytesRelayed();
      c.circuitsRefused().forEach((r, n) -> servedRefused.merge(r, n, Long::sum));
    }
    return new Counters(
        asked,
        noRelay,
        connected,
        accepted,
        Map.copyOf(refused),
        endedBadly,
        List.copyOf(relayMillis),
        served,
        Map.copyOf(servedRefused),
        bytes,
        droppedData.get(),
        malformed);
  }

  @Override
  public void close() {
    timer.shutdownNow();
    sender.shutdownNow();
  }
}
