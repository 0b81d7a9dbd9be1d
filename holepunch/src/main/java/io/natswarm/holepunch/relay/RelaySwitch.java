package io.natswarm.holepunch.relay;

import io.natswarm.holepunch.punch.PeerRef;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The relay R of ns_relay (see {@link RelayCodec} for the messages): joins a connected peer I (the
 * initiator) to another connected peer T (the target) at I's request, and forwards the end-to-end
 * encrypted DATA (sealed by {@link RelayCipher} at the ends, opaque here) and WINDOW messages
 * between the two connections, translating circuit ids: I's id on hop I–R, R's own id on hop R–T.
 * Ids follow {@link RelayCodec}'s convention: I's CONNECT id is below 2<sup>30</sup>, R picks its
 * INCOMING ids with bit 30 set, and messages from the side that did not open a hop carry its id
 * with bit 31 set (R's to I, T's to R).
 *
 * <p>Sans-IO and owned by the node's engine thread (the thread that owns the peer connections); it
 * holds no lock and reads no clock. The engine tells it which peers are connected ({@link
 * #peerConnected}, {@link #peerDisconnected}), hands it the ns_relay payloads meant for a relay
 * ({@link #handlePayload}; bit 31 equal to bit 30 marks them, {@link #relays} answers for one),
 * drains the messages to send with {@link #pollOutgoing}, and calls {@link #onTimer} at {@link
 * #nextDeadlineNanos}. Keep one per torrent: it joins peers of one swarm.
 *
 * <p>A CONNECT is answered, in this order: relaying off: REFUSE {@link RelayReason#DISABLED}; the
 * circuit id not below 2<sup>30</sup>, or already used by the sender's CONNECTs on its link: {@link
 * RelayReason#PROTOCOL}; the endpoint is ours ({@link #addOwnEndpoint}) or the sender's: {@link
 * RelayReason#NO_SELF}; no connected peer at exactly that endpoint or alias: {@link
 * RelayReason#NOT_CONNECTED}; the target did not advertise ns_relay: {@link
 * RelayReason#NO_SUPPORT}; the sender or the target already has {@code maxCircuitsPerPeer} circuits
 * (as either end), the switch has {@code maxCircuits}, or the queue has no room: {@link
 * RelayReason#TOO_MANY_CIRCUITS}. Otherwise the target gets INCOMING with I's key, I's peer id
 * (from R's BitTorrent handshake with I) and I's endpoint (its alias when that, and not the
 * endpoint, is of the target's address family) and the circuit is pending until T's ACCEPT
 * (forwarded to I with T's peer id as R knows it; the circuit is open) or REFUSE (forwarded with
 * its reason; the circuit is gone) or {@code acceptTimeout} (REFUSE to I and CLOSE to T, both
 * {@link RelayReason#TIME_EXCEEDED}).
 *
 * <p>An open circuit forwards DATA and WINDOW each way. Each direction starts with {@code window}
 * bytes of credit (ns_relay v1: {@link RelayCodec#INITIAL_WINDOW}, which the ends assume too); DATA
 * spends its length, a WINDOW from the receiving end adds to it. A sender overrunning its credit
 * ends the circuit with {@link RelayReason#WINDOW_EXCEEDED}; data past {@code maxBytesPerCircuit}
 * (both directions together) with {@link RelayReason#BYTES_EXCEEDED}; a circuit older than {@code
 * maxLifetime} (counted from its CONNECT) with {@link RelayReason#TIME_EXCEEDED}; a message the
 * circuit's state does not allow (DATA or WINDOW before ACCEPT, a second ACCEPT, REFUSE of an open
 * circuit) with {@link RelayReason#PROTOCOL}. R ends a circuit by telling both ends (CLOSE; to an
 * initiator still waiting, REFUSE); a CLOSE from one end, or its disconnection ({@link
 * RelayReason#PEER_GONE}), is passed to the other end only, with the same reason byte.
 *
 * <p>Ignored and counted, never answered (an answer could start a ping-pong between two relays):
 * malformed payloads; any message other than CONNECT for a circuit id unknown on the sender's link
 * ({@code unknownCircuit}); a message only a relay sends or one from the wrong end (INCOMING, and
 * ACCEPT or REFUSE from the initiator; {@code misdirected}); messages from peers not registered as
 * connected with ns_relay ({@code ignoredSenders}). Nothing is ever addressed to a peer not
 * registered as connected with ns_relay, and a peer's queued messages are dropped when it goes.
 *
 * <p>The queue holds {@link #OUTGOING_CAPACITY} messages (more when {@code maxCircuits} needs it)
 * and always keeps room for two messages per live circuit, so that a circuit can always be ended
 * properly. A message that does not fit is not queued: a refusal is dropped, and a circuit whose
 * forwarded message does not fit is ended with {@link RelayReason#BYTES_EXCEEDED} (the relay holds
 * as much as it can); both count in {@code queueFull}. Credit bounds the queued data of a circuit
 * to {@code window} bytes each way, so this happens only when the engine does not drain the queue
 * or a sender floods it with tiny frames.
 *
 * <p>Memory: forwarded data is copied once, into a new array held by the queued DATA message, so
 * the switch keeps no reference to a payload buffer after {@link #handlePayload} or {@link
 * #onMessage} returns and the engine may reuse it at once.
 */
public final class RelaySwitch {
  /**
   * Settings of the relay.
   *
   * @param maxCircuitsPerPeer circuits a peer may be an end of at once
   * @param maxCircuits circuits (pending or open) at once
   * @param maxBytesPerCircuit data bytes a circuit carries, both directions together
   * @param maxLifetime how long a circuit lives, from its CONNECT
   * @param window the credit each direction starts with; must be what the ends assume ({@link
   *     RelayCodec#INITIAL_WINDOW}), so change it only in tests
   * @param acceptTimeout how long the target has to ACCEPT or REFUSE
   */
  public record Settings(
      int maxCircuitsPerPeer,
      int maxCircuits,
      long maxBytesPerCircuit,
      Duration maxLifetime,
      int window,
      Duration acceptTimeout) {
    /** The longest duration allowed (about 73 years, so that deadlines never overflow). */
    private static final Duration LONGEST = Duration.ofNanos(Long.MAX_VALUE / 4);

    /**
     * 4 circuits a peer, 32 in all, 256 MiB and 15 minutes each, 256 KiB credit, 10 s to ACCEPT.
     */
    public static final Settings DEFAULTS =
        new Settings(
            4,
            32,
            256L * 1024 * 1024,
            Duration.ofMinutes(15),
            RelayCodec.INITIAL_WINDOW,
            Duration.ofSeconds(10));

    public Settings {
      if (maxCircuitsPerPeer < 1) {
        throw new IllegalArgumentException(
            "relay maxCircuitsPerPeer " + maxCircuitsPerPeer + " must be at least 1");
      }
      if (maxCircuits < 1) {
        throw new IllegalArgumentException(
            "relay maxCircuits " + maxCircuits + " must be at least 1");
      }
      if (maxBytesPerCircuit < 1) {
        throw new IllegalArgumentException(
            "relay maxBytesPerCircuit " + maxBytesPerCircuit + " must be at least 1");
      }
      if (window < 1) {
        throw new IllegalArgumentException("relay window " + window + " must be at least 1");
      }
      positive("maxLifetime", maxLifetime);
      positive("acceptTimeout", acceptTimeout);
    }

    private static void positive(String name, Duration d) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero() || d.compareTo(LONGEST) > 0) {
        throw new IllegalArgumentException(
            "relay " + name + " " + d + " must be positive and at most " + LONGEST);
      }
    }
  }

  /**
   * Counters since the switch was made. Each circuit request that passes the checks becomes a
   * pending circuit, which ends in exactly one of circuitsOpened or circuitsRefused; each opened
   * circuit ends in circuitsClosed.
   *
   * @param circuitsOpened circuits the target accepted
   * @param circuitsRefused requests that never opened, by reason: R's refusals of CONNECT, the
   *     target's, accept timeouts, and pending circuits ended by a CLOSE, a disconnection or a
   *     protocol error; only reasons with a count
   * @param circuitsClosed opened circuits that ended, by reason; only reasons with a count
   * @param bytesRelayed data bytes forwarded
   * @param openCircuits circuits open now
   * @param malformed payloads that did not parse, ignored
   * @param unknownCircuit messages for a circuit id unknown on the sender's link, ignored
   * @param misdirected messages only the other direction sends (INCOMING to a relay; ACCEPT or
   *     REFUSE from the initiator), ignored
   * @param pendingCircuits circuits waiting for the target now
   * @param queueFull messages not queued for lack of room (see the class comment)
   * @param ignoredSenders messages from peers not registered as connected with ns_relay
   */
  public record Counters(
      long circuitsOpened,
      Map<RelayReason, Long> circuitsRefused,
      Map<RelayReason, Long> circuitsClosed,
      long bytesRelayed,
      long openCircuits,
      long malformed,
      long unknownCircuit,
      long misdirected,
      long pendingCircuits,
      long queueFull,
      long ignoredSenders) {
    /** Requests refused for {@code r}. */
    public long refused(RelayReason r) {
      return circuitsRefused.getOrDefault(r, 0L);
    }

    /** Opened circuits ended for {@code r}. */
    public long closed(RelayReason r) {
      return circuitsClosed.getOrDefault(r, 0L);
    }
  }

  /** Messages the queue holds at least. */
  public static final int OUTGOING_CAPACITY = 4096;

  private final Settings settings;
  private boolean enabled;
  private final RelayQueue outgoing;
  private final Map<PeerRef, RelayLink> peers = new HashMap<>();
  private final Set<InetSocketAddress> ownEndpoints = new HashSet<>();
  private final List<RelayCircuit> circuits = new ArrayList<>();

  private long circuitsOpened;
  private final Map<RelayReason, Long> refused = new EnumMap<>(RelayReason.class);
  private final Map<RelayReason, Long> closed = new EnumMap<>(RelayReason.class);
  private long bytesRelayed;
  private long malformed;
  private long unknownCircuit;
  private long misdirected;
  private long queueFull;
  private long ignoredSenders;

  /**
   * A switch with {@code settings}; when not {@code enabled}, every CONNECT is refused with {@link
   * RelayReason#DISABLED}.
   */
  public RelaySwitch(Settings settings, boolean enabled) {
    this(settings, enabled, Math.max(OUTGOING_CAPACITY, 2 * settings.maxCircuits() + 64));
  }

  /** With a queue of {@code outgoingCapacity} messages (tests of a full queue). */
  RelaySwitch(Settings settings, boolean enabled, int outgoingCapacity) {
    this.settings = Objects.requireNonNull(settings, "settings");
    if (outgoingCapacity < 2 * settings.maxCircuits() + 2) {
      throw new IllegalArgumentException(
          "relay outgoing capacity " + outgoingCapacity + " < 2 * maxCircuits + 2");
    }
    this.enabled = enabled;
    this.outgoing = new RelayQueue(outgoingCapacity);
  }

  /** Turns relaying on or off: off refuses new CONNECTs; circuits already there go on. */
  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  /** True when new CONNECTs are considered. */
  public boolean enabled() {
    return enabled;
  }

  /**
   * A peer is connected from {@code endpoint} (the remote address and port of the connection), with
   * the peer id of its BitTorrent handshake, and advertised ns_relay in its extended handshake or
   * not. Calling it again for the same peer updates all of it (the extended handshake comes after
   * the connection); a peer that stops advertising ns_relay loses its circuits as if it had
   * disconnected. A CONNECT to {@code endpoint} or {@code alias} reaches the peer; an IPv4-mapped
   * IPv6 address counts as the IPv4 address it maps.
   *
   * @param alias another endpoint of the peer (its address with its BEP 10 listen port, or its
   *     address of the other family), or null
   * @param peerId its peer id, 20 bytes (copied)
   */
  public void peerConnected(
      PeerRef peer,
      InetSocketAddress endpoint,
      InetSocketAddress alias,
      byte[] peerId,
      boolean supportsRelay) {
    Objects.requireNonNull(peer, "peer");
    Objects.requireNonNull(endpoint, "endpoint");
    if (peerId.length != RelayMessage.PEER_ID_LENGTH) {
      throw new IllegalArgumentException("peer id of " + peerId.length + " bytes, not 20");
    }
    RelayLink p = peers.computeIfAbsent(peer, RelayLink::new);
    p.endpoint = RelayCodec.canonical(endpoint);
    InetSocketAddress a = alias == null ? null : RelayCodec.canonical(alias);
    p.alias = p.endpoint.equals(a) ? null : a;
    p.peerId = peerId.clone();
    boolean was = p.relay;
    p.relay = supportsRelay;
    if (was && !supportsRelay) {
      outgoing.removeTo(peer);
      for (RelayCircuit c : new ArrayList<>(p.circuits)) {
        end(c, RelayReason.PEER_GONE.code(), p);
      }
    }
  }

  /**
   * The peer's connection closed: forget it, drop the messages queued for it, and end its circuits,
   * telling each other end {@link RelayReason#PEER_GONE}.
   */
  public void peerDisconnected(PeerRef peer, long nowNanos) {
    RelayLink p = peers.remove(peer);
    if (p == null) {
      return;
    }
    outgoing.removeTo(peer);
    for (RelayCircuit c : new ArrayList<>(p.circuits)) {
      end(c, RelayReason.PEER_GONE.code(), p);
    }
  }

  /** Our own endpoint (a listen address as peers see it): a CONNECT to it is NO_SELF. */
  public void addOwnEndpoint(InetSocketAddress endpoint) {
    ownEndpoints.add(RelayCodec.canonical(Objects.requireNonNull(endpoint, "endpoint")));
  }

  /** No longer our endpoint. */
  public void removeOwnEndpoint(InetSocketAddress endpoint) {
    ownEndpoints.remove(RelayCodec.canonical(endpoint));
  }

  /** Connected peers registered. */
  public int connectedPeers() {
    return peers.size();
  }

  /**
   * True when a message from {@code peer} with circuit id {@code circuit} (as on the wire: the
   * initiator's id, or the target's with bit 31 set) is for a circuit this switch relays, pending
   * or open. A CONNECT is always for the relay; INCOMING never is.
   */
  public boolean relays(PeerRef peer, int circuit) {
    RelayLink p = peers.get(peer);
    return p != null && p.find(circuit) != null;
  }

  /**
   * An ns_relay payload (after the BEP 10 extended message header) from {@code from}. Malformed
   * payloads are counted and ignored; see {@link #onMessage}. Does not move the buffer, and holds
   * no reference to it after returning.
   */
  public void handlePayload(PeerRef from, ByteBuffer payload, long nowNanos) {
    RelayParsed parsed = RelayCodec.parse(payload);
    if (!parsed.ok()) {
      malformed++;
      return;
    }
    onMessage(from, parsed.message(), nowNanos);
  }

  /** A parsed message from {@code from}; see the class comment. */
  public void onMessage(PeerRef from, RelayMessage m, long nowNanos) {
    RelayLink sender = peers.get(from);
    if (sender == null || !sender.relay) {
      ignoredSenders++;
      return;
    }
    if (m.type() == RelayMessageType.CONNECT) {
      connect(sender, m, nowNanos);
      return;
    }
    if (m.type() == RelayMessageType.INCOMING) {
      misdirected++;
      return;
    }
    RelayCircuit c = sender.find(m.circuit());
    if (c == null) {
      unknownCircuit++;
      return;
    }
    boolean fromInitiator = c.isInitiatorEnd(sender, m.circuit());
    switch (m.type()) {
      case ACCEPT -> {
        if (fromInitiator) {
          misdirected++;
        } else if (c.state() != RelayCircuit.State.PENDING) {
          end(c, RelayReason.PROTOCOL.code(), null);
        } else {
          accept(c, m);
        }
      }
      case REFUSE -> {
        if (fromInitiator) {
          misdirected++;
        } else if (c.state() != RelayCircuit.State.PENDING) {
          end(c, RelayReason.PROTOCOL.code(), null);
        } else {
          end(c, m.code(), sender);
        }
      }
      case DATA -> {
        if (c.state() != RelayCircuit.State.OPEN) {
          end(c, RelayReason.PROTOCOL.code(), null);
        } else {
          data(c, fromInitiator, m);
        }
      }
      case WINDOW -> {
        if (c.state() != RelayCircuit.State.OPEN) {
          end(c, RelayReason.PROTOCOL.code(), null);
        } else {
          window(c, fromInitiator, m.credit());
        }
      }
      case CLOSE -> end(c, m.code(), sender);
      case CONNECT, INCOMING -> throw new AssertionError("handled above");
    }
  }

  /** Moves the next message to send into {@code out}; false when there is none. */
  public boolean pollOutgoing(RelayOutgoing out) {
    return outgoing.poll(out);
  }

  /**
   * The earliest deadline of a circuit (a target's ACCEPT, a circuit's lifetime), possibly at or
   * before {@code nowNanos} (call {@link #onTimer} then); {@link Long#MAX_VALUE} when there is no
   * circuit. Linear in the circuits (at most {@code maxCircuits}).
   */
  public long nextDeadlineNanos(long nowNanos) {
    long next = Long.MAX_VALUE;
    boolean any = false;
    for (RelayCircuit c : circuits) {
      if (!any || c.deadlineNanos() - next < 0) {
        next = c.deadlineNanos();
        any = true;
      }
    }
    return next;
  }

  /** Ends the circuits whose deadline is at or before {@code nowNanos}: TIME_EXCEEDED. */
  public void onTimer(long nowNanos) {
    for (RelayCircuit c : new ArrayList<>(circuits)) {
      if (nowNanos - c.deadlineNanos() >= 0) {
        end(c, RelayReason.TIME_EXCEEDED.code(), null);
      }
    }
  }

  /** The counters now. */
  public Counters counters() {
    long open = 0;
    for (RelayCircuit c : circuits) {
      if (c.state() == RelayCircuit.State.OPEN) {
        open++;
      }
    }
    return new Counters(
        circuitsOpened,
        byReason(refused),
        byReason(closed),
        bytesRelayed,
        open,
        malformed,
        unknownCircuit,
        misdirected,
        circuits.size() - open,
        queueFull,
        ignoredSenders);
  }

  private static Map<RelayReason, Long> byReason(Map<RelayReason, Long> counts) {
    return Collections.unmodifiableMap(new EnumMap<>(counts));
  }

  private void connect(RelayLink from, RelayMessage m, long nowNanos) {
    int id = m.circuit();
    if (!enabled) {
      refuse(from, id, RelayReason.DISABLED);
      return;
    }
    if ((id & ~RelayCircuit.FREE_BITS) != 0 || from.initiated(id) != null) {
      refuse(from, id, RelayReason.PROTOCOL);
      return;
    }
    InetSocketAddress endpoint = m.endpoint();
    if (from.at(endpoint) || ownEndpoints.contains(endpoint)) {
      refuse(from, id, RelayReason.NO_SELF);
      return;
    }
    RelayLink target = peerAt(endpoint);
    if (target == null) {
      refuse(from, id, RelayReason.NOT_CONNECTED);
    } else if (!target.relay) {
      refuse(from, id, RelayReason.NO_SUPPORT);
    } else if (target == from) {
      refuse(from, id, RelayReason.NO_SELF);
    } else if (from.circuits.size() >= settings.maxCircuitsPerPeer()
        || target.circuits.size() >= settings.maxCircuitsPerPeer()
        || circuits.size() >= settings.maxCircuits()
        || !roomFor(1, 1)) {
      refuse(from, id, RelayReason.TOO_MANY_CIRCUITS);
    } else {
      Duration wait =
          settings.acceptTimeout().compareTo(settings.maxLifetime()) < 0
              ? settings.acceptTimeout()
              : settings.maxLifetime();
      RelayCircuit c =
          new RelayCircuit(
              from, id, target, target.newIncomingId(), nowNanos, nowNanos + wait.toNanos());
      circuits.add(c);
      from.circuits.add(c);
      target.circuits.add(c);
      send(
          target,
          new RelayMessage(
              RelayMessageType.INCOMING,
              c.toTarget(),
              m.key(),
              from.peerId.clone(),
              endpointFor(from, target.endpoint),
              0,
              null));
    }
  }

  private void accept(RelayCircuit c, RelayMessage m) {
    if (!roomFor(1, 0)) {
      queueFull++;
      end(c, RelayReason.BYTES_EXCEEDED.code(), null);
      return;
    }
    c.open(settings.window(), c.createdNanos + settings.maxLifetime().toNanos());
    circuitsOpened++;
    send(
        c.initiator,
        new RelayMessage(
            RelayMessageType.ACCEPT,
            c.toInitiator(),
            m.key(),
            c.target.peerId.clone(),
            null,
            0,
            null));
  }

  private void data(RelayCircuit c, boolean fromInitiator, RelayMessage m) {
    ByteBuffer data = m.data();
    int n = data.remaining();
    if (!c.hasCredit(fromInitiator, n)) {
      end(c, RelayReason.WINDOW_EXCEEDED.code(), null);
      return;
    }
    if (!c.fits(settings.maxBytesPerCircuit(), n)) {
      end(c, RelayReason.BYTES_EXCEEDED.code(), null);
      return;
    }
    if (!roomFor(1, 0)) {
      queueFull++;
      end(c, RelayReason.BYTES_EXCEEDED.code(), null);
      return;
    }
    c.carry(fromInitiator, n);
    bytesRelayed += n;
    byte[] copy = new byte[n];
    data.get(copy);
    send(
        fromInitiator ? c.target : c.initiator,
        new RelayMessage(
            RelayMessageType.DATA,
            fromInitiator ? c.toTarget() : c.toInitiator(),
            null,
            null,
            null,
            0,
            ByteBuffer.wrap(copy).asReadOnlyBuffer()));
  }

  /** A WINDOW from one end grants the other end credit for data towards the sender. */
  private void window(RelayCircuit c, boolean fromInitiator, int credit) {
    if (!roomFor(1, 0)) {
      queueFull++;
      end(c, RelayReason.BYTES_EXCEEDED.code(), null);
      return;
    }
    c.grant(fromInitiator, credit);
    send(
        fromInitiator ? c.target : c.initiator,
        RelayMessage.window(fromInitiator ? c.toTarget() : c.toInitiator(), credit));
  }

  /**
   * Ends {@code c} with the raw reason {@code code}: a pending circuit counts as refused (REFUSE to
   * the initiator, CLOSE to the target), an open one as closed (CLOSE to both); {@code cause}, the
   * end that ended it (by a message or by leaving), is not told.
   */
  private void end(RelayCircuit c, int code, RelayLink cause) {
    circuits.remove(c);
    c.initiator.circuits.remove(c);
    c.target.circuits.remove(c);
    RelayReason reason = RelayReason.of(code);
    boolean pending = c.end();
    (pending ? refused : closed).merge(reason, 1L, Long::sum);
    // the room kept for two messages per live circuit holds these
    if (c.initiator != cause) {
      RelayMessageType type = pending ? RelayMessageType.REFUSE : RelayMessageType.CLOSE;
      send(c.initiator, new RelayMessage(type, c.toInitiator(), null, null, null, code, null));
    }
    if (c.target != cause) {
      send(
          c.target,
          new RelayMessage(RelayMessageType.CLOSE, c.toTarget(), null, null, null, code, null));
    }
  }

  /** Refuses a CONNECT that made no circuit, when the queue has room. */
  private void refuse(RelayLink to, int circuit, RelayReason reason) {
    if (!roomFor(1, 0)) {
      queueFull++;
      return;
    }
    refused.merge(reason, 1L, Long::sum);
    send(to, RelayMessage.refuse(circuit | RelayCircuit.REPLY_BIT, reason));
  }

  /**
   * True when {@code messages} more fit with room kept for two messages per live circuit, including
   * {@code newCircuits} more.
   */
  private boolean roomFor(int messages, int newCircuits) {
    return outgoing.size() + messages + 2L * (circuits.size() + newCircuits) <= outgoing.capacity();
  }

  /** Queues {@code m} for {@code p} if it is still connected with ns_relay. */
  private void send(RelayLink p, RelayMessage m) {
    if (peers.get(p.ref) != p || !p.relay) {
      return;
    }
    if (outgoing.size() == outgoing.capacity()) {
      queueFull++; // not reached: roomFor and the kept room see to it
      return;
    }
    outgoing.add(p.ref, m);
  }

  /**
   * The connected peer at {@code endpoint} (its endpoint or alias), one with ns_relay if there is
   * any (µTP and TCP connections can share an endpoint). Linear in the peers; CONNECTs are rare.
   */
  private RelayLink peerAt(InetSocketAddress endpoint) {
    RelayLink best = null;
    for (RelayLink p : peers.values()) {
      if (p.at(endpoint) && (best == null || (p.relay && !best.relay))) {
        best = p;
      }
    }
    return best;
  }

  /** {@code p}'s alias when it has one of {@code like}'s address family, else its endpoint. */
  private static InetSocketAddress endpointFor(RelayLink p, InetSocketAddress like) {
    boolean v6 = like.getAddress() instanceof Inet6Address;
    if (p.alias != null && (p.alias.getAddress() instanceof Inet6Address) == v6) {
      return p.alias;
    }
    return p.endpoint;
  }
}
