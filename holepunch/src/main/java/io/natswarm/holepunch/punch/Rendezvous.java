package io.natswarm.holepunch.punch;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The relaying peer of BEP 55 ("Protocol Extension": the initiating peer sends a rendezvous message
 * to the relaying peer): when a connected peer asks us to introduce it to a target endpoint, and we
 * are connected to a peer at exactly that endpoint that supports ut_holepunch, we send each of the
 * two a connect message with the other's endpoint; otherwise we answer the initiator with an error
 * message carrying the request's endpoint unchanged, as BEP 55 requires.
 *
 * <p>Sans-IO and owned by the node's engine thread (the thread that owns the peer connections); it
 * holds no lock. The engine tells it which peers are connected ({@link #peerConnected}, {@link
 * #peerDisconnected}), hands it each ut_holepunch payload ({@link #handlePayload}), and drains the
 * messages to send with {@link #pollOutgoing}. Keep one per torrent: like libtorrent, which looks
 * the target up among the connections of the requester's torrent, it introduces peers of one swarm.
 *
 * <p>Rules, in the order they apply to a rendezvous request:
 *
 * <ol>
 *   <li>A message from a peer not registered as connected, or from one that did not advertise
 *       ut_holepunch, is dropped (we could not answer it; libtorrent drops these too).
 *   <li>Each request takes a token from its sender's bucket, refused or not; without a token it is
 *       dropped unanswered. BEP 55 has no error code for "slow down", and silence costs the
 *       attacker a timeout.
 *   <li>A target with port 0, the unspecified address or a multicast address: {@link
 *       HolepunchError#NO_SUCH_PEER} ("the target endpoint is invalid").
 *   <li>The target is the sender's own endpoint (or alias), or one registered with {@link
 *       #addOwnEndpoint}: {@link HolepunchError#NO_SELF}.
 *   <li>No connected peer at exactly that address and port (its endpoint or its alias, see {@link
 *       #peerConnected(PeerRef, InetSocketAddress, InetSocketAddress, boolean)}): {@link
 *       HolepunchError#NOT_CONNECTED}. The same address with another port is another endpoint
 *       (LAB.md: libtorrent matches exactly, so a peer connected over TCP from an ephemeral port
 *       cannot be reached by its listen port).
 *   <li>The target did not advertise ut_holepunch: {@link HolepunchError#NO_SUPPORT}.
 *   <li>Otherwise connect(target) to the sender and connect(sender's endpoint) to the target.
 * </ol>
 *
 * <p>Every message goes to a peer registered as connected when it was queued, and a peer's queued
 * messages are dropped when it disconnects: nothing is ever addressed to a peer we are not
 * connected to. A relay's answers are one message, or two, or none; when the queue has no room for
 * all of them, none is queued (never a connect to one side only).
 *
 * <p>The rate limit (default: a burst of 5, then one request per 10 s per requesting peer) bounds
 * what a hostile peer can make us send to third parties: each relayed request puts one unsolicited
 * message on another peer's connection. An honest initiator asks once per peer it cannot reach, a
 * handful after a PEX message, then rarely; libtorrent itself has no limit.
 */
public final class Rendezvous {
  /**
   * Settings of the relay.
   *
   * @param burst rendezvous requests a peer may make at once
   * @param refillInterval the time for one more request to be allowed, up to {@code burst}
   * @param outgoingCapacity messages queued for sending before new answers are dropped
   */
  public record Settings(int burst, Duration refillInterval, int outgoingCapacity) {
    /** A burst of 5, one more per 10 s, 64 queued messages. */
    public static final Settings DEFAULTS = new Settings(5, Duration.ofSeconds(10), 64);

    public Settings {
      if (burst < 1) {
        throw new IllegalArgumentException("rendezvous burst " + burst + " must be at least 1");
      }
      if (refillInterval.isNegative() || refillInterval.isZero()) {
        throw new IllegalArgumentException(
            "rendezvous refill interval " + refillInterval + " must be positive");
      }
      if (outgoingCapacity < 2) {
        throw new IllegalArgumentException(
            "rendezvous outgoing capacity " + outgoingCapacity + " must be at least 2");
      }
    }
  }

  /** Where connect and error messages go: they answer the initiator side, not the relay. */
  public interface Initiator {
    /** A connect or error message from a connected ut_holepunch peer. */
    void onMessage(PeerRef from, HolepunchMessage message, long nowNanos);
  }

  /**
   * Counters since the relay was made. Requests are counted once each, in exactly one of relayed,
   * refused*, rateLimited or droppedQueueFull.
   *
   * @param requests rendezvous requests from connected ut_holepunch peers
   * @param relayed requests answered with a connect to both sides
   * @param refusedNoSuchPeer answered with NO_SUCH_PEER
   * @param refusedNotConnected answered with NOT_CONNECTED
   * @param refusedNoSupport answered with NO_SUPPORT
   * @param refusedNoSelf answered with NO_SELF
   * @param rateLimited dropped unanswered: the sender had no token
   * @param droppedQueueFull dropped: no room in the outgoing queue
   * @param malformed payloads that did not parse, ignored
   * @param passedOn connect and error messages handed to the {@link Initiator}
   * @param ignoredSenders messages from peers not connected or without ut_holepunch
   */
  public record Counters(
      long requests,
      long relayed,
      long refusedNoSuchPeer,
      long refusedNotConnected,
      long refusedNoSupport,
      long refusedNoSelf,
      long rateLimited,
      long droppedQueueFull,
      long malformed,
      long passedOn,
      long ignoredSenders) {}

  private static final class Peer {
    final PeerRef ref;
    final TokenBucket bucket;
    InetSocketAddress endpoint;
    InetSocketAddress alias; // null: none
    boolean holepunch;

    Peer(PeerRef ref, TokenBucket bucket) {
      this.ref = ref;
      this.bucket = bucket;
    }

    boolean at(InetSocketAddress e) {
      return endpoint.equals(e) || e.equals(alias);
    }
  }

  private final Settings settings;
  private final Initiator initiator;
  private final OutgoingQueue outgoing;
  private final Map<PeerRef, Peer> peers = new HashMap<>();
  private final Map<InetSocketAddress, Peer> byEndpoint = new HashMap<>();
  private final Set<InetSocketAddress> ownEndpoints = new HashSet<>();

  private long requests;
  private long relayed;
  private long refusedNoSuchPeer;
  private long refusedNotConnected;
  private long refusedNoSupport;
  private long refusedNoSelf;
  private long rateLimited;
  private long droppedQueueFull;
  private long malformed;
  private long passedOn;
  private long ignoredSenders;

  /** A relay that hands connect and error messages to {@code initiator}. */
  public Rendezvous(Settings settings, Initiator initiator) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.initiator = Objects.requireNonNull(initiator, "initiator");
    this.outgoing = new OutgoingQueue(settings.outgoingCapacity());
  }

  /**
   * A peer is connected from {@code endpoint} (the remote address and port of the connection), and
   * advertised ut_holepunch in its extended handshake or not. Calling it again for the same peer
   * updates both (the extended handshake comes after the connection).
   */
  public void peerConnected(PeerRef peer, InetSocketAddress endpoint, boolean supportsHolepunch) {
    peerConnected(peer, endpoint, null, supportsHolepunch);
  }

  /**
   * Like {@link #peerConnected(PeerRef, InetSocketAddress, boolean)}, with a second endpoint the
   * peer is known at: a rendezvous to {@code alias} reaches it too, and connect messages name
   * {@code endpoint}, or {@code alias} to a peer of the other address family when only the alias is
   * of that family. For a peer connected over µTP from behind a NAT that maps each destination to
   * its own port, {@code endpoint} is its socket as its NAT maps it to us, and {@code alias} its
   * address with the BEP 10 listen port, which is what our PEX messages name it by; for a peer
   * connected over IPv6 whose BEP 10 handshake gave an IPv4 address, {@code alias} is that address
   * at the listen port.
   *
   * @param alias another endpoint of the peer, or null
   */
  public void peerConnected(
      PeerRef peer,
      InetSocketAddress endpoint,
      InetSocketAddress alias,
      boolean supportsHolepunch) {
    Objects.requireNonNull(endpoint, "endpoint");
    Peer p = peers.get(peer);
    InetSocketAddress previous = null;
    InetSocketAddress previousAlias = null;
    if (p == null) {
      p =
          new Peer(
              Objects.requireNonNull(peer, "peer"),
              new TokenBucket(settings.burst(), settings.refillInterval().toNanos()));
      peers.put(peer, p);
    } else {
      previous = p.endpoint;
      previousAlias = p.alias;
    }
    p.endpoint = endpoint;
    p.alias = endpoint.equals(alias) ? null : alias;
    p.holepunch = supportsHolepunch;
    if (previous != null) {
      reindex(previous);
    }
    if (previousAlias != null) {
      reindex(previousAlias);
    }
    reindex(endpoint);
    if (p.alias != null) {
      reindex(p.alias);
    }
  }

  /** The peer's connection closed: forget it and drop the messages queued for it. */
  public void peerDisconnected(PeerRef peer) {
    Peer p = peers.remove(peer);
    if (p != null) {
      reindex(p.endpoint);
      if (p.alias != null) {
        reindex(p.alias);
      }
      outgoing.removeTo(peer);
    }
  }

  /** Our own endpoint (a listen address as peers see it): a rendezvous to it is NO_SELF. */
  public void addOwnEndpoint(InetSocketAddress endpoint) {
    ownEndpoints.add(Objects.requireNonNull(endpoint, "endpoint"));
  }

  /** No longer our endpoint. */
  public void removeOwnEndpoint(InetSocketAddress endpoint) {
    ownEndpoints.remove(endpoint);
  }

  /** Connected peers registered. */
  public int connectedPeers() {
    return peers.size();
  }

  /**
   * A ut_holepunch payload (after the BEP 10 extended message header) from {@code from}. Malformed
   * payloads are counted and ignored; see {@link #onMessage}. Does not move the buffer.
   */
  public void handlePayload(PeerRef from, ByteBuffer payload, long nowNanos) {
    HolepunchParsed parsed = HolepunchCodec.parse(payload);
    if (!parsed.ok()) {
      malformed++;
      return;
    }
    onMessage(from, parsed.message(), nowNanos);
  }

  /**
   * A parsed message from {@code from}: a rendezvous request is answered (see the class comment);
   * connect and error messages go to the {@link Initiator}.
   */
  public void onMessage(PeerRef from, HolepunchMessage message, long nowNanos) {
    Peer sender = peers.get(from);
    if (sender == null || !sender.holepunch) {
      ignoredSenders++;
      return;
    }
    if (message.type() != MessageType.RENDEZVOUS) {
      passedOn++;
      initiator.onMessage(from, message, nowNanos);
      return;
    }
    requests++;
    if (!sender.bucket.tryTake(nowNanos)) {
      rateLimited++;
      return;
    }
    InetSocketAddress target = message.endpoint();
    if (!isUsable(target)) {
      refuse(sender, target, HolepunchError.NO_SUCH_PEER);
    } else if (sender.at(target) || ownEndpoints.contains(target)) {
      refuse(sender, target, HolepunchError.NO_SELF);
    } else {
      Peer peer = byEndpoint.get(target);
      if (peer == null) {
        refuse(sender, target, HolepunchError.NOT_CONNECTED);
      } else if (!peer.holepunch) {
        refuse(sender, target, HolepunchError.NO_SUPPORT);
      } else if (!outgoing.hasRoom(2)) {
        droppedQueueFull++;
      } else {
        // each side gets the other's endpoint in the family it uses itself, when known: a sender
        // connected to us over IPv6 is named to an IPv4-only target by its IPv4 alias
        outgoing.add(sender.ref, MessageType.CONNECT, endpointLike(peer, target), 0);
        outgoing.add(peer.ref, MessageType.CONNECT, endpointLike(sender, peer.endpoint), 0);
        relayed++;
      }
    }
  }

  /** Moves the next message to send into {@code out}; false when there is none. */
  public boolean pollOutgoing(Outgoing out) {
    return outgoing.poll(out);
  }

  /** The counters now. */
  public Counters counters() {
    return new Counters(
        requests,
        relayed,
        refusedNoSuchPeer,
        refusedNotConnected,
        refusedNoSupport,
        refusedNoSelf,
        rateLimited,
        droppedQueueFull,
        malformed,
        passedOn,
        ignoredSenders);
  }

  /** {@code p}'s endpoint, or its alias when only that is of {@code like}'s address family. */
  private static InetSocketAddress endpointLike(Peer p, InetSocketAddress like) {
    boolean v6 = like.getAddress() instanceof java.net.Inet6Address;
    if ((p.endpoint.getAddress() instanceof java.net.Inet6Address) == v6 || p.alias == null) {
      return p.endpoint;
    }
    return (p.alias.getAddress() instanceof java.net.Inet6Address) == v6 ? p.alias : p.endpoint;
  }

  /** An endpoint a peer can be at: a port, and an address that names one host. */
  static boolean isUsable(InetSocketAddress endpoint) {
    return endpoint.getPort() != 0
        && !endpoint.getAddress().isAnyLocalAddress()
        && !endpoint.getAddress().isMulticastAddress();
  }

  private void refuse(Peer sender, InetSocketAddress target, HolepunchError error) {
    if (!outgoing.hasRoom(1)) {
      droppedQueueFull++;
      return;
    }
    outgoing.add(sender.ref, MessageType.ERROR, target, error.code());
    switch (error) {
      case NO_SUCH_PEER -> refusedNoSuchPeer++;
      case NOT_CONNECTED -> refusedNotConnected++;
      case NO_SUPPORT -> refusedNoSupport++;
      case NO_SELF -> refusedNoSelf++;
      case UNKNOWN -> throw new IllegalArgumentException("UNKNOWN is not sent");
    }
  }

  /**
   * Points {@code endpoint} at the connection a rendezvous to it reaches: one with ut_holepunch if
   * any (µTP and TCP connections can share an endpoint), the one already chosen if it still
   * qualifies. Linear in the connected peers; runs on connects and disconnects only.
   */
  private void reindex(InetSocketAddress endpoint) {
    Peer best = byEndpoint.get(endpoint);
    if (best != null && (peers.get(best.ref) != best || !best.at(endpoint))) {
      best = null;
    }
    for (Peer p : peers.values()) {
      if (p.at(endpoint) && (best == null || (p.holepunch && !best.holepunch))) {
        best = p;
      }
    }
    if (best == null) {
      byEndpoint.remove(endpoint);
    } else {
      byEndpoint.put(endpoint, best);
    }
  }
}
