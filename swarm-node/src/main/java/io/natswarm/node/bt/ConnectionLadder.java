package io.natswarm.node.bt;

import bt.metainfo.TorrentId;
import io.natswarm.holepunch.ladder.LadderEvent;
import io.natswarm.holepunch.ladder.PathLadder;
import io.natswarm.holepunch.ladder.Rung;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection ladder of the node (issue 12): a {@link PathLadder} (the order of the rungs as
 * data, and the record of failed rungs per endpoint) climbed through the node's services. A direct
 * dial that µTP could not make ({@link PeerConnector}) is the ladder's first failure; the next rung
 * is the hole punch ({@link HolepunchService}) when a connected peer can be asked for a rendezvous
 * and the punch did not fail for that endpoint recently, else the relay through a peer ({@link
 * RelayService}); a punch that fails leads to the relay at once, and a relay that fails to the TURN
 * server when one is configured ({@link TurnService}). A connection made on any rung is recorded,
 * and a relayed connection gives way to a direct or punched one with the same peer when that is
 * made. While a peer relays a connection we dialled, the direct path is tried again, 30 s after it
 * connected and twice as late each time after ({@link #RETRY_DIRECT_AFTER}): Bt itself dials the
 * endpoint no more, as it holds a connection under it. A direct connection made then takes the
 * relayed one's place ({@link PeerConnector}'s take-over), so the stream moves off the relay. The
 * same holds for a connection through TURN on the side that offered its relayed address; its retry
 * bypasses the TURN client ({@link PeerConnector#dialWhileRelayed}), and a failed one climbs no
 * further (a punch's probes would be relayed), and a direct or punched connection with the peer
 * closes the TURN one.
 *
 * <p>The last {@value #KEPT_EVENTS} decisions are kept as {@link LadderEvent}s for the status page
 * and the tests.
 *
 * <p>Threads: called on Bt's connection workers and the hole punch's and relay's threads; the
 * ladder is guarded by this object's monitor, which is never held while calling a service.
 */
final class ConnectionLadder {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionLadder.class);
  static final int KEPT_EVENTS = 64;

  /** How long after a direct or punched connection a relayed one with the same peer is closed. */
  static final java.time.Duration REPLACE_AFTER = java.time.Duration.ofSeconds(3);

  /**
   * How long a connection stays relayed by a peer before the side that dialled it tries the direct
   * path again, and again after twice as long each time, up to {@link #RETRY_DIRECT_MAX}: a NAT's
   * mapping, a port mapping made meanwhile or the other side's new address may have opened it. The
   * first retry comes when the failed rungs' postponement (30 s) ends.
   */
  static final java.time.Duration RETRY_DIRECT_AFTER = java.time.Duration.ofSeconds(30);

  /** The longest wait between two retries of the direct path for a relayed connection. */
  static final java.time.Duration RETRY_DIRECT_MAX = java.time.Duration.ofMinutes(8);

  /** Endpoints with a relayed connection that we dialled, while it is open. */
  private final java.util.Set<InetSocketAddress> relayedNow =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  private final java.util.concurrent.atomic.AtomicLong directRetries =
      new java.util.concurrent.atomic.AtomicLong();

  private final PathLadder ladder;
  private final ArrayDeque<LadderEvent> recent = new ArrayDeque<>();
  private volatile HolepunchService holepunch;
  private volatile RelayService relay;
  private volatile TurnService turn;
  private volatile PeerConnector connector;

  ConnectionLadder() {
    this.ladder = new PathLadder(PathLadder.Settings.DEFAULTS, this::trace);
  }

  /** The services, once Bt runs. */
  void attach(
      PeerConnector connector, HolepunchService holepunch, RelayService relay, TurnService turn) {
    this.connector = connector;
    this.holepunch = holepunch;
    this.relay = relay;
    this.turn = turn;
    connector.addUnreachableListener(this::directFailed);
    connector.setUnansweredListener(this::directUnanswered);
    connector.addEstablishedListener(this::established);
  }

  private void trace(LadderEvent e) {
    // under the monitor (the ladder calls back from within its methods)
    if (recent.size() == KEPT_EVENTS) {
      recent.removeFirst();
    }
    recent.addLast(e);
    LOG.debug("ladder: {} {} {}{}", e.endpoint(), e.rung(), e.kind(), detail(e));
  }

  private static String detail(LadderEvent e) {
    return e.detail().isEmpty() ? "" : " (" + e.detail() + ")";
  }

  /** The last decisions, oldest first. */
  synchronized List<LadderEvent> recent() {
    return List.copyOf(recent);
  }

  /** µTP did not reach {@code target}: the next rung. */
  void directFailed(InetSocketAddress target, TorrentId torrent) {
    if (torrent == null) {
      return;
    }
    failed(
        target,
        torrent,
        Rung.DIRECT,
        "µTP did not connect",
        canPunch(target, torrent),
        canRelay(torrent),
        canTurn(torrent));
  }

  /**
   * µTP has gone unanswered by {@code target} for {@link PeerConnector#CLIMB_AFTER} while the dial
   * goes on: when the hole punch can be asked for now (a PEX message flagged the target, a peer of
   * the torrent speaks ut_holepunch, and the punch is not postponed for it), the direct rung counts
   * as failed and the ladder climbs to the punch at once. Otherwise nothing happens here, and the
   * dial's own failure climbs as usual, with whatever is known by then.
   *
   * @return whether the ladder climbed
   */
  boolean directUnanswered(InetSocketAddress target, TorrentId torrent) {
    if (torrent == null || !canPunch(target, torrent)) {
      return false;
    }
    boolean relayed = canRelay(torrent);
    boolean turned = canTurn(torrent);
    Rung next;
    synchronized (this) {
      long now = System.nanoTime();
      if (ladder.postponed(target, Rung.DIRECT, now)
          || ladder.postponed(target, Rung.HOLEPUNCH, now)) {
        return false;
      }
      next =
          ladder.failed(
              target,
              Rung.DIRECT,
              "µTP unanswered for " + PeerConnector.CLIMB_AFTER.toMillis() + " ms",
              now,
              r -> possible(r, true, relayed, turned));
    }
    climb(next, target, torrent);
    return true;
  }

  /** Our hole punch to {@code target} ended without a connection ({@code reason}). */
  void holepunchFailed(InetSocketAddress target, TorrentId torrent, String reason) {
    failed(target, torrent, Rung.HOLEPUNCH, reason, false, canRelay(torrent), canTurn(torrent));
  }

  /** No relay peer made a circuit to {@code target} ({@code reason}). */
  void relayFailed(InetSocketAddress target, TorrentId torrent, String reason) {
    failed(target, torrent, Rung.PEER_RELAY, reason, false, false, canTurn(torrent));
  }

  /** The offer of our TURN relayed address to {@code target} led to no connection. */
  void turnFailed(InetSocketAddress target, TorrentId torrent, String reason) {
    failed(target, torrent, Rung.TURN, reason, false, false, false);
  }

  /**
   * Records that {@code rung} failed for {@code target} and climbs to the next rung that is
   * possible: the punch when {@code punch}, the relay when {@code relayed}, TURN when {@code
   * turned} (each asked of its service beforehand, outside the monitor).
   */
  private void failed(
      InetSocketAddress target,
      TorrentId torrent,
      Rung rung,
      String reason,
      boolean punch,
      boolean relayed,
      boolean turned) {
    // while relayed, a failed retry of the direct path or the punch does not ask for another relay
    boolean again = !relayedNow.contains(target);
    Rung next;
    synchronized (this) {
      next =
          ladder.failed(
              target,
              rung,
              reason,
              System.nanoTime(),
              r -> possible(r, punch, relayed && again, turned && again));
    }
    climb(next, target, torrent);
  }

  private static boolean possible(Rung r, boolean punch, boolean relayed, boolean turned) {
    return switch (r) {
      case DIRECT -> false; // Bt's own discovery rounds dial again
      case HOLEPUNCH -> punch;
      case PEER_RELAY -> relayed;
      case TURN -> turned;
    };
  }

  private boolean canPunch(InetSocketAddress target, TorrentId torrent) {
    HolepunchService h = holepunch;
    return h != null && h.canAsk(target, torrent);
  }

  private boolean canRelay(TorrentId torrent) {
    RelayService r = relay;
    return r != null && r.canAsk(torrent);
  }

  private boolean canTurn(TorrentId torrent) {
    TurnService t = turn;
    return t != null && t.canAsk(torrent);
  }

  private void climb(Rung next, InetSocketAddress target, TorrentId torrent) {
    while (next != null) {
      synchronized (this) {
        ladder.trying(target, next, System.nanoTime());
      }
      boolean asked =
          switch (next) {
            case HOLEPUNCH -> holepunch.ask(target, torrent);
            case PEER_RELAY -> relay.ask(target, torrent);
            case TURN -> turn.ask(target, torrent);
            case DIRECT -> true;
          };
      if (asked) {
        return;
      }
      boolean relayed = next == Rung.HOLEPUNCH && canRelay(torrent);
      boolean turned = next != Rung.TURN && canTurn(torrent);
      Rung skipped = next;
      synchronized (this) {
        next =
            ladder.skipped(
                target,
                skipped,
                "nobody could be asked",
                System.nanoTime(),
                r -> possible(r, false, relayed, turned));
      }
    }
  }

  /** A connection was made: recorded on its rung; a relayed one gives way to a better one. */
  private void established(StreamPeerConnection c) {
    InetSocketAddress remote = c.stream().remoteAddress();
    Rung rung =
        switch (c.path()) {
          case "holepunch" -> Rung.HOLEPUNCH;
          case "relay" -> Rung.PEER_RELAY;
          case "turn" -> Rung.TURN;
          default -> Rung.DIRECT;
        };
    TurnService t = turn;
    boolean weOffered =
        false; // through TURN: we climbed, the other side dialled our relayed address
    if (rung == Rung.TURN && t != null) {
      InetSocketAddress target = t.targetOf(remote);
      weOffered = target != null;
      if (weOffered) {
        remote = target; // the endpoint the ladder climbed for, not the relay's view
      }
    }
    synchronized (this) {
      ladder.connected(remote, rung, System.nanoTime());
    }
    PeerConnector pc = connector;
    // The side that climbed to a relay tries the direct path again while relayed. Through TURN
    // too: the retry's datagrams pass the TURN client's egress filter unwrapped (PeerConnector's
    // dialWhileRelayed), though it relays whatever else goes to the peer's address.
    if (((rung == Rung.PEER_RELAY && c.stream().outgoing()) || (rung == Rung.TURN && weOffered))
        && pc != null
        && relayedNow.add(remote)) {
      retryDirectLater(c, remote, RETRY_DIRECT_AFTER);
    }
    if (rung == Rung.PEER_RELAY
        || pc == null
        || pc.live().stream().noneMatch(o -> replaces(c, o))) {
      return;
    }
    // Later, once Bt's pool took the new connection: a pool that already holds a connection with
    // the same key (address, port, torrent) closes the newcomer, and then the relayed one stays.
    java.util.concurrent.CompletableFuture.delayedExecutor(
            REPLACE_AFTER.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
        .execute(() -> replaceRelayed(pc, c));
  }

  /** Retries of the direct path made while relayed. */
  long directRetries() {
    return directRetries.get();
  }

  private void retryDirectLater(
      StreamPeerConnection relayed, InetSocketAddress target, java.time.Duration after) {
    java.util.concurrent.CompletableFuture.delayedExecutor(
            after.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
        .execute(() -> retryDirect(relayed, target, after));
  }

  /**
   * While {@code relayed} is open, dials {@code target} directly over µTP ({@link
   * PeerConnector#dialWhileRelayed}); a connection made takes the relayed one's place. When the
   * dial fails, the ladder climbs from the direct rung as usual, but no higher than the hole punch,
   * and the next retry comes twice as late.
   */
  private void retryDirect(
      StreamPeerConnection relayed, InetSocketAddress target, java.time.Duration after) {
    PeerConnector pc = connector;
    TorrentId torrent = relayed.getTorrentId();
    if (relayed.isClosed() || pc == null || torrent == null) {
      relayedNow.remove(target);
      return;
    }
    directRetries.incrementAndGet();
    synchronized (this) {
      ladder.trying(target, Rung.DIRECT, System.nanoTime());
    }
    if (pc.dialWhileRelayed(target, torrent)) {
      relayedNow.remove(target); // established(...) records the connection
      return;
    }
    failed(
        target,
        torrent,
        Rung.DIRECT,
        "µTP did not connect while relayed",
        // a punch's probes and dial would go through TURN, which relays for the peer's address
        !"turn".equals(relayed.path()) && canPunch(target, torrent),
        false,
        false);
    java.time.Duration next = after.multipliedBy(2);
    retryDirectLater(
        relayed, target, next.compareTo(RETRY_DIRECT_MAX) > 0 ? RETRY_DIRECT_MAX : next);
  }

  /**
   * Whether {@code better}, once made, closes {@code other} if both are with the same peer: a
   * peer-relayed one gives way to any other, a TURN one to a direct or punched one.
   */
  private static boolean replaces(StreamPeerConnection better, StreamPeerConnection other) {
    return other.stream() instanceof RelayPeerStream
        || ("turn".equals(other.path()) && !PeerConnector.isRelayed(better));
  }

  /** Closes relayed connections with the peer of {@code better}, if that is still open. */
  private static void replaceRelayed(PeerConnector pc, StreamPeerConnection better) {
    if (better.isClosed() || better.getTorrentId() == null) {
      return;
    }
    InetSocketAddress remote = better.stream().remoteAddress();
    byte[] id = better.peerId();
    for (StreamPeerConnection other : pc.live()) {
      if (other != better
          && replaces(better, other)
          && !other.isClosed()
          && id != null
          && java.util.Arrays.equals(id, other.peerId()) // the same peer, not only its address
          && better.getTorrentId().equals(other.getTorrentId())) {
        LOG.debug("{}: a {} connection replaces the relayed one", remote, better.path());
        other.closeQuietly();
        pc.tookOver();
      }
    }
  }
}
