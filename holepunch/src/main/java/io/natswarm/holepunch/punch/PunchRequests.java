package io.natswarm.holepunch.punch;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The initiating peer of BEP 55 ("Protocol Extension": the initiating peer sends a rendezvous
 * message to the relaying peer, containing the endpoint of the target peer), and the target's side
 * of it: every connect message from a rendezvous peer becomes a {@link PunchEvent.PunchNow}.
 *
 * <p>Sans-IO and owned by the node's engine thread, like the {@link Rendezvous} that passes it
 * connect and error messages (it is that relay's {@link Rendezvous.Initiator}). The node asks with
 * {@link #requestRendezvous}, drains the rendezvous messages to send with {@link #pollOutgoing} and
 * the events with {@link #pollEvent}, and drives the deadlines with {@link #pollTimeout} and {@link
 * #handleTimeout}. The punching itself (µTP, then TCP simultaneous open) is the node's.
 *
 * <p>A request is pending, waiting for the answer of one rendezvous peer, until one of:
 *
 * <ul>
 *   <li>connect(target) from a rendezvous peer it asked: {@link PunchEvent.PunchNow} with {@code
 *       initiatedByUs};
 *   <li>an error from the peer asked last: NOT_CONNECTED and undefined codes move on to the next
 *       rendezvous peer given (another peer may well be connected to the target); NO_SUCH_PEER,
 *       NO_SUPPORT and NO_SELF are about the target, not the relay, and end the request with a
 *       {@link PunchEvent.RequestFailed};
 *   <li>no answer within {@link Settings#answerTimeout}: the next rendezvous peer, or {@link
 *       PunchFailure#TIMED_OUT};
 *   <li>the rendezvous peer asked disconnects: the next, or {@link PunchFailure#RENDEZVOUS_GONE}.
 * </ul>
 *
 * <p>BEP 55 errors carry the request's endpoint unchanged, so answers are matched to requests by
 * endpoint; an error from a peer other than the one asked last is counted and ignored. A connect
 * from a peer we asked matches our request for its endpoint, or else for another port of its
 * address (a relay may name the target by the port its NAT maps it to). A connect nobody of ours
 * asked for is the other side's request (BEP 55 sends connect to both): it becomes a {@link
 * PunchEvent.PunchNow} without {@code initiatedByUs}, limited per rendezvous peer by a token
 * bucket, because it makes us send packets to an endpoint a peer chose. Connects to port 0, the
 * unspecified or a multicast address are ignored. A connect is one event: two for the same endpoint
 * (two rendezvous peers both answered, or both sides asked at once) are two {@link
 * PunchEvent.PunchNow}s, and the node makes one connection, as libtorrent ignores a connect to a
 * peer it is already connected or connecting to.
 *
 * <p>The default answer timeout, 5 s, is generous for one message each way on an established
 * connection (libtorrent answers a rendezvous as it reads it; LAB.md saw the punched connection
 * itself 1.5 s after the rendezvous on loopback) and leaves room for a connection whose send queue
 * is full of piece data.
 */
public final class PunchRequests implements Rendezvous.Initiator {
  /**
   * Settings of the initiator.
   *
   * @param answerTimeout how long one rendezvous peer has to answer
   * @param maxRendezvousPerRequest how many of the rendezvous peers given one request may try
   * @param maxPending requests pending at once
   * @param unsolicitedBurst connects we did not ask for that one rendezvous peer may send at once
   * @param unsolicitedRefill the time for one more, up to the burst
   * @param queueCapacity messages to send, and events, queued before new ones are dropped
   */
  public record Settings(
      Duration answerTimeout,
      int maxRendezvousPerRequest,
      int maxPending,
      int unsolicitedBurst,
      Duration unsolicitedRefill,
      int queueCapacity) {
    /** 5 s per rendezvous peer, 3 of them, 32 pending, 5 unsolicited connects per 10 s, 64. */
    public static final Settings DEFAULTS =
        new Settings(Duration.ofSeconds(5), 3, 32, 5, Duration.ofSeconds(10), 64);

    public Settings {
      if (answerTimeout.isNegative() || answerTimeout.isZero()) {
        throw new IllegalArgumentException(
            "punch answer timeout " + answerTimeout + " must be positive");
      }
      if (maxRendezvousPerRequest < 1 || maxPending < 1 || unsolicitedBurst < 1) {
        throw new IllegalArgumentException(
            "punch maxRendezvousPerRequest, maxPending and unsolicitedBurst must be at least 1");
      }
      if (unsolicitedRefill.isNegative() || unsolicitedRefill.isZero()) {
        throw new IllegalArgumentException(
            "punch unsolicited refill " + unsolicitedRefill + " must be positive");
      }
      if (queueCapacity < 2) {
        throw new IllegalArgumentException("punch queue capacity " + queueCapacity + " < 2");
      }
    }
  }

  /**
   * Counters since the object was made.
   *
   * @param requested requests accepted by {@link #requestRendezvous}
   * @param rendezvousSent rendezvous messages queued, first asks and retries
   * @param retries asks of a further rendezvous peer after an error, a timeout or a disconnect
   * @param punchesInitiated connects answering a request of ours
   * @param punchesInvited connects the other side asked for
   * @param errorsNoSuchPeer NO_SUCH_PEER answers to requests of ours
   * @param errorsNotConnected NOT_CONNECTED answers
   * @param errorsNoSupport NO_SUPPORT answers
   * @param errorsNoSelf NO_SELF answers
   * @param errorsUnknown answers with a code BEP 55 does not define
   * @param unsolicitedErrors errors that answer nothing pending with the peer that sent them
   * @param timeouts rendezvous peers that did not answer in time
   * @param failed requests ended with a {@link PunchEvent.RequestFailed}
   * @param ignored connects to unusable endpoints, and rendezvous messages (the relay's business)
   * @param rateLimited unsolicited connects over their rendezvous peer's limit
   * @param droppedQueueFull messages or events dropped because the caller did not drain
   */
  public record Counters(
      long requested,
      long rendezvousSent,
      long retries,
      long punchesInitiated,
      long punchesInvited,
      long errorsNoSuchPeer,
      long errorsNotConnected,
      long errorsNoSupport,
      long errorsNoSelf,
      long errorsUnknown,
      long unsolicitedErrors,
      long timeouts,
      long failed,
      long ignored,
      long rateLimited,
      long droppedQueueFull) {}

  /** A request waiting for the answer of {@link #current}. */
  private static final class Pending {
    final InetSocketAddress target;
    final ArrayDeque<PeerRef> untried;
    final List<PeerRef> asked = new ArrayList<>(2);
    PeerRef current;
    long deadline;

    Pending(InetSocketAddress target, ArrayDeque<PeerRef> untried) {
      this.target = target;
      this.untried = untried;
    }
  }

  private final Settings settings;
  private final long timeoutNanos;
  private final Map<InetSocketAddress, Pending> pending = new LinkedHashMap<>();
  private final Map<PeerRef, TokenBucket> unsolicited = new HashMap<>();
  private final OutgoingQueue outgoing;
  private final ArrayDeque<PunchEvent> events = new ArrayDeque<>();

  private long requested;
  private long rendezvousSent;
  private long retries;
  private long punchesInitiated;
  private long punchesInvited;
  private long errorsNoSuchPeer;
  private long errorsNotConnected;
  private long errorsNoSupport;
  private long errorsNoSelf;
  private long errorsUnknown;
  private long unsolicitedErrors;
  private long timeouts;
  private long failed;
  private long ignored;
  private long rateLimited;
  private long droppedQueueFull;

  public PunchRequests(Settings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.timeoutNanos = settings.answerTimeout().toNanos();
    this.outgoing = new OutgoingQueue(settings.queueCapacity());
  }

  /**
   * Asks {@code via} to introduce us to {@code target}; see {@link
   * #requestRendezvous(InetSocketAddress, List, long)}.
   */
  public boolean requestRendezvous(InetSocketAddress target, PeerRef via, long nowNanos) {
    return requestRendezvous(target, List.of(via), nowNanos);
  }

  /**
   * Asks the first of {@code via} (connected peers that advertised ut_holepunch, best first) to
   * introduce us to {@code target}, and the next ones in turn while the answer is no answer,
   * NOT_CONNECTED or a disconnect, up to {@link Settings#maxRendezvousPerRequest} of them.
   *
   * @return false, and nothing is sent, when {@code target} is not a usable endpoint, a request for
   *     it is already pending, or {@link Settings#maxPending} requests are
   */
  public boolean requestRendezvous(InetSocketAddress target, List<PeerRef> via, long nowNanos) {
    Objects.requireNonNull(target, "target");
    if (via.isEmpty()) {
      throw new IllegalArgumentException("no rendezvous peer to ask for " + target);
    }
    if (target.isUnresolved()
        || !Rendezvous.isUsable(target)
        || pending.containsKey(target)
        || pending.size() >= settings.maxPending()) {
      return false;
    }
    ArrayDeque<PeerRef> untried = new ArrayDeque<>();
    for (PeerRef p : via) {
      if (untried.size() < settings.maxRendezvousPerRequest() && !untried.contains(p)) {
        untried.add(Objects.requireNonNull(p, "via"));
      }
    }
    Pending p = new Pending(target, untried);
    pending.put(target, p);
    requested++;
    askNext(p, nowNanos);
    return true;
  }

  /** Requests pending. */
  public int pending() {
    return pending.size();
  }

  /** A connect or error message from a rendezvous peer (what {@link Rendezvous} passes on). */
  @Override
  public void onMessage(PeerRef from, HolepunchMessage message, long nowNanos) {
    switch (message.type()) {
      case CONNECT -> onConnect(from, message.endpoint(), nowNanos);
      case ERROR -> onError(from, message, nowNanos);
      case RENDEZVOUS -> ignored++;
    }
  }

  /** The peer's connection closed: a request waiting for its answer moves on to the next one. */
  public void peerDisconnected(PeerRef peer, long nowNanos) {
    unsolicited.remove(peer);
    outgoing.removeTo(peer);
    for (Iterator<Pending> it = pending.values().iterator(); it.hasNext(); ) {
      Pending p = it.next();
      p.untried.remove(peer);
      if (peer.equals(p.current)) {
        if (askNext(p, nowNanos)) {
          retries++;
        } else {
          it.remove();
          fail(p, PunchFailure.RENDEZVOUS_GONE);
        }
      }
    }
  }

  /** Moves the next rendezvous message to send into {@code out}; false when there is none. */
  public boolean pollOutgoing(Outgoing out) {
    return outgoing.poll(out);
  }

  /** The next event, or null when there is none. */
  public PunchEvent pollEvent() {
    return events.poll();
  }

  /** The earliest answer deadline, or {@link Long#MAX_VALUE} when nothing is pending. */
  public long pollTimeout() {
    long earliest = Long.MAX_VALUE;
    boolean any = false;
    for (Pending p : pending.values()) {
      if (!any || p.deadline - earliest < 0) {
        earliest = p.deadline;
        any = true;
      }
    }
    return earliest;
  }

  /** Requests whose rendezvous peer did not answer by {@code nowNanos} ask the next or fail. */
  public void handleTimeout(long nowNanos) {
    for (Iterator<Pending> it = pending.values().iterator(); it.hasNext(); ) {
      Pending p = it.next();
      if (nowNanos - p.deadline < 0) {
        continue;
      }
      timeouts++;
      if (askNext(p, nowNanos)) {
        retries++;
      } else {
        it.remove();
        fail(p, PunchFailure.TIMED_OUT);
      }
    }
  }

  /** The counters now. */
  public Counters counters() {
    return new Counters(
        requested,
        rendezvousSent,
        retries,
        punchesInitiated,
        punchesInvited,
        errorsNoSuchPeer,
        errorsNotConnected,
        errorsNoSupport,
        errorsNoSelf,
        errorsUnknown,
        unsolicitedErrors,
        timeouts,
        failed,
        ignored,
        rateLimited,
        droppedQueueFull);
  }

  private void onConnect(PeerRef from, InetSocketAddress endpoint, long nowNanos) {
    if (!Rendezvous.isUsable(endpoint)) {
      ignored++;
      return;
    }
    Pending p = pending.get(endpoint);
    if (p == null) {
      p = pendingAt(endpoint.getAddress(), from);
    }
    if (p != null && p.asked.contains(from)) {
      pending.remove(p.target);
      punchesInitiated++;
      emit(new PunchEvent.PunchNow(endpoint, from, true));
      return;
    }
    TokenBucket bucket =
        unsolicited.computeIfAbsent(
            from,
            k ->
                new TokenBucket(
                    settings.unsolicitedBurst(), settings.unsolicitedRefill().toNanos()));
    if (!bucket.tryTake(nowNanos)) {
      rateLimited++;
      return;
    }
    punchesInvited++;
    emit(new PunchEvent.PunchNow(endpoint, from, false));
  }

  /**
   * The request to another port of {@code address} that {@code from} was asked about: the relay may
   * name the target by the port its NAT maps it to rather than the one we asked for.
   */
  private Pending pendingAt(java.net.InetAddress address, PeerRef from) {
    for (Pending p : pending.values()) {
      if (p.target.getAddress().equals(address) && p.asked.contains(from)) {
        return p;
      }
    }
    return null;
  }

  private void onError(PeerRef from, HolepunchMessage message, long nowNanos) {
    Pending p = pending.get(message.endpoint());
    if (p == null || !from.equals(p.current)) {
      unsolicitedErrors++;
      return;
    }
    HolepunchError error = message.error();
    switch (error) {
      case NO_SUCH_PEER -> errorsNoSuchPeer++;
      case NOT_CONNECTED -> errorsNotConnected++;
      case NO_SUPPORT -> errorsNoSupport++;
      case NO_SELF -> errorsNoSelf++;
      case UNKNOWN -> errorsUnknown++;
    }
    boolean relayMatters = error == HolepunchError.NOT_CONNECTED || error == HolepunchError.UNKNOWN;
    if (relayMatters && askNext(p, nowNanos)) {
      retries++;
      return;
    }
    pending.remove(p.target);
    fail(p, PunchFailure.of(error));
  }

  /** Queues a rendezvous to the next untried peer; false when none is left. */
  private boolean askNext(Pending p, long nowNanos) {
    PeerRef next = p.untried.poll();
    if (next == null) {
      return false;
    }
    p.current = next;
    p.asked.add(next);
    p.deadline = nowNanos + timeoutNanos;
    if (outgoing.hasRoom(1)) {
      outgoing.add(next, MessageType.RENDEZVOUS, p.target, 0);
      rendezvousSent++;
    } else {
      droppedQueueFull++; // the deadline still runs: the next peer is asked when it passes
    }
    return true;
  }

  private void fail(Pending p, PunchFailure failure) {
    failed++;
    emit(new PunchEvent.RequestFailed(p.target, failure, p.current));
  }

  private void emit(PunchEvent e) {
    if (events.size() >= settings.queueCapacity()) {
      droppedQueueFull++;
      return;
    }
    events.add(e);
  }
}
