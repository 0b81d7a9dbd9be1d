package io.natswarm.utp;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.random.RandomGenerator;

/**
 * All µTP connections of one UDP socket, as a sans-IO state machine (BEP 29; congestion control per
 * RFC 6817). Connections are keyed by the remote address and our receive connection id. The stack
 * does no I/O and reads no clock: the endpoint (or netsim) feeds it datagrams and the time, drains
 * {@link #pollTransmit} and calls {@link #handleTimeout} at {@link #pollTimeout()}.
 *
 * <p>Driving it: for a burst of incoming datagrams call {@link #handleDatagram} for each, then
 * drain {@link #pollTransmit} until it returns false. Acks are deferred until then, so one ack
 * covers the whole burst ("read until drained, then flush deferred acks"). Application calls on a
 * {@link UtpConnection} (write, read, close) also queue output: drain {@link #pollTransmit} after
 * them too.
 *
 * <p>Owned by exactly one thread, the event loop; no method is thread-safe.
 */
public final class UtpStack {
  private static final int MAX_PENDING_RESETS = 64;
  private static final long TICK_NANOS = 250_000_000L;

  private final UtpSettings settings;
  private final RandomGenerator random;
  private final UtpCounters counters = new UtpCounters();
  private final UtpHeader header = new UtpHeader();
  private final ConnectionKey probe = new ConnectionKey(null, 0);
  private final HashMap<ConnectionKey, ConnectionEngine> table = new HashMap<>();
  private final ArrayList<ConnectionEngine> all = new ArrayList<>();
  private final ArrayDeque<ConnectionEngine> ready = new ArrayDeque<>();
  private final ArrayDeque<UtpConnection> accepted = new ArrayDeque<>();
  private final InetSocketAddress[] resetTo = new InetSocketAddress[MAX_PENDING_RESETS];
  private final int[] resetId = new int[MAX_PENDING_RESETS];
  private final int[] resetAck = new int[MAX_PENDING_RESETS];
  private int resetCount;
  private int halfOpen;
  private boolean listening;
  private Runnable acceptListener;
  private long nextDeadline = Long.MAX_VALUE;

  /**
   * A stack with the given settings; {@code random} chooses connection ids and initial sequence
   * numbers (inject a seeded one for deterministic tests).
   */
  public UtpStack(UtpSettings settings, RandomGenerator random) {
    this.settings = settings;
    this.random = random;
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

  /** Called (on the event-loop thread) when {@link #pollAccepted()} has a connection to return. */
  public void setAcceptListener(Runnable onAcceptable) {
    this.acceptListener = onAcceptable;
  }

  /**
   * Offers one datagram. Returns false if it is not µTP for this stack (not a version 1 header with
   * a known connection id, nor an ST_SYN): the demultiplexer then offers it to the next protocol.
   * Returns true when consumed, including hostile or malformed µTP that was counted in {@link
   * #counters()} and dropped. Never throws on any input. {@code packet} is read from its position
   * to its limit and left unchanged; nothing is kept after the call.
   */
  public boolean handleDatagram(ByteBuffer packet, InetSocketAddress from, long nowNanos) {
    counters.datagramsIn++;
    int rc = header.parse(packet);
    if (rc == UtpHeader.BAD_EXTENSION) {
      int id = header.type == UtpHeader.ST_SYN ? header.connectionId + 1 : header.connectionId;
      if (table.containsKey(probe.set(from, id & 0xFFFF))) {
        counters.badExtension++;
        counters.malformed++;
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

  private void acceptSyn(InetSocketAddress from, long nowNanos) {
    counters.synReceived++;
    if (!listening) {
      counters.synDroppedNotListening++;
      queueReset(from, header.connectionId, header.seqNr);
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
        new ConnectionEngine(this, from, false, recvId, sendId, random.nextInt(1 << 16), nowNanos);
    c.acceptSyn(header, nowNanos);
    halfOpen++;
    add(c);
    counters.connectionsAccepted++;
    accepted.add(c.api);
    wake(c);
    if (acceptListener != null) {
      acceptListener.run();
    }
  }

  /**
   * For a datagram nothing else claimed: if it is a well-formed µTP packet of an unknown connection
   * (and not itself a reset), queues an ST_RESET to its sender, as libtorrent does, and returns
   * true.
   */
  public boolean resetUnknown(ByteBuffer packet, InetSocketAddress from, long nowNanos) {
    if (header.parse(packet) != UtpHeader.OK
        || header.type == UtpHeader.ST_RESET
        || header.type == UtpHeader.ST_SYN) {
      return false;
    }
    if (table.containsKey(probe.set(from, header.connectionId))) {
      return false;
    }
    queueReset(from, header.connectionId, header.seqNr);
    return true;
  }

  private void queueReset(InetSocketAddress to, int id, int ack) {
    if (resetCount == MAX_PENDING_RESETS) {
      return;
    }
    resetTo[resetCount] = to;
    resetId[resetCount] = id;
    resetAck[resetCount] = ack;
    resetCount++;
  }

  /**
   * Writes the next datagram to send into {@code out} and returns true, or returns false when
   * nothing is due now. Drain it until false after every batch of inputs.
   */
  public boolean pollTransmit(UtpTransmit out, long nowNanos) {
    if (resetCount > 0) {
      resetCount--;
      ByteBuffer b = out.buffer();
      b.clear();
      UtpHeader.write(
          b,
          UtpHeader.ST_RESET,
          0,
          resetId[resetCount],
          nowNanos / 1000,
          0,
          0,
          random.nextInt(1 << 16),
          resetAck[resetCount]);
      b.flip();
      out.set(resetTo[resetCount], false);
      resetTo[resetCount] = null;
      counters.resetsOut++;
      counters.datagramsOut++;
      return true;
    }
    while (!ready.isEmpty()) {
      ConnectionEngine c = ready.peekFirst();
      if (c.poll(out, nowNanos)) {
        ready.pollFirst();
        ready.addLast(c);
        noteDeadline(c.deadline());
        counters.datagramsOut++;
        return true;
      }
      ready.pollFirst();
      c.inReadyQueue = false;
      noteDeadline(c.deadline());
    }
    return false;
  }

  /**
   * The earliest deadline (nanoseconds on the caller's clock) at which {@link #handleTimeout} must
   * be called, or {@link Long#MAX_VALUE}. Calling earlier is harmless.
   */
  public long pollTimeout() {
    return nextDeadline;
  }

  /** Runs retransmission, keep-alive, idle and linger timers that are due at {@code nowNanos}. */
  public void handleTimeout(long nowNanos) {
    long next = Long.MAX_VALUE;
    for (int i = all.size() - 1; i >= 0; i--) {
      if (i >= all.size()) {
        continue;
      }
      ConnectionEngine c = all.get(i);
      if (c.deadline() <= nowNanos) {
        c.onTimer(nowNanos);
        if (!c.removed) {
          wake(c);
        }
      }
      if (!c.removed) {
        next = Math.min(next, c.deadline());
      }
    }
    nextDeadline = next;
  }

  /**
   * Opens a connection: queues a SYN to {@code remote}. The connection starts in {@link
   * UtpState#SYN_SENT}; it is writable at once (data waits for the handshake).
   *
   * @throws IllegalStateException when {@link UtpSettings#maxConnections()} are open
   */
  public UtpConnection connect(InetSocketAddress remote, long nowNanos) {
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
    ConnectionEngine c =
        new ConnectionEngine(
            this, remote, true, recvId, (recvId + 1) & 0xFFFF, random.nextInt(1 << 16), nowNanos);
    add(c);
    counters.connectionsOpened++;
    wake(c);
    return c.api;
  }

  /** The next accepted incoming connection, or null. */
  public UtpConnection pollAccepted() {
    return accepted.pollFirst();
  }

  /** Connections currently held, of every state except removed ones. */
  public int connectionCount() {
    return table.size();
  }

  /** Connections that have seen nothing from their peer but the SYN. */
  public int halfOpenCount() {
    return halfOpen;
  }

  public UtpCounters counters() {
    return counters;
  }

  /** Aborts every connection (ST_RESET queued for each); the stack stays usable. */
  public void closeAll(long nowNanos) {
    for (int i = all.size() - 1; i >= 0; i--) {
      if (i < all.size()) {
        all.get(i).abort(nowNanos);
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

  UtpCounters countersMut() {
    return counters;
  }

  /** Queues {@code c} for output and folds its deadline into the stack's. */
  void wake(ConnectionEngine c) {
    if (!c.inReadyQueue) {
      c.inReadyQueue = true;
      ready.addLast(c);
    }
    noteDeadline(c.deadline());
  }

  private void noteDeadline(long d) {
    if (d < nextDeadline) {
      nextDeadline = d;
    }
  }

  void halfOpenClosed() {
    halfOpen--;
  }

  private void add(ConnectionEngine c) {
    table.put(new ConnectionKey(c.remote, c.recvId), c);
    c.listIndex = all.size();
    all.add(c);
  }

  /** Forgets a closed connection. Idempotent. */
  void retire(ConnectionEngine c) {
    if (c.removed) {
      return;
    }
    c.removed = true;
    table.remove(probe.set(c.remote, c.recvId));
    int i = c.listIndex;
    int last = all.size() - 1;
    ConnectionEngine moved = all.get(last);
    all.set(i, moved);
    moved.listIndex = i;
    all.remove(last);
    c.listIndex = -1;
  }
}
