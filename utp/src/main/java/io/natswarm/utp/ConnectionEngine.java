package io.natswarm.utp;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * The wire side of one {@link UtpConnection}: the BEP 29 state machine, the send and receive
 * buffers, acks (cumulative and selective), retransmission, LEDBAT and the timers. Inbound packets
 * come from {@link UtpStack#handleDatagram} already parsed into a {@link UtpHeader}; outbound
 * packets are built on demand by {@link #poll}. Connection ids follow BEP 29 "Connection setup":
 * the initiator receives on the SYN's id and sends on id + 1; the acceptor the other way round.
 * Owned by the stack's event-loop thread.
 */
final class ConnectionEngine {
  private static final long U32 = 0xFFFF_FFFFL;

  /** SACK bitmask bytes we send at most (covers 512 packets past the ack). */
  static final int MAX_SACK_BYTES = 64;

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
  final DelayHistory delays = new DelayHistory();
  final PathMtu mtu;

  UtpState state;
  UtpError error = UtpError.NONE;

  // ---- send side
  private final ByteRing sendBuf;
  final SentPackets sent;

  /** Stream offset of the next byte not yet packetized. */
  private long sentOffset;

  private int lastAcked;
  private long flight;
  private long peerWindow;
  private int dupAcks;
  private int lossRecoverySeq;
  private int lostCount;
  private int consecutiveTimeouts;
  private long rtoDeadline = Long.MAX_VALUE;
  private boolean finQueued;
  private boolean finSent;
  private boolean finAcked;
  private boolean zeroWindowProbe;
  private boolean wantWritable;
  private long queuingDelay = -1;

  // ---- receive side
  private final ByteRing recvBuf;
  private final ReorderBuffer reorder;
  int ackNr;
  private boolean eofKnown;
  private int eofSeq;
  private boolean peerFin;
  private long replyMicros;
  private boolean ackPending;
  private boolean sackPending;
  private long advertisedWindow;

  // ---- life cycle
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
    this.sendBuf = new ByteRing(settings.sendBufferBytes());
    this.recvBuf = new ByteRing(settings.receiveBufferBytes());
    int minPayload = settings.minPacketSize() - UtpHeader.SIZE;
    this.reorder =
        new ReorderBuffer(
            Math.min(SentPackets.MAX_CAPACITY, settings.receiveBufferBytes() / minPayload + 1));
    this.sent = new SentPackets(initialSeq);
    this.lastAcked = SeqNr.add(initialSeq, -1);
    this.lossRecoverySeq = initialSeq;
    this.createdAt = nowNanos;
    this.lastRecvAt = nowNanos;
    this.lastSendAt = nowNanos;
    this.state = outgoing ? UtpState.SYN_SENT : UtpState.SYN_RECEIVED;
  }

  /** Acceptor set-up from the peer's SYN (BEP 29: ack_nr = the SYN's seq_nr). */
  void acceptSyn(UtpHeader syn, long nowNanos) {
    ackNr = syn.seqNr;
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
    int n = sendBuf.append(src);
    if (src.hasRemaining()) {
      wantWritable = true;
    }
    if (n > 0) {
      stack.wake(this);
    }
    return n;
  }

  boolean canWrite() {
    return (state == UtpState.SYN_SENT
            || state == UtpState.SYN_RECEIVED
            || state == UtpState.CONNECTED)
        && !finQueued;
  }

  int writableBytes() {
    return canWrite() ? sendBuf.free() : 0;
  }

  int unackedBytes() {
    return sendBuf.size();
  }

  int read(ByteBuffer dst, long nowNanos) {
    int n = recvBuf.read(dst);
    if (n > 0) {
      // Window update when the advertised window was too small for a full packet.
      if (advertisedWindow < mtu.packetSize() && receiveWindow() >= mtu.packetSize()) {
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

  int readableBytes() {
    return recvBuf.size();
  }

  boolean atEndOfStream() {
    return (peerFin || (state == UtpState.CLOSED && error != UtpError.NONE)) && recvBuf.size() == 0;
  }

  void shutdownOutput(long nowNanos) {
    if (finQueued || state == UtpState.CLOSED || state == UtpState.LINGER) {
      return;
    }
    finQueued = true;
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
    recvBuf.clear();
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
      if (!outgoing && h.seqNr == ackNr) {
        // Our ST_STATE was lost: answer the retransmitted SYN again.
        stack.countersMut().duplicateSyn++;
        ackPending = true;
        touch(h, nowNanos);
      }
      return true;
    }
    // Validate the ack before changing any state.
    int ackAdvance = SeqNr.diff(h.ackNr, lastAcked);
    int outstanding = sent.count();
    if (ackAdvance > outstanding) {
      stack.countersMut().impossibleAck++;
      return false;
    }
    touch(h, nowNanos);
    if (state == UtpState.SYN_SENT) {
      if (ackAdvance < 1) {
        stack.countersMut().impossibleAck++;
        return false;
      }
      // The acceptor's ST_STATE does not consume a sequence number: its first data packet reuses
      // it, so the last in-order packet "received" is seq_nr - 1.
      ackNr = SeqNr.add(h.seqNr, -1);
      state = finQueued ? UtpState.FIN_SENT : UtpState.CONNECTED;
      ackPending = true;
      notifyConnected();
    } else if (state == UtpState.SYN_RECEIVED) {
      leaveHalfOpen();
      state = finQueued ? UtpState.FIN_SENT : UtpState.CONNECTED;
      notifyConnected();
    }
    peerWindow = h.windowSize;
    if (peerWindow > 0) {
      zeroWindowProbe = false;
    }
    processAcks(h, buf, ackAdvance, nowNanos);
    if (state == UtpState.CLOSED) {
      return true;
    }
    if (type == UtpHeader.ST_DATA || type == UtpHeader.ST_FIN) {
      processData(h, buf);
    } else if (h.payloadLength == 0 && ackAdvance == 0 && flight > 0) {
      stats.duplicateAcks++;
      if (++dupAcks == 3) {
        int seq = SeqNr.add(lastAcked, 1);
        if (sent.contains(seq) && sent.status(seq) == SentPackets.SENT) {
          markLost(seq);
          stats.fastRetransmits++;
          lossEvent(seq);
        }
      }
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

  private void processAcks(UtpHeader h, ByteBuffer buf, int ackAdvance, long nowNanos) {
    long flightBefore = flight;
    long bytesAcked = 0;
    boolean probeSample = false;
    if (ackAdvance > 0) {
      dupAcks = 0;
      for (int k = 0; k < ackAdvance; k++) {
        int seq = sent.first();
        bytesAcked += acked(seq, nowNanos);
        sent.removeFirst();
      }
      lastAcked = h.ackNr;
      sendBuf.releaseTo(sent.isEmpty() ? sentOffset : sent.offset(sent.first()));
      probeSample = true;
    }
    if (h.sackOffset >= 0 && h.sackLength > 0 && ackAdvance >= 0) {
      bytesAcked += processSack(buf, h.ackNr, h.sackOffset, h.sackLength, nowNanos);
    }
    if (h.timestampDifferenceMicros != 0 && bytesAcked > 0) {
      queuingDelay = delays.add(h.timestampDifferenceMicros, nowNanos);
    }
    if (bytesAcked > 0) {
      cc.onAck(bytesAcked, queuingDelay, flightBefore);
    }
    if (probeSample || bytesAcked > 0) {
      if (sent.isEmpty()) {
        rtoDeadline = Long.MAX_VALUE;
      } else {
        rtoDeadline = nowNanos + rtt.timeoutMicros() * 1000;
      }
      if (wantWritable && sendBuf.free() > 0) {
        wantWritable = false;
        UtpConnectionListener l = api.listener();
        if (l != null) {
          l.onWritable(api);
        }
      }
    }
  }

  /** One packet cumulatively acked; returns the payload bytes newly acknowledged. */
  private long acked(int seq, long nowNanos) {
    byte st = sent.status(seq);
    int len = sent.length(seq);
    int type = sent.type(seq);
    if (st == SentPackets.SENT) {
      flight -= len;
      if (sent.transmissions(seq) == 1) {
        rtt.sample((nowNanos - sent.sentAt(seq)) / 1000);
      }
    } else if (st == SentPackets.LOST) {
      lostCount--;
    }
    if (mtu.isProbe(seq)) {
      mtu.probeAcked();
      stats.mtuProbesAcked++;
      cc.setMinWindow(mtu.packetSize());
    }
    if (type == UtpHeader.ST_FIN) {
      finAcked = true;
    }
    return st == SentPackets.SACKED ? 0 : Math.max(len, 1);
  }

  private long processSack(ByteBuffer buf, int ack, int off, int len, long nowNanos) {
    long bytes = 0;
    int bits = len * 8;
    int base = SeqNr.add(ack, 2);
    int highestSacked = -1;
    for (int i = 0; i < bits; i++) {
      if (!UtpHeader.sackBit(buf, off, i)) {
        continue;
      }
      int seq = SeqNr.add(base, i);
      if (!sent.contains(seq)) {
        break;
      }
      highestSacked = i;
      byte st = sent.status(seq);
      if (st == SentPackets.SENT || st == SentPackets.LOST) {
        if (st == SentPackets.SENT) {
          flight -= sent.length(seq);
          if (sent.transmissions(seq) == 1) {
            rtt.sample((nowNanos - sent.sentAt(seq)) / 1000);
          }
        } else {
          lostCount--;
        }
        sent.setStatus(seq, SentPackets.SACKED);
        bytes += Math.max(1, sent.length(seq));
      }
    }
    // Packets with at least three selectively acked packets after them are lost (BEP 29).
    int after = 0;
    for (int i = highestSacked; i >= -1; i--) {
      int seq = SeqNr.add(base, i);
      if (i >= 0 && UtpHeader.sackBit(buf, off, i)) {
        after++;
        continue;
      }
      if (after >= 3
          && sent.contains(seq)
          && sent.status(seq) == SentPackets.SENT
          && !sent.hasFlag(seq, SentPackets.FLAG_FAST_RESENT)) {
        sent.setFlag(seq, SentPackets.FLAG_FAST_RESENT);
        markLost(seq);
        stats.sackRetransmits++;
        lossEvent(seq);
      }
    }
    return bytes;
  }

  private void markLost(int seq) {
    flight -= sent.length(seq);
    sent.setStatus(seq, SentPackets.LOST);
    lostCount++;
    if (mtu.isProbe(seq)) {
      mtu.probeLost();
      stats.mtuProbesLost++;
    }
  }

  /** Halves the window at most once per window of data (packets sent after the last cut). */
  private void lossEvent(int seq) {
    if (mtu.isProbe(seq)) {
      return;
    }
    if (SeqNr.diff(seq, lossRecoverySeq) >= 0) {
      cc.onLoss();
      stats.lossEvents++;
      lossRecoverySeq = sent.next();
    }
  }

  private void processData(UtpHeader h, ByteBuffer buf) {
    int seq = h.seqNr;
    boolean fin = h.type == UtpHeader.ST_FIN;
    if (eofKnown && SeqNr.diff(seq, eofSeq) > 0) {
      return;
    }
    int d = SeqNr.diff(seq, SeqNr.add(ackNr, 1));
    if (fin && !eofKnown && d >= 0) {
      eofKnown = true;
      eofSeq = seq;
    }
    ackPending = true;
    if (d < 0) {
      stats.duplicatePackets++;
      return;
    }
    int len = fin ? 0 : h.payloadLength;
    if (d > 0) {
      if (fin) {
        sackPending = true;
        return;
      }
      if (d >= reorder.maxDistance() || len > receiveWindow()) {
        stack.countersMut().outOfWindow++;
        return;
      }
      if (reorder.contains(seq)) {
        stats.duplicatePackets++;
      } else {
        reorder.store(seq, d, buf, h.payloadOffset, len);
        stats.outOfOrderPackets++;
      }
      sackPending = true;
      return;
    }
    // In order.
    if (!fin) {
      if (!appClosed && len > recvBuf.free() - reorder.bytes()) {
        stack.countersMut().outOfWindow++;
        return;
      }
      if (!appClosed) {
        recvBuf.append(buf, h.payloadOffset, len);
      }
      stats.payloadBytesReceived += len;
    }
    ackNr = seq;
    if (fin) {
      peerFin = true;
    } else {
      deliverReordered();
    }
    if (len > 0 || peerFin) {
      UtpConnectionListener l = api.listener();
      if (l != null && !appClosed) {
        l.onReadable(api);
      }
    }
  }

  private void deliverReordered() {
    while (reorder.count() > 0) {
      int next = SeqNr.add(ackNr, 1);
      int n = reorder.take(next, appClosed ? null : recvBuf);
      if (n < 0) {
        break;
      }
      stats.payloadBytesReceived += n;
      ackNr = next;
    }
    if (eofKnown && !peerFin && SeqNr.add(ackNr, 1) == eofSeq) {
      ackNr = eofSeq;
      peerFin = true;
    }
    if (reorder.count() == 0) {
      sackPending = false;
    }
  }

  /** Bytes we can still accept: the advertised window (BEP 29 wnd_size). */
  long receiveWindow() {
    if (appClosed) {
      return settings.receiveBufferBytes();
    }
    return Math.max(0, recvBuf.free() - reorder.bytes());
  }

  private void maybeLinger(long nowNanos) {
    if (state == UtpState.CLOSED || state == UtpState.LINGER) {
      return;
    }
    if (finAcked && (peerFin || appClosed)) {
      state = UtpState.LINGER;
      lingerUntil = nowNanos + settings.lingerTime().toNanos();
      rtoDeadline = Long.MAX_VALUE;
    }
  }

  // =========================================================================== outbound

  /** Writes the next packet of this connection into {@code out}; false if nothing is due. */
  boolean poll(UtpTransmit out, long nowNanos) {
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
      if (sent.isEmpty()) {
        sent.hasRoom();
        int seq = sent.add(UtpHeader.ST_SYN, sentOffset, 0, nowNanos, false);
        writeSyn(out, seq, nowNanos);
        armRto(nowNanos);
        return sentPacket(out, nowNanos, false);
      }
      if (lostCount > 0) {
        int seq = sent.first();
        sent.resent(seq, nowNanos);
        lostCount--;
        stats.retransmits++;
        stats.synRetransmits++;
        writeSyn(out, seq, nowNanos);
        armRto(nowNanos);
        return sentPacket(out, nowNanos, false);
      }
      return false;
    }
    if (state != UtpState.LINGER) {
      if (lostCount > 0 && resendLost(out, nowNanos)) {
        return true;
      }
      if (sendNew(out, nowNanos)) {
        return true;
      }
    }
    if (ackPending || keepAlivePending || sackPending) {
      int sackBytes = sackPending ? sackBytes() : 0;
      writeHeader(
          out, UtpHeader.ST_STATE, sackBytes > 0 ? UtpHeader.EXT_SACK : 0, sent.next(), nowNanos);
      if (sackBytes > 0) {
        writeSack(out.buffer(), sackBytes);
      }
      if (keepAlivePending && !ackPending) {
        stats.keepAlives++;
      }
      sackPending = false;
      return sentPacket(out, nowNanos, false);
    }
    return false;
  }

  private boolean resendLost(UtpTransmit out, long nowNanos) {
    int c = sent.count();
    for (int k = 0; k < c; k++) {
      int seq = SeqNr.add(sent.first(), k);
      if (sent.status(seq) != SentPackets.LOST) {
        continue;
      }
      int len = sent.length(seq);
      if (flight > 0 && flight + len > window()) {
        return false;
      }
      if (peerWindow == 0 && !zeroWindowProbe && sent.type(seq) == UtpHeader.ST_DATA) {
        return false;
      }
      zeroWindowProbe = false;
      sent.resent(seq, nowNanos);
      lostCount--;
      flight += len;
      stats.retransmits++;
      if (sent.type(seq) == UtpHeader.ST_FIN) {
        stats.finRetransmits++;
      }
      writeHeader(out, sent.type(seq), 0, seq, nowNanos);
      sendBuf.copyOut(sent.offset(seq), len, out.buffer());
      armRto(nowNanos);
      return sentPacket(out, nowNanos, false);
    }
    return false;
  }

  private boolean sendNew(UtpTransmit out, long nowNanos) {
    long unsent = sendBuf.end() - sentOffset;
    if (unsent > 0) {
      if (!sent.hasRoom()) {
        return false;
      }
      int maxPayload = mtu.packetSize() - UtpHeader.SIZE;
      int probe = mtu.nextProbeSize();
      boolean isProbe = probe > 0 && unsent >= probe - UtpHeader.SIZE;
      if (isProbe) {
        maxPayload = probe - UtpHeader.SIZE;
      }
      int len = (int) Math.min(unsent, maxPayload);
      if (peerWindow == 0) {
        if (!zeroWindowProbe) {
          armRto(nowNanos);
          return false;
        }
        zeroWindowProbe = false;
        stats.zeroWindowProbes++;
      } else if (flight > 0 && flight + len > window()) {
        return false;
      } else if (flight == 0 && len > peerWindow) {
        len = (int) peerWindow;
        isProbe = false;
      }
      int seq = sent.add(UtpHeader.ST_DATA, sentOffset, len, nowNanos, isProbe);
      if (isProbe) {
        mtu.probeSent(seq, len + UtpHeader.SIZE);
        stats.mtuProbesSent++;
      }
      writeHeader(out, UtpHeader.ST_DATA, 0, seq, nowNanos);
      sendBuf.copyOut(sentOffset, len, out.buffer());
      sentOffset += len;
      flight += len;
      stats.payloadBytesSent += len;
      armRto(nowNanos);
      return sentPacket(out, nowNanos, isProbe);
    }
    if (finQueued && !finSent && state != UtpState.SYN_RECEIVED && sent.hasRoom()) {
      finSent = true;
      int seq = sent.add(UtpHeader.ST_FIN, sentOffset, 0, nowNanos, false);
      writeHeader(out, UtpHeader.ST_FIN, 0, seq, nowNanos);
      armRto(nowNanos);
      return sentPacket(out, nowNanos, false);
    }
    return false;
  }

  private long window() {
    return Math.min(cc.window(), peerWindow);
  }

  private void armRto(long nowNanos) {
    if (rtoDeadline == Long.MAX_VALUE) {
      rtoDeadline = nowNanos + rtt.timeoutMicros() * 1000;
    }
  }

  private void writeSyn(UtpTransmit out, int seq, long nowNanos) {
    ByteBuffer b = out.buffer();
    b.clear();
    advertisedWindow = receiveWindow();
    UtpHeader.write(b, UtpHeader.ST_SYN, 0, recvId, nowNanos / 1000, 0, advertisedWindow, seq, 0);
  }

  private void writeHeader(UtpTransmit out, int type, int ext, int seq, long nowNanos) {
    ByteBuffer b = out.buffer();
    b.clear();
    advertisedWindow = receiveWindow();
    UtpHeader.write(
        b, type, ext, sendId, nowNanos / 1000, replyMicros, advertisedWindow, seq, ackNr);
  }

  private int sackBytes() {
    if (reorder.count() == 0) {
      return 0;
    }
    int span = SeqNr.diff(reorder.highest(), SeqNr.add(ackNr, 2)) + 1;
    if (span <= 0) {
      return 0;
    }
    int bytes = ((span + 31) / 32) * 4;
    return Math.min(bytes, MAX_SACK_BYTES);
  }

  private void writeSack(ByteBuffer b, int bytes) {
    b.put((byte) 0);
    b.put((byte) bytes);
    int base = SeqNr.add(ackNr, 2);
    for (int i = 0; i < bytes; i++) {
      int v = 0;
      for (int bit = 0; bit < 8; bit++) {
        if (reorder.contains(SeqNr.add(base, i * 8 + bit))) {
          v |= 1 << bit;
        }
      }
      b.put((byte) v);
    }
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
              Math.min(
                  lastRecvAt + settings.idleTimeout().toNanos(),
                  lastSendAt + settings.keepAliveInterval().toNanos()));
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
      }
    }
    if (nowNanos >= rtoDeadline) {
      onRto(nowNanos);
    }
  }

  private void onRto(long nowNanos) {
    rtoDeadline = Long.MAX_VALUE;
    if (sent.isEmpty()) {
      if (peerWindow == 0 && sendBuf.end() > sentOffset) {
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
    cc.onTimeout();
    lossRecoverySeq = sent.next();
    int c = sent.count();
    for (int k = 0; k < c; k++) {
      int seq = SeqNr.add(sent.first(), k);
      if (sent.status(seq) == SentPackets.SENT) {
        markLost(seq);
      }
    }
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

  /** Enters CLOSED with {@code why}; buffers are dropped unless data is left to read. */
  void finish(UtpError why) {
    if (state == UtpState.CLOSED) {
      return;
    }
    leaveHalfOpen();
    state = UtpState.CLOSED;
    error = why;
    rtoDeadline = Long.MAX_VALUE;
    sendBuf.clear();
    reorder.clear();
    if (why != UtpError.NONE) {
      recvBuf.clear();
    }
    stack.countersMut().connectionsClosed++;
    if (!resetPending) {
      stack.retire(this);
    } else {
      stack.wake(this);
    }
    UtpConnectionListener l = api.listener();
    if (l != null) {
      l.onClosed(api);
    }
  }

  boolean wantsOutput() {
    return resetPending
        || ackPending
        || keepAlivePending
        || sackPending
        || lostCount > 0
        || (state != UtpState.CLOSED && sendBuf.end() > sentOffset)
        || (finQueued && !finSent);
  }

  long flight() {
    return flight;
  }

  int lastAcked() {
    return lastAcked;
  }
}
