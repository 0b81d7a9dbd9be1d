package io.natswarm.utp;

import io.natswarm.datagram.Deadlines;
import io.natswarm.datagram.Transmit;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * The wire side of one {@link UtpConnection}: the BEP 29 state machine, the acks and timers, and
 * the packet headers. Every change of state goes through {@link #transition}, checked against
 * {@link UtpState}'s table of legal moves and reported to the {@link UtpTracer}. The receiving half
 * is an {@link InboundStream}, the sending half a {@link Sender}. Inbound packets come from {@link
 * UtpStack#handleDatagram} already parsed into a {@link UtpHeader}; outbound packets are built on
 * demand by {@link #poll}, straight from the send ring into the host's buffer. Connection ids
 * follow BEP 29 "Connection setup": the initiator receives on the SYN's id and sends on id + 1, the
 * acceptor the other way round. Owned by the stack's event-loop thread.
 */
final class ConnectionEngine implements Sender.HeaderWriter {
  private static final long U32 = 0xFFFF_FFFFL;

  /**
   * When a half-open acceptor first re-sends its ST_STATE answering the SYN (then after 2, 4, 8 s):
   * BEP 29's initial timeout of 1000 ms. libtorrent gives up an unanswered SYN after 3 s and dials
   * afresh with a new connection id, so the first re-send must come well before that.
   */
  private static final long SYN_ACK_RESEND_NANOS = 1_000_000_000L;

  private final UtpStack stack;
  private final UtpSettings settings;
  private final UtpTracer tracer;
  private final StackCounters counters;
  private final InetSocketAddress remote;
  private final long openedAt;
  private final boolean outgoing;
  private final int recvId;
  private final int sendId;

  /** Outgoing: our SYN's seq_nr. Incoming: the peer's SYN's seq_nr (its latest, if renumbered). */
  private int synSeq;

  private final UtpConnection api;
  private final UtpConnectionStats stats = new UtpConnectionStats();
  private final Sender sender;
  private final InboundStream in;

  private UtpState state;
  private UtpError error = UtpError.NONE;

  private long replyMicros;
  private boolean ackPending;
  private long advertisedWindow;
  private boolean appClosed;
  private boolean resetPending;
  private boolean keepAlivePending;
  private final long connectDeadline;
  private long lastRecvAt;
  private long lastSendAt;
  private long lingerUntil = Deadlines.NONE;
  private long synAckResendAt = Deadlines.NONE;
  private int synAckResends;

  // The stack's bookkeeping, changed only through the methods at the end.
  private boolean inReadyQueue;
  private int slot = -1;
  private boolean retired;

  /**
   * A new connection in {@link UtpState#SYN_SENT} ({@code outgoing}) or {@link
   * UtpState#SYN_RECEIVED}; the handshake must complete by {@code connectDeadline}. {@code synSeq}
   * is our SYN's seq_nr (outgoing: the initial sequence number, which the SYN takes) or the peer's
   * (incoming).
   */
  ConnectionEngine(
      UtpStack stack,
      StackCounters counters,
      InetSocketAddress remote,
      boolean outgoing,
      int recvId,
      int sendId,
      int initialSeq,
      int synSeq,
      long nowNanos,
      long connectDeadline) {
    this.stack = stack;
    this.settings = stack.settings();
    this.tracer = settings.tracer();
    this.counters = counters;
    this.remote = remote;
    this.outgoing = outgoing;
    this.recvId = recvId;
    this.sendId = sendId;
    this.synSeq = synSeq;
    this.api = new UtpConnection(this);
    this.sender = new Sender(settings, initialSeq, stats);
    this.in =
        new InboundStream(
            settings.receiveBufferBytes(),
            settings.minPacketSize() - UtpHeader.SIZE,
            stats,
            counters);
    this.connectDeadline = connectDeadline;
    this.openedAt = nowNanos;
    this.lastRecvAt = nowNanos;
    this.lastSendAt = nowNanos;
    this.state = outgoing ? UtpState.SYN_SENT : UtpState.SYN_RECEIVED;
  }

  /**
   * Acceptor set-up from the peer's SYN (BEP 29: ack_nr = the SYN's seq_nr). The ST_STATE answering
   * it is re-sent while the connection stays half-open (see {@link #onTimer}): the peer's first
   * packet after its SYN is the only proof that the answer arrived.
   */
  void acceptSyn(UtpHeader syn, long nowNanos) {
    in.startAfter(syn.seqNr);
    sender.peerWindow(syn.windowSize);
    replyMicros = ((nowNanos / 1000) - syn.timestampMicros) & U32;
    stats.packetsReceived++;
    ackPending = true;
    synAckResendAt = nowNanos + SYN_ACK_RESEND_NANOS;
  }

  // =========================================================================== state machine

  /**
   * Moves to {@code next}, which must be a legal move of {@link UtpState}'s table: anything else is
   * a bug and throws {@link IllegalStateException}. Leaving {@link UtpState#SYN_RECEIVED} ends the
   * half-open count; every move is reported to the tracer.
   */
  void transition(UtpState next, String reason) {
    UtpState from = state;
    if (!from.canMoveTo(next)) {
      throw new IllegalStateException(
          "µTP connection "
              + recvId
              + " with "
              + remote
              + ": illegal move "
              + from
              + " -> "
              + next
              + " ("
              + reason
              + ")");
    }
    state = next;
    if (from == UtpState.SYN_RECEIVED) {
      stack.halfOpenClosed();
    }
    tracer.stateChanged(recvId, remote, from, next, reason);
  }

  /** Enters CLOSED with {@code why}; received bytes stay readable after an orderly close. */
  void finish(UtpError why, String reason) {
    if (state == UtpState.CLOSED) {
      return;
    }
    error = why;
    transition(UtpState.CLOSED, reason);
    sender.clear();
    if (why != UtpError.NONE) {
      in.clear();
    }
    counters.connectionsClosed++;
    tracer.connectionClosed(recvId, remote, why);
    if (resetPending) {
      stack.wake(this);
    } else {
      stack.retire(this);
    }
    UtpConnectionListener l = api.listener();
    if (l != null) {
      l.onClosed(api);
    }
  }

  // =========================================================================== application side

  int write(ByteBuffer src) {
    if (!canWrite()) {
      return -1;
    }
    int n = sender.append(src);
    if (n > 0) {
      stack.wake(this);
    }
    return n;
  }

  boolean canWrite() {
    return (state == UtpState.SYN_SENT
            || state == UtpState.SYN_RECEIVED
            || state == UtpState.CONNECTED)
        && !sender.finQueued();
  }

  int writableBytes() {
    return canWrite() ? sender.free() : 0;
  }

  int read(ByteBuffer dst) {
    int n = in.read(dst);
    if (n > 0) {
      // A window update when the advertised window was too small for a full packet.
      int full = sender.packetSize();
      if (advertisedWindow < full && in.window() >= full && state != UtpState.CLOSED) {
        ackPending = true;
        stack.wake(this);
      }
      return n;
    }
    if (atEndOfStream() || state == UtpState.CLOSED) {
      return dst.hasRemaining() ? -1 : 0;
    }
    return 0;
  }

  boolean atEndOfStream() {
    return (in.peerFinished() || (state == UtpState.CLOSED && error != UtpError.NONE))
        && in.readable() == 0;
  }

  void shutdownOutput() {
    if (sender.finQueued() || state == UtpState.CLOSED || state == UtpState.LINGER) {
      return;
    }
    sender.queueFin();
    if (state == UtpState.CONNECTED || state == UtpState.SYN_RECEIVED) {
      transition(UtpState.FIN_SENT, "output shut down");
    }
    stack.wake(this);
  }

  void close(long nowNanos) {
    if (state == UtpState.CLOSED) {
      return;
    }
    appClosed = true;
    in.discard();
    if (state == UtpState.SYN_SENT) {
      abort();
      return;
    }
    shutdownOutput();
    maybeLinger(nowNanos);
  }

  void abort() {
    abort(UtpError.ABORTED, "aborted");
  }

  /** Queues ST_RESET and closes with {@code why}. */
  void abort(UtpError why, String reason) {
    if (state == UtpState.CLOSED) {
      return;
    }
    resetPending = true;
    finish(why, reason);
  }

  // =========================================================================== inbound

  /** A packet for this connection; returns false if it was dropped as hostile. */
  boolean onPacket(UtpHeader h, ByteBuffer buf, long nowNanos) {
    if (state == UtpState.CLOSED) {
      return true;
    }
    int type = h.type;
    if (type == UtpHeader.ST_RESET) {
      counters.resetsIn++;
      if (state == UtpState.SYN_SENT) {
        finish(UtpError.REFUSED, "SYN answered by ST_RESET");
      } else {
        finish(UtpError.RESET_BY_PEER, "ST_RESET received");
      }
      return true;
    }
    if (type == UtpHeader.ST_SYN) {
      onDuplicateSyn(h, nowNanos);
      return true;
    }
    // Validate the ack before changing any state.
    if (sender.impossible(h.ackNr)) {
      counters.impossibleAck();
      return false;
    }
    // An ST_STATE that acks nothing after our SYN: the acceptor has not heard from us since (our
    // ack of its answer was lost, and we had nothing to send), so it still waits, half-open.
    boolean acceptorWaits =
        outgoing && state != UtpState.SYN_SENT && type == UtpHeader.ST_STATE && h.ackNr == synSeq;
    int advance = sender.advance(h.ackNr);
    if (state == UtpState.SYN_SENT) {
      if (advance < 1) {
        counters.impossibleAck();
        return false;
      }
      // The acceptor's ST_STATE does not consume a sequence number: its first data packet reuses
      // it, so the last in-order packet "received" is seq_nr - 1.
      in.startAfter(SeqNr.add(h.seqNr, -1));
      transition(sender.finQueued() ? UtpState.FIN_SENT : UtpState.CONNECTED, "SYN acknowledged");
      ackPending = true;
      notifyConnected();
    } else if (state == UtpState.SYN_RECEIVED) {
      transition(
          sender.finQueued() ? UtpState.FIN_SENT : UtpState.CONNECTED, "first packet after SYN");
      synAckResendAt = Deadlines.NONE;
      // Only now is the connection handed to the application (like TCP's accept after the third
      // segment): a peer whose SYN answer was lost may give this connection up and dial afresh
      // with a new id, and a half-open one must not be what the application waits on.
      if (!stack.handshakeCompleted(this)) {
        return true;
      }
      notifyConnected();
    } else if (acceptorWaits) {
      ackPending = true;
    }
    touch(h, nowNanos);
    sender.peerWindow(h.windowSize);
    if (sender.onAck(h, buf, advance, nowNanos)) {
      UtpConnectionListener l = api.listener();
      if (l != null) {
        l.onWritable(api);
      }
    }
    if (state == UtpState.CLOSED) {
      return true;
    }
    if (type == UtpHeader.ST_DATA || type == UtpHeader.ST_FIN) {
      ackPending = true;
      if (in.onData(h, buf)) {
        UtpConnectionListener l = api.listener();
        if (l != null) {
          l.onReadable(api);
        }
      }
    } else if (advance == 0 && h.payloadLength == 0) {
      sender.onDuplicateAck();
    }
    maybeLinger(nowNanos);
    return true;
  }

  /**
   * A SYN for this connection again (BEP 29 "Connection setup"). The acceptor answers it with
   * another ST_STATE: the first answer was lost, or is still on its way. While half-open it also
   * takes a SYN with a new seq_nr (an initiator that renumbers its retransmitted SYN). The
   * initiator ignores SYNs.
   */
  private void onDuplicateSyn(UtpHeader h, long nowNanos) {
    if (outgoing) {
      return;
    }
    if (state == UtpState.SYN_RECEIVED) {
      if (h.seqNr != synSeq) {
        synSeq = h.seqNr;
        in.startAfter(h.seqNr);
      }
      sender.peerWindow(h.windowSize);
    } else if (h.seqNr != synSeq) {
      return;
    }
    counters.duplicateSyn++;
    ackPending = true;
    touch(h, nowNanos);
  }

  private void touch(UtpHeader h, long nowNanos) {
    stats.packetsReceived++;
    lastRecvAt = nowNanos;
    sender.peerAlive();
    replyMicros = ((nowNanos / 1000) - h.timestampMicros) & U32;
  }

  private void maybeLinger(long nowNanos) {
    if (state != UtpState.FIN_SENT) {
      return;
    }
    if (sender.finAcked() && (in.peerFinished() || appClosed)) {
      transition(UtpState.LINGER, in.peerFinished() ? "both FINs through" : "our FIN acked");
      lingerUntil = nowNanos + settings.lingerTime().toNanos();
      sender.stopRetransmitting();
    }
  }

  // =========================================================================== outbound

  /**
   * Writes the next packet of this connection into {@code out} (from position 0; the datagram is
   * [0, position)) and sets its destination; false if nothing is due.
   */
  boolean poll(Transmit out, long nowNanos) {
    ByteBuffer b = out.buffer();
    if (resetPending) {
      resetPending = false;
      writeHeader(b, UtpHeader.ST_RESET, 0, sender.nextSeq(), nowNanos);
      counters.resetsOut++;
      return sent(out, nowNanos, false);
    }
    if (state == UtpState.CLOSED) {
      return false;
    }
    if (state == UtpState.SYN_SENT) {
      int seq = sender.pollSyn(nowNanos);
      if (seq < 0) {
        return false;
      }
      b.clear();
      advertisedWindow = in.window();
      UtpHeader.write(b, UtpHeader.ST_SYN, 0, recvId, nowNanos / 1000, 0, advertisedWindow, seq, 0);
      return sent(out, nowNanos, false);
    }
    if (state != UtpState.LINGER) {
      int what = sender.pollData(b, this, nowNanos);
      if (what != Sender.NOTHING) {
        return sent(out, nowNanos, what == Sender.PROBE);
      }
    }
    boolean sack = in.sackPending();
    if (ackPending || keepAlivePending || sack) {
      int sackBytes = sack ? in.sackBytes() : 0;
      writeHeader(
          b,
          UtpHeader.ST_STATE,
          sackBytes > 0 ? UtpHeader.EXT_SACK : 0,
          sender.nextSeq(),
          nowNanos);
      if (sackBytes > 0) {
        in.writeSack(b, sackBytes);
      }
      if (keepAlivePending && !ackPending) {
        stats.keepAlives++;
      }
      return sent(out, nowNanos, false);
    }
    return false;
  }

  @Override
  public void writeHeader(ByteBuffer out, int type, int extension, int seq, long nowNanos) {
    out.clear();
    advertisedWindow = in.window();
    UtpHeader.write(
        out,
        type,
        extension,
        sendId,
        nowNanos / 1000,
        replyMicros,
        advertisedWindow,
        seq,
        in.ackNr());
  }

  private boolean sent(Transmit out, long nowNanos, boolean probe) {
    out.setDestination(remote);
    out.setDontFragment(probe);
    stats.packetsSent++;
    lastSendAt = nowNanos;
    ackPending = false;
    keepAlivePending = false;
    if (state == UtpState.CLOSED && !resetPending) {
      stack.retire(this);
    }
    return true;
  }

  // =========================================================================== timers

  /** The next time {@link #onTimer} must run, or {@link Deadlines#NONE}. */
  long deadline() {
    return switch (state) {
      case CLOSED -> Deadlines.NONE;
      case LINGER -> lingerUntil;
      case SYN_SENT -> Deadlines.earliest(sender.rtoDeadline(), connectDeadline);
      case SYN_RECEIVED ->
          Deadlines.earliest(
              Deadlines.earliest(sender.rtoDeadline(), connectDeadline), synAckResendAt);
      default ->
          Deadlines.earliest(
              sender.rtoDeadline(),
              UtpStack.tick(
                  Deadlines.earliest(
                      lastRecvAt + settings.idleTimeout().toNanos(),
                      lastSendAt + settings.keepAliveInterval().toNanos())));
    };
  }

  void onTimer(long nowNanos) {
    if (state == UtpState.CLOSED) {
      return;
    }
    if (state == UtpState.LINGER) {
      if (Deadlines.isDue(lingerUntil, nowNanos)) {
        finish(UtpError.NONE, "linger time over");
      }
      return;
    }
    if (state == UtpState.SYN_SENT || state == UtpState.SYN_RECEIVED) {
      if (Deadlines.isDue(connectDeadline, nowNanos)) {
        timedOut("handshake deadline passed");
        return;
      }
      if (state == UtpState.SYN_RECEIVED && Deadlines.isDue(synAckResendAt, nowNanos)) {
        // Nothing from the peer since its SYN: our ST_STATE may be lost; say it again (1, 2, 4 s).
        ackPending = true;
        counters.synAckRetransmits++;
        synAckResends++;
        synAckResendAt = nowNanos + (SYN_ACK_RESEND_NANOS << Math.min(synAckResends, 4));
      }
    } else {
      if (nowNanos - lastRecvAt >= settings.idleTimeout().toNanos()) {
        timedOut("idle timeout");
        return;
      }
      if (nowNanos - lastSendAt >= settings.keepAliveInterval().toNanos()) {
        keepAlivePending = true;
        // Idle for a keep-alive interval: return buffer storage (never on the hot path).
        sender.trimIfIdle();
        in.trimIfEmpty();
      }
    }
    if (Deadlines.isDue(sender.rtoDeadline(), nowNanos)
        && !sender.onRto(nowNanos, state == UtpState.SYN_SENT)) {
      timedOut(state == UtpState.SYN_SENT ? "SYN retries exhausted" : "too many timeouts");
    }
  }

  /** Gives up: {@link UtpError#CONNECT_TIMED_OUT} before our SYN was answered, else TIMED_OUT. */
  private void timedOut(String reason) {
    counters.connectionsTimedOut++;
    finish(state == UtpState.SYN_SENT ? UtpError.CONNECT_TIMED_OUT : UtpError.TIMED_OUT, reason);
  }

  private void notifyConnected() {
    UtpConnectionListener l = api.listener();
    if (l != null) {
      l.onConnected(api);
    }
  }

  // =========================================================================== queries

  UtpConnection api() {
    return api;
  }

  /** See {@link Sender#triggerSyn()}: our SYN goes again now, once, while it is unanswered. */
  boolean triggerSyn() {
    if (state != UtpState.SYN_SENT || !sender.triggerSyn()) {
      return false;
    }
    stack.wake(this);
    return true;
  }

  /** Whether our SYN is unanswered. */
  boolean synUnanswered() {
    return state == UtpState.SYN_SENT;
  }

  /** When the connection was made (opened or accepted). */
  long openedAt() {
    return openedAt;
  }

  InetSocketAddress remote() {
    return remote;
  }

  boolean outgoing() {
    return outgoing;
  }

  int recvId() {
    return recvId;
  }

  int sendId() {
    return sendId;
  }

  UtpState state() {
    return state;
  }

  UtpError error() {
    return error;
  }

  UtpConnectionStats stats() {
    return stats;
  }

  Sender sender() {
    return sender;
  }

  int readableBytes() {
    return in.readable();
  }

  // =========================================================================== stack bookkeeping

  /** Marks this connection as queued for output; false if it already was. */
  boolean enterReadyQueue() {
    if (inReadyQueue) {
      return false;
    }
    inReadyQueue = true;
    return true;
  }

  /** The stack took this connection off its output queue. */
  void leftReadyQueue() {
    inReadyQueue = false;
  }

  /** This connection's index in the stack's list of connections (-1 once retired). */
  int slot() {
    return slot;
  }

  void movedToSlot(int index) {
    slot = index;
  }

  /** Marks this connection as forgotten by the stack; false if it already was. */
  boolean retire() {
    if (retired) {
      return false;
    }
    retired = true;
    slot = -1;
    return true;
  }

  boolean isRetired() {
    return retired;
  }
}
