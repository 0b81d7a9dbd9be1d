package io.natswarm.utp;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * The wire side of one {@link UtpConnection}: the BEP 29 state machine, packet building and the
 * timers; the receiving half is an {@link InboundStream}, the sender's bookkeeping a {@link
 * SendWindow}. Inbound packets come from {@link UtpStack#handleDatagram} already parsed into a
 * {@link UtpHeader}; outbound packets are built on demand by {@link #poll}, straight from the send
 * ring into the caller's buffer. Connection ids follow BEP 29 "Connection setup": the initiator
 * receives on the SYN's id and sends on id + 1, the acceptor the other way round. Owned by the
 * stack's event-loop thread.
 */
final class ConnectionEngine {
  private static final long U32 = 0xFFFF_FFFFL;

  final UtpStack stack;
  final UtpSettings settings;
  final InetSocketAddress remote;
  final boolean outgoing;
  final int recvId;
  final int sendId;
  final UtpConnection api;
  final UtpConnectionStats stats = new UtpConnectionStats();
  final RttEstimator rtt;
  final CongestionWindow cc;
  final PathMtu mtu;
  final SendWindow window;
  final InboundStream in;

  UtpState state;
  UtpError error = UtpError.NONE;

  private final OutboundStream outbound;
  final ByteRing sendBuf;

  private long peerWindow;
  private int consecutiveTimeouts;
  private long rtoDeadline = Long.MAX_VALUE;
  private boolean zeroWindowProbe;
  private long replyMicros;
  private boolean ackPending;
  private long advertisedWindow;
  private boolean appClosed;
  private boolean resetPending;
  private boolean keepAlivePending;
  private final long createdAt;
  private long lastRecvAt;
  private long lastSendAt;
  private long lingerUntil = Long.MAX_VALUE;

  boolean inReadyQueue;
  int listIndex = -1;
  boolean removed;

  ConnectionEngine(
      UtpStack stack,
      InetSocketAddress remote,
      boolean outgoing,
      int recvId,
      int sendId,
      int initialSeq,
      long nowNanos) {
    this.stack = stack;
    this.settings = stack.settings();
    this.remote = remote;
    this.outgoing = outgoing;
    this.recvId = recvId;
    this.sendId = sendId;
    this.api = new UtpConnection(this);
    this.rtt = new RttEstimator(settings.minTimeout().toNanos() / 1000);
    this.mtu =
        new PathMtu(settings.minPacketSize(), settings.packetSize(), settings.maxPacketSize());
    this.cc =
        new CongestionWindow(
            settings.targetDelay().toNanos() / 1000,
            settings.gainBytesPerRtt(),
            settings.packetSize(),
            2 * settings.packetSize(),
            Math.max(settings.sendBufferBytes(), 64 * 1024));
    this.window = new SendWindow(initialSeq, stats, rtt, cc, mtu);
    this.in =
        new InboundStream(
            settings.receiveBufferBytes(),
            settings.minPacketSize() - UtpHeader.SIZE,
            stats,
            stack.countersMut());
    this.outbound = new OutboundStream(settings.sendBufferBytes());
    this.sendBuf = outbound.buf;
    this.createdAt = nowNanos;
    this.lastRecvAt = nowNanos;
    this.lastSendAt = nowNanos;
    this.state = outgoing ? UtpState.SYN_SENT : UtpState.SYN_RECEIVED;
  }

  /** Acceptor set-up from the peer's SYN (BEP 29: ack_nr = the SYN's seq_nr). */
  void acceptSyn(UtpHeader syn, long nowNanos) {
    in.ackNr = syn.seqNr;
    peerWindow = syn.windowSize;
    replyMicros = ((nowNanos / 1000) - syn.timestampMicros) & U32;
    stats.packetsReceived++;
    ackPending = true;
  }

  // =========================================================================== application side

  int write(ByteBuffer src, long nowNanos) {
    if (!canWrite()) {
      return -1;
    }
    int n = outbound.append(src);
    if (n > 0) {
      stack.wake(this);
    }
    return n;
  }

  boolean canWrite() {
    return (state == UtpState.SYN_SENT
            || state == UtpState.SYN_RECEIVED
            || state == UtpState.CONNECTED)
        && !outbound.finQueued;
  }

  int writableBytes() {
    return canWrite() ? sendBuf.free() : 0;
  }

  int read(ByteBuffer dst, long nowNanos) {
    int n = in.read(dst);
    if (n > 0) {
      // A window update when the advertised window was too small for a full packet.
      int full = mtu.packetSize();
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

  void shutdownOutput(long nowNanos) {
    if (outbound.finQueued || state == UtpState.CLOSED || state == UtpState.LINGER) {
      return;
    }
    outbound.finQueued = true;
    if (state == UtpState.CONNECTED || state == UtpState.SYN_RECEIVED) {
      leaveHalfOpen();
      state = UtpState.FIN_SENT;
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
      abort(nowNanos);
      return;
    }
    shutdownOutput(nowNanos);
    maybeLinger(nowNanos);
  }

  void abort(long nowNanos) {
    if (state == UtpState.CLOSED) {
      return;
    }
    resetPending = true;
    finish(UtpError.ABORTED);
  }

  // =========================================================================== inbound

  /** A packet for this connection; returns false if it was dropped as hostile. */
  boolean onPacket(UtpHeader h, ByteBuffer buf, long nowNanos) {
    if (state == UtpState.CLOSED) {
      return true;
    }
    int type = h.type;
    if (type == UtpHeader.ST_RESET) {
      stack.countersMut().resetsIn++;
      finish(state == UtpState.SYN_SENT ? UtpError.REFUSED : UtpError.RESET_BY_PEER);
      return true;
    }
    if (type == UtpHeader.ST_SYN) {
      if (!outgoing && h.seqNr == in.ackNr) {
        // Our ST_STATE was lost: answer the retransmitted SYN again.
        stack.countersMut().duplicateSyn++;
        ackPending = true;
        touch(h, nowNanos);
      }
      return true;
    }
    // Validate the ack before changing any state.
    if (window.impossible(h.ackNr)) {
      stack.countersMut().impossibleAck++;
      return false;
    }
    int advance = window.advance(h.ackNr);
    if (state == UtpState.SYN_SENT) {
      if (advance < 1) {
        stack.countersMut().impossibleAck++;
        return false;
      }
      // The acceptor's ST_STATE does not consume a sequence number: its first data packet reuses
      // it, so the last in-order packet "received" is seq_nr - 1.
      in.ackNr = SeqNr.add(h.seqNr, -1);
      state = outbound.finQueued ? UtpState.FIN_SENT : UtpState.CONNECTED;
      ackPending = true;
      notifyConnected();
    } else if (state == UtpState.SYN_RECEIVED) {
      leaveHalfOpen();
      state = outbound.finQueued ? UtpState.FIN_SENT : UtpState.CONNECTED;
      notifyConnected();
    }
    touch(h, nowNanos);
    peerWindow = h.windowSize;
    if (peerWindow > 0) {
      zeroWindowProbe = false;
    }
    processAcks(h, buf, advance, nowNanos);
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
      window.onDuplicateAck();
    }
    maybeLinger(nowNanos);
    return true;
  }

  private void touch(UtpHeader h, long nowNanos) {
    stats.packetsReceived++;
    lastRecvAt = nowNanos;
    consecutiveTimeouts = 0;
    replyMicros = ((nowNanos / 1000) - h.timestampMicros) & U32;
  }

  private void processAcks(UtpHeader h, ByteBuffer buf, int advance, long nowNanos) {
    if (!window.onAck(h, buf, advance, nowNanos)) {
      return;
    }
    outbound.release(window.sent);
    rtoDeadline = window.sent.isEmpty() ? Long.MAX_VALUE : nowNanos + rtt.timeoutMicros() * 1000;
    if (outbound.becameWritable()) {
      UtpConnectionListener l = api.listener();
      if (l != null) {
        l.onWritable(api);
      }
    }
  }

  private void maybeLinger(long nowNanos) {
    if (state == UtpState.CLOSED || state == UtpState.LINGER) {
      return;
    }
    if (window.finAcked && (in.peerFinished() || appClosed)) {
      state = UtpState.LINGER;
      lingerUntil = nowNanos + settings.lingerTime().toNanos();
      rtoDeadline = Long.MAX_VALUE;
    }
  }

  // =========================================================================== outbound

  /** Writes the next packet of this connection into {@code out}; false if nothing is due. */
  boolean poll(UtpTransmit out, long nowNanos) {
    SentPackets sent = window.sent;
    if (resetPending) {
      resetPending = false;
      writeHeader(out, UtpHeader.ST_RESET, 0, sent.next(), nowNanos);
      stack.countersMut().resetsOut++;
      return sentPacket(out, nowNanos, false);
    }
    if (state == UtpState.CLOSED) {
      return false;
    }
    if (state == UtpState.SYN_SENT) {
      return pollSyn(out, nowNanos);
    }
    if (state != UtpState.LINGER) {
      if (window.lostCount > 0 && resendLost(out, nowNanos)) {
        return true;
      }
      if (sendNew(out, nowNanos)) {
        return true;
      }
    }
    boolean sack = in.sackPending();
    if (ackPending || keepAlivePending || sack) {
      int sackBytes = sack ? in.sackBytes() : 0;
      writeHeader(
          out, UtpHeader.ST_STATE, sackBytes > 0 ? UtpHeader.EXT_SACK : 0, sent.next(), nowNanos);
      if (sackBytes > 0) {
        in.writeSack(out.buffer(), sackBytes);
      }
      if (keepAlivePending && !ackPending) {
        stats.keepAlives++;
      }
      return sentPacket(out, nowNanos, false);
    }
    return false;
  }

  private boolean pollSyn(UtpTransmit out, long nowNanos) {
    SentPackets sent = window.sent;
    int seq;
    if (sent.isEmpty()) {
      sent.hasRoom();
      seq = sent.add(UtpHeader.ST_SYN, outbound.sentOffset, 0, nowNanos, false);
    } else if (window.lostCount > 0) {
      seq = sent.first();
      window.resent(seq, nowNanos);
      stats.retransmits++;
      stats.synRetransmits++;
    } else {
      return false;
    }
    ByteBuffer b = out.buffer();
    b.clear();
    advertisedWindow = in.window();
    UtpHeader.write(b, UtpHeader.ST_SYN, 0, recvId, nowNanos / 1000, 0, advertisedWindow, seq, 0);
    armRto(nowNanos);
    return sentPacket(out, nowNanos, false);
  }

  private boolean resendLost(UtpTransmit out, long nowNanos) {
    int seq = window.oldestLost();
    if (seq < 0) {
      return false;
    }
    SentPackets sent = window.sent;
    int len = sent.length(seq);
    int type = sent.type(seq);
    if (window.flight > 0 && window.flight + len > sendLimit()) {
      return false;
    }
    if (peerWindow == 0 && type == UtpHeader.ST_DATA) {
      if (!zeroWindowProbe) {
        return false;
      }
      stats.zeroWindowProbes++;
    }
    zeroWindowProbe = false;
    window.resent(seq, nowNanos);
    stats.retransmits++;
    if (type == UtpHeader.ST_FIN) {
      stats.finRetransmits++;
    }
    writeHeader(out, type, 0, seq, nowNanos);
    sendBuf.copyOut(sent.offset(seq), len, out.buffer());
    armRto(nowNanos);
    return sentPacket(out, nowNanos, false);
  }

  private boolean sendNew(UtpTransmit out, long nowNanos) {
    SentPackets sent = window.sent;
    long unsent = outbound.unsent();
    if (unsent > 0) {
      if (!sent.hasRoom()) {
        return false;
      }
      int len = (int) Math.min(unsent, mtu.packetSize() - UtpHeader.SIZE);
      // A path-MTU probe is a full packet padded with skippable extensions to the probe size, so
      // that its retransmission (unpadded) fits the proven size if the probe is lost.
      int padding = mtu.nextProbeSize() - UtpHeader.SIZE - len;
      boolean isProbe = len == mtu.packetSize() - UtpHeader.SIZE && padding >= 2;
      long flight = window.flight;
      if (peerWindow == 0) {
        if (!zeroWindowProbe) {
          armRto(nowNanos);
          return false;
        }
        zeroWindowProbe = false;
        stats.zeroWindowProbes++;
      } else if (flight > 0 && flight + len > sendLimit()) {
        return false;
      } else if (flight == 0 && len > peerWindow) {
        len = (int) peerWindow;
        isProbe = false;
      }
      int seq = sent.add(UtpHeader.ST_DATA, outbound.sentOffset, len, nowNanos, isProbe);
      if (isProbe) {
        mtu.probeSent(seq, len + UtpHeader.SIZE + padding);
        stats.mtuProbesSent++;
        writeHeader(out, UtpHeader.ST_DATA, UtpHeader.EXT_PADDING, seq, nowNanos);
        UtpHeader.writePadding(out.buffer(), padding);
      } else {
        writeHeader(out, UtpHeader.ST_DATA, 0, seq, nowNanos);
      }
      sendBuf.copyOut(outbound.sentOffset, len, out.buffer());
      outbound.sentOffset += len;
      window.flight += len;
      stats.payloadBytesSent += len;
      armRto(nowNanos);
      return sentPacket(out, nowNanos, isProbe);
    }
    if (outbound.finQueued && !outbound.finSent && sent.hasRoom()) {
      outbound.finSent = true;
      int seq = sent.add(UtpHeader.ST_FIN, outbound.sentOffset, 0, nowNanos, false);
      writeHeader(out, UtpHeader.ST_FIN, 0, seq, nowNanos);
      armRto(nowNanos);
      return sentPacket(out, nowNanos, false);
    }
    return false;
  }

  /** What may be in flight: the congestion window, capped by the peer's receive window. */
  private long sendLimit() {
    return Math.min(cc.window(), peerWindow);
  }

  private void armRto(long nowNanos) {
    if (rtoDeadline == Long.MAX_VALUE) {
      rtoDeadline = nowNanos + rtt.timeoutMicros() * 1000;
    }
  }

  private void writeHeader(UtpTransmit out, int type, int ext, int seq, long nowNanos) {
    ByteBuffer b = out.buffer();
    b.clear();
    advertisedWindow = in.window();
    UtpHeader.write(
        b, type, ext, sendId, nowNanos / 1000, replyMicros, advertisedWindow, seq, in.ackNr);
  }

  private boolean sentPacket(UtpTransmit out, long nowNanos, boolean probe) {
    out.buffer().flip();
    out.set(remote, probe);
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

  /** The next time {@link #onTimer} must run. */
  long deadline() {
    return switch (state) {
      case CLOSED -> Long.MAX_VALUE;
      case LINGER -> lingerUntil;
      case SYN_SENT, SYN_RECEIVED ->
          Math.min(rtoDeadline, createdAt + settings.connectTimeout().toNanos());
      default ->
          Math.min(
              rtoDeadline,
              UtpStack.tick(
                  Math.min(
                      lastRecvAt + settings.idleTimeout().toNanos(),
                      lastSendAt + settings.keepAliveInterval().toNanos())));
    };
  }

  void onTimer(long nowNanos) {
    if (state == UtpState.CLOSED) {
      return;
    }
    if (state == UtpState.LINGER) {
      if (nowNanos >= lingerUntil) {
        finish(UtpError.NONE);
      }
      return;
    }
    if (state == UtpState.SYN_SENT || state == UtpState.SYN_RECEIVED) {
      if (nowNanos - createdAt >= settings.connectTimeout().toNanos()) {
        timedOut();
        return;
      }
    } else {
      if (nowNanos - lastRecvAt >= settings.idleTimeout().toNanos()) {
        timedOut();
        return;
      }
      if (nowNanos - lastSendAt >= settings.keepAliveInterval().toNanos()) {
        keepAlivePending = true;
        // Idle for a keep-alive interval: return buffer storage (never on the hot path).
        sendBuf.trimIfEmpty();
        window.sent.trimIfEmpty();
        in.trimIfEmpty();
      }
    }
    if (nowNanos >= rtoDeadline) {
      onRto(nowNanos);
    }
  }

  private void onRto(long nowNanos) {
    rtoDeadline = Long.MAX_VALUE;
    SentPackets sent = window.sent;
    if (sent.isEmpty()) {
      if (peerWindow == 0 && outbound.unsent() > 0) {
        zeroWindowProbe = true;
        rtt.backoff();
      }
      return;
    }
    stats.timeouts++;
    consecutiveTimeouts++;
    if (state == UtpState.SYN_SENT) {
      if (sent.transmissions(sent.first()) > settings.synRetries()) {
        timedOut();
        return;
      }
    } else if (consecutiveTimeouts > settings.maxConsecutiveTimeouts()) {
      timedOut();
      return;
    }
    if (consecutiveTimeouts >= 3
        && sent.length(sent.first()) + UtpHeader.SIZE >= mtu.packetSize()) {
      mtu.shrink();
      cc.setMinWindow(mtu.packetSize());
    }
    window.onTimeout();
    if (peerWindow == 0) {
      zeroWindowProbe = true;
    }
    rtt.backoff();
    rtoDeadline = nowNanos + rtt.timeoutMicros() * 1000;
  }

  private void timedOut() {
    stack.countersMut().connectionsTimedOut++;
    finish(UtpError.TIMED_OUT);
  }

  // =========================================================================== life cycle

  private void leaveHalfOpen() {
    if (state == UtpState.SYN_RECEIVED) {
      stack.halfOpenClosed();
    }
  }

  private void notifyConnected() {
    UtpConnectionListener l = api.listener();
    if (l != null) {
      l.onConnected(api);
    }
  }

  /** Enters CLOSED with {@code why}; received bytes stay readable after an orderly close. */
  void finish(UtpError why) {
    if (state == UtpState.CLOSED) {
      return;
    }
    leaveHalfOpen();
    state = UtpState.CLOSED;
    error = why;
    rtoDeadline = Long.MAX_VALUE;
    sendBuf.clear();
    if (why != UtpError.NONE) {
      in.clear();
    }
    stack.countersMut().connectionsClosed++;
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

  long queuingDelayMicros() {
    return window.queuingDelayMicros();
  }
}
