package io.natswarm.utp;

import io.natswarm.datagram.DatagramCore;
import io.natswarm.datagram.DatagramKind;
import io.natswarm.datagram.Deadlines;
import io.natswarm.datagram.SendClass;
import io.natswarm.datagram.Transmit;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;

/**
 * All µTP connections of one UDP socket, as a sans-IO {@link DatagramCore} (BEP 29; congestion
 * control per RFC 6817). Connections are keyed by the remote address and our receive connection id.
 * The stack does no I/O and reads no clock: its host (the real endpoint's demultiplexer, or netsim)
 * feeds it datagrams and the time and drains {@link #pollTransmit}.
 *
 * <p>Driving it: for a burst of incoming datagrams call {@link #handleDatagram} for each, then
 * {@link #handleReceiveDrained}, then drain {@link #pollTransmit} until it returns false. Acks are
 * deferred until then, so one ack covers the whole burst ("read until drained, then flush deferred
 * acks"). Application calls on a {@link UtpConnection} (write, read, close) also queue output:
 * drain {@link #pollTransmit} after them too. In a {@code Demultiplexer} register it for {@link
 * DatagramKind#UTP} and let it answer stray µTP packets: {@code
 * demux.setUnclaimedHandler(stack::resetUnknown)}.
 *
 * <p>A layer above (the stream API) hooks its own per-burst work in with a {@link ServiceListener}.
 * Events go to the {@link UtpSettings#tracer()}; counters are read as {@link #counters()}
 * snapshots.
 *
 * <p>Owned by exactly one thread, the event loop; no method is thread-safe.
 */
public final class UtpStack implements DatagramCore {
  private static final long TICK_NANOS = 250_000_000L;

  /**
   * Work of the layer above the stack that connection callbacks only mark (for example waking the
   * application threads of the connections that became readable), done once per burst. The stack
   * calls {@link #service} in {@link #handleReceiveDrained} (before the burst's deferred acks go
   * out), at the start of every {@link #pollTransmit} and after {@link #handleTimeout}; while
   * {@link #hasPendingWork()} is true, {@link #pollTimeout()} is due at once. Called on the stack's
   * thread.
   */
  public interface ServiceListener {
    /** Does the marked work; may use the connections (read, write, close). */
    void service(long nowNanos);

    /** True while work is marked that {@link #service} would do. */
    boolean hasPendingWork();
  }

  private final UtpSettings settings;
  private final RandomGenerator random;
  private final UtpTracer tracer;
  private final StackCounters counters = new StackCounters();
  private final UtpHeader header = new UtpHeader();
  private final ConnectionKey probe = new ConnectionKey(null, 0);
  private final HashMap<ConnectionKey, ConnectionEngine> table = new HashMap<>();
  private final ArrayList<ConnectionEngine> all = new ArrayList<>();
  private final ArrayDeque<ConnectionEngine> ready = new ArrayDeque<>();
  private final ArrayDeque<UtpConnection> accepted = new ArrayDeque<>();
  private final ResetQueue resets = new ResetQueue();
  private int halfOpen;
  private boolean listening;
  private Runnable acceptListener;
  private ServiceListener serviceListener;
  private long nextDeadline = Deadlines.NONE;
  private long lastNow;
  private Predicate<ByteBuffer> dropOutgoing;
  private long droppedOutgoing;

  /**
   * A stack with the given settings; {@code random} chooses connection ids and initial sequence
   * numbers (inject a seeded one for deterministic tests).
   */
  public UtpStack(UtpSettings settings, RandomGenerator random) {
    this.settings = settings;
    this.random = random;
    this.tracer = settings.tracer();
  }

  public UtpSettings settings() {
    return settings;
  }

  /** Accept incoming SYNs (true) or answer them with ST_RESET (false, the default). */
  public void setListening(boolean listening) {
    this.listening = listening;
  }

  public boolean isListening() {
    return listening;
  }

  /**
   * Called (on the event-loop thread) when {@link #pollAccepted()} has a connection to return: once
   * per incoming connection, when its handshake completed (see {@link #pollAccepted()}), from
   * inside {@link #handleDatagram} before the packet that completed it is processed.
   */
  public void setAcceptListener(Runnable onAcceptable) {
    this.acceptListener = onAcceptable;
  }

  /** Sets (or clears with null) the layer above's per-burst work; see {@link ServiceListener}. */
  public void setServiceListener(ServiceListener listener) {
    this.serviceListener = listener;
  }

  // ------------------------------------------------------------------ DatagramCore

  /**
   * Offers one datagram. Returns false if it is not µTP for this stack (not a version 1 header with
   * a known connection id, nor an ST_SYN): the demultiplexer then offers it to the next protocol.
   * Returns true when consumed, including hostile or malformed µTP that was counted in {@link
   * #counters()} and dropped. Never throws on any input. {@code packet} is read from its position
   * to its limit and left unchanged; nothing is kept after the call.
   */
  @Override
  public boolean handleDatagram(ByteBuffer packet, InetSocketAddress from, long nowNanos) {
    lastNow = nowNanos;
    counters.datagramsIn++;
    int rc = header.parse(packet);
    if (rc == UtpHeader.BAD_EXTENSION) {
      int id = header.type == UtpHeader.ST_SYN ? header.connectionId + 1 : header.connectionId;
      if (table.containsKey(probe.set(from, id & 0xFFFF))) {
        counters.badExtension();
        return true;
      }
      counters.notUtp++;
      return false;
    }
    if (rc != UtpHeader.OK) {
      counters.notUtp++;
      return false;
    }
    if (header.type == UtpHeader.ST_SYN) {
      ConnectionEngine c = table.get(probe.set(from, (header.connectionId + 1) & 0xFFFF));
      if (c != null) {
        c.onPacket(header, packet, nowNanos);
        wake(c);
        return true;
      }
      acceptSyn(from, nowNanos);
      return true;
    }
    ConnectionEngine c = table.get(probe.set(from, header.connectionId));
    if (c == null) {
      counters.unknownConnection++;
      counters.notUtp++;
      return false;
    }
    c.onPacket(header, packet, nowNanos);
    wake(c);
    return true;
  }

  /** The read burst is over: the layer above services what the burst marked. */
  @Override
  public void handleReceiveDrained(long nowNanos) {
    lastNow = nowNanos;
    service(nowNanos);
  }

  /**
   * Writes the next datagram into {@code out}'s buffer from position 0 (the datagram is [0,
   * position); path-MTU probes ask for the don't-fragment bit) and returns true, or returns false
   * when nothing is due now. Drain it until false after every batch of inputs.
   */
  @Override
  public boolean pollTransmit(Transmit out, long nowNanos) {
    lastNow = nowNanos;
    service(nowNanos);
    while (nextDatagram(out, nowNanos)) {
      counters.datagramsOut++;
      if (dropOutgoing == null || !dropOutgoing.test(out.buffer().duplicate().flip())) {
        return true;
      }
      droppedOutgoing++;
    }
    return false;
  }

  private boolean nextDatagram(Transmit out, long nowNanos) {
    if (!resets.isEmpty()) {
      out.setDestination(resets.writeNext(out.buffer(), nowNanos, random.nextInt(1 << 16)));
      out.setDontFragment(false);
      counters.resetsOut++;
      return true;
    }
    while (!ready.isEmpty()) {
      ConnectionEngine c = ready.peekFirst();
      if (c.poll(out, nowNanos)) {
        ready.pollFirst();
        ready.addLast(c);
        noteDeadline(c.deadline());
        return true;
      }
      ready.pollFirst();
      c.leftReadyQueue();
      noteDeadline(c.deadline());
    }
    return false;
  }

  /**
   * The earliest deadline (nanoseconds on the host's clock) at which {@link #handleTimeout} must be
   * called, or {@link Deadlines#NONE}; at once while the {@link ServiceListener} has pending work.
   * Calling earlier is harmless.
   */
  @Override
  public long pollTimeout() {
    if (serviceListener != null && serviceListener.hasPendingWork()) {
      return Deadlines.earliest(lastNow, nextDeadline);
    }
    return nextDeadline;
  }

  /** Runs retransmission, keep-alive, idle, connect and linger timers due at {@code nowNanos}. */
  @Override
  public void handleTimeout(long nowNanos) {
    lastNow = nowNanos;
    long next = Deadlines.NONE;
    for (int i = all.size() - 1; i >= 0; i--) {
      if (i >= all.size()) {
        continue;
      }
      ConnectionEngine c = all.get(i);
      if (Deadlines.isDue(c.deadline(), nowNanos)) {
        c.onTimer(nowNanos);
        if (!c.isRetired()) {
          wake(c);
        }
      }
      if (!c.isRetired()) {
        next = Deadlines.earliest(next, c.deadline());
      }
    }
    nextDeadline = next;
    service(nowNanos);
  }

  /** µTP is bulk traffic: DHT, STUN and probes go first. */
  @Override
  public SendClass sendClass() {
    return SendClass.BULK;
  }

  // ------------------------------------------------------------------ connections

  private void acceptSyn(InetSocketAddress from, long nowNanos) {
    counters.synReceived++;
    if (!listening) {
      counters.synDroppedNotListening++;
      resets.add(from, header.connectionId, header.seqNr);
      return;
    }
    if (table.size() >= settings.maxConnections()) {
      counters.synDroppedConnectionLimit++;
      return;
    }
    if (halfOpen >= settings.maxHalfOpen()) {
      counters.synDroppedHalfOpen++;
      return;
    }
    if (accepted.size() >= settings.acceptBacklog()) {
      counters.synDroppedBacklog++;
      return;
    }
    int recvId = (header.connectionId + 1) & 0xFFFF;
    int sendId = header.connectionId;
    ConnectionEngine c =
        new ConnectionEngine(
            this,
            counters,
            from,
            false,
            recvId,
            sendId,
            random.nextInt(1 << 16),
            header.seqNr,
            nowNanos,
            nowNanos + settings.connectTimeout().toNanos());
    c.acceptSyn(header, nowNanos);
    halfOpen++;
    add(c);
    wake(c);
  }

  /**
   * The peer of a half-open connection sent its first packet after the SYN, so it has our answer:
   * the connection joins the accept queue and the accept listener hears of it, once. Called by the
   * connection before it processes that packet (whose data then reaches whatever listener the
   * accept listener set). Returns false when {@link UtpSettings#acceptBacklog()} connections
   * already wait: then the connection is reset (counted in {@code synDroppedBacklog}).
   */
  boolean handshakeCompleted(ConnectionEngine c) {
    if (accepted.size() >= settings.acceptBacklog()) {
      counters.synDroppedBacklog++;
      c.abort(UtpError.ABORTED, "accept backlog full");
      return false;
    }
    counters.connectionsAccepted++;
    accepted.add(c.api());
    if (acceptListener != null) {
      acceptListener.run();
    }
    return true;
  }

  /**
   * For a datagram nothing else claimed (usable as the demultiplexer's {@code UnclaimedHandler}:
   * {@code stack::resetUnknown}): if it is a well-formed µTP packet of an unknown connection (and
   * not itself a reset or a SYN), queues an ST_RESET to its sender, as libtorrent does, and returns
   * true. The reset leaves through {@link #pollTransmit}.
   */
  public boolean resetUnknown(ByteBuffer packet, InetSocketAddress from, long nowNanos) {
    lastNow = nowNanos;
    if (!DatagramKind.UTP.matches(packet)
        || header.parse(packet) != UtpHeader.OK
        || header.type == UtpHeader.ST_RESET
        || header.type == UtpHeader.ST_SYN) {
      return false;
    }
    if (table.containsKey(probe.set(from, header.connectionId))) {
      return false;
    }
    return resets.add(from, header.connectionId, header.seqNr);
  }

  /**
   * Opens a connection with the default connect deadline ({@link UtpSettings#connectTimeout()}).
   *
   * @see #connect(InetSocketAddress, long, long)
   */
  public UtpConnection connect(InetSocketAddress remote, long nowNanos) {
    return connect(remote, nowNanos, settings.connectTimeout().toNanos());
  }

  /**
   * Opens a connection: queues a SYN to {@code remote}. The connection starts in {@link
   * UtpState#SYN_SENT}; it is writable at once (data waits for the handshake). If the handshake has
   * not completed {@code connectTimeoutNanos} after {@code nowNanos} (or the SYN was resent {@link
   * UtpSettings#synRetries()} times in vain), the connection closes with {@link
   * UtpError#CONNECT_TIMED_OUT}.
   *
   * @throws IllegalStateException when {@link UtpSettings#maxConnections()} are open
   */
  public UtpConnection connect(InetSocketAddress remote, long nowNanos, long connectTimeoutNanos) {
    if (connectTimeoutNanos <= 0) {
      throw new IllegalArgumentException(
          "utp connect: the timeout must be positive, got " + connectTimeoutNanos + " ns");
    }
    if (table.size() >= settings.maxConnections()) {
      throw new IllegalStateException(
          "utp: maxConnections (" + settings.maxConnections() + ") connections are open");
    }
    int recvId;
    int tries = 0;
    do {
      recvId = random.nextInt(1 << 16);
      if (++tries > 1000) {
        throw new IllegalStateException("utp: no free connection id for " + remote);
      }
    } while (table.containsKey(probe.set(remote, recvId))
        || table.containsKey(probe.set(remote, (recvId + 1) & 0xFFFF)));
    int initialSeq = random.nextInt(1 << 16);
    ConnectionEngine c =
        new ConnectionEngine(
            this,
            counters,
            remote,
            true,
            recvId,
            (recvId + 1) & 0xFFFF,
            initialSeq,
            initialSeq,
            nowNanos,
            nowNanos + connectTimeoutNanos);
    add(c);
    counters.connectionsOpened++;
    wake(c);
    return c.api();
  }

  /**
   * The next incoming connection whose handshake completed, or null. A SYN only creates a half-open
   * connection (answered with ST_STATE, re-sent after 1, 2, 4 s while nothing else arrives); it is
   * handed out here once the peer's first packet after its SYN proves that the answer arrived (BEP
   * 29: SYN_RECEIVED to CONNECTED). A half-open connection the peer gave up (libtorrent dials
   * afresh with a new connection id after 3 s without an answer) never reaches the application and
   * ends at {@link UtpSettings#connectTimeout()}.
   */
  public UtpConnection pollAccepted() {
    return accepted.pollFirst();
  }

  /**
   * A sign of life from {@code remote} (a hole-punch probe from its socket, BEP 55): the unanswered
   * SYN of the newest connection we opened to it goes again now instead of at its retransmission
   * timer, once per connection. After a rendezvous both sides punch at about the same moment; when
   * our SYN met the other side's NAT before the other side's own punch opened it, this saves the
   * retransmission timeout (a second at first). Only the newest: an older dial to the same endpoint
   * (the direct one, still trying while the punch began) would otherwise make a second connection
   * with it. Returns whether a SYN was queued again.
   */
  public boolean triggerSyn(InetSocketAddress remote) {
    ConnectionEngine newest = null;
    for (int i = 0; i < all.size(); i++) {
      ConnectionEngine c = all.get(i);
      if (c.remote().equals(remote)
          && c.synUnanswered()
          && (newest == null || c.openedAt() - newest.openedAt() > 0)) {
        newest = c;
      }
    }
    return newest != null && newest.triggerSyn();
  }

  /** Connections currently held, of every state except removed ones. */
  public int connectionCount() {
    return table.size();
  }

  /** Connections that have seen nothing from their peer but the SYN. */
  public int halfOpenCount() {
    return halfOpen;
  }

  /** A snapshot of the counters; call on the stack's thread. */
  public UtpCounters counters() {
    return counters.snapshot();
  }

  /**
   * Aborts every connection (ST_RESET queued for each; each closes with {@link
   * UtpError#STACK_CLOSED}); the stack stays usable.
   */
  public void closeAll(long nowNanos) {
    lastNow = nowNanos;
    for (int i = all.size() - 1; i >= 0; i--) {
      if (i < all.size()) {
        all.get(i).abort(UtpError.STACK_CLOSED, "stack closed");
      }
    }
  }

  // ------------------------------------------------------------------ package-private plumbing

  /**
   * Rounds a keep-alive or idle deadline up to the next 250 ms tick, so that thousands of idle
   * connections wake the stack a few times a second rather than once each.
   */
  static long tick(long deadline) {
    long r = Math.floorMod(deadline, TICK_NANOS);
    return r == 0 ? deadline : deadline + (TICK_NANOS - r);
  }

  /**
   * Test seam (Aeron's loss generator): outgoing datagrams for which {@code drop} returns true are
   * counted in {@link #droppedOutgoing()} and never handed to the host, as if the network lost
   * them. {@code drop} sees the datagram between position and limit of a view. Null: none.
   */
  void dropOutgoing(Predicate<ByteBuffer> drop) {
    this.dropOutgoing = drop;
  }

  /** Datagrams dropped by the {@link #dropOutgoing} seam. */
  long droppedOutgoing() {
    return droppedOutgoing;
  }

  /** Queues {@code c} for output and folds its deadline into the stack's. */
  void wake(ConnectionEngine c) {
    if (c.enterReadyQueue()) {
      ready.addLast(c);
    }
    noteDeadline(c.deadline());
  }

  private void noteDeadline(long d) {
    if (Deadlines.isBefore(d, nextDeadline)) {
      nextDeadline = d;
    }
  }

  private void service(long nowNanos) {
    if (serviceListener != null) {
      serviceListener.service(nowNanos);
    }
  }

  void halfOpenClosed() {
    halfOpen--;
  }

  private void add(ConnectionEngine c) {
    table.put(new ConnectionKey(c.remote(), c.recvId()), c);
    c.movedToSlot(all.size());
    all.add(c);
    tracer.connectionOpened(c.recvId(), c.remote(), c.state());
  }

  /** Forgets a closed connection. Idempotent. */
  void retire(ConnectionEngine c) {
    int i = c.slot();
    if (!c.retire()) {
      return;
    }
    table.remove(probe.set(c.remote(), c.recvId()));
    int last = all.size() - 1;
    ConnectionEngine moved = all.remove(last);
    if (moved != c) {
      all.set(i, moved);
      moved.movedToSlot(i);
    }
  }
}
