package io.natswarm.utp;

import io.natswarm.datagram.Deadlines;
import java.nio.ByteBuffer;

/**
 * The sending half of one connection (BEP 29 "Congestion control", "Timeouts"; RFC 6817): the bytes
 * the application wrote ({@link OutboundStream}), the packets in flight and their acks ({@link
 * SendWindow}), the LEDBAT window ({@link CongestionWindow}), the round-trip estimate ({@link
 * RttEstimator}), path-MTU probing ({@link PathMtu}), the peer's advertised window with zero-window
 * probing, and the retransmission timer. It decides what data, FIN or SYN goes out next; the {@link
 * ConnectionEngine} owns the connection's state and writes packet headers. Owned by the stack's
 * event-loop thread.
 */
final class Sender {
  /** {@link #pollData} wrote nothing. */
  static final int NOTHING = 0;

  /** {@link #pollData} wrote a packet. */
  static final int PACKET = 1;

  /** {@link #pollData} wrote a path-MTU probe (send it with the don't-fragment bit). */
  static final int PROBE = 2;

  /** Writes a µTP header for the connection (its ids, timestamps, window and ack). */
  interface HeaderWriter {
    /** Clears {@code out} and writes a 20-byte header at position 0. */
    void writeHeader(ByteBuffer out, int type, int extension, int seq, long nowNanos);
  }

  private final UtpSettings settings;
  private final UtpConnectionStats stats;
  private final RttEstimator rtt;
  private final CongestionWindow cc;
  private final PathMtu mtu;
  private final SendWindow window;
  private final OutboundStream outbound;

  private long peerWindow;
  private boolean zeroWindowProbe;
  private long rtoDeadline = Deadlines.NONE;
  private int consecutiveTimeouts;
  private boolean synTriggered; // the SYN went again once on a sign of life (not by the timer)

  Sender(UtpSettings settings, int initialSeq, UtpConnectionStats stats) {
    this.settings = settings;
    this.stats = stats;
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
    this.outbound = new OutboundStream(settings.sendBufferBytes());
  }

  // ============================================================================= application side

  /** Copies what fits of {@code src} into the send buffer; returns the count. */
  int append(ByteBuffer src) {
    return outbound.append(src);
  }

  /** Free bytes in the send buffer. */
  int free() {
    return outbound.free();
  }

  /** Bytes written and not yet acknowledged. */
  int unacked() {
    return outbound.size();
  }

  boolean finQueued() {
    return outbound.finQueued();
  }

  /** Queues our FIN after every byte written so far. */
  void queueFin() {
    outbound.queueFin();
  }

  // ============================================================================= inbound

  /** True if {@code ackNr} acknowledges a packet we never sent. */
  boolean impossible(int ackNr) {
    return window.impossible(ackNr);
  }

  /** How many packets {@code ackNr} acknowledges beyond the last ack (negative: an old ack). */
  int advance(int ackNr) {
    return window.advance(ackNr);
  }

  /** Anything arrived from the peer: it is alive, so the run of timeouts ends. */
  void peerAlive() {
    consecutiveTimeouts = 0;
  }

  /** The peer's advertised receive window (BEP 29 wnd_size) from its latest packet. */
  void peerWindow(long bytes) {
    peerWindow = bytes;
    if (bytes > 0) {
      zeroWindowProbe = false;
    }
  }

  /**
   * The acks of one packet ({@code advance} cumulative, then its selective ACK). Returns true if
   * the application waited for room in the send buffer and there is some now.
   */
  boolean onAck(UtpHeader h, ByteBuffer buf, int advance, long nowNanos) {
    if (!window.onAck(h, buf, advance, nowNanos)) {
      return false;
    }
    outbound.release(window.sent());
    rtoDeadline = window.sent().isEmpty() ? Deadlines.NONE : rtoFrom(nowNanos);
    return outbound.becameWritable();
  }

  /** A pure ack that acknowledged nothing new. */
  void onDuplicateAck() {
    window.onDuplicateAck();
  }

  /** True once our FIN was acknowledged. */
  boolean finAcked() {
    return window.finAcked();
  }

  // ============================================================================= outbound

  /** The sequence number the next packet gets (what ST_STATE and ST_RESET carry). */
  int nextSeq() {
    return window.sent().next();
  }

  /**
   * The SYN to send now: the first one, or a retransmission once the timer declared it lost.
   * Returns its sequence number, or -1 when none is due.
   */
  int pollSyn(long nowNanos) {
    SentPackets sent = window.sent();
    int seq;
    if (sent.isEmpty()) {
      sent.hasRoom();
      seq = window.add(UtpHeader.ST_SYN, outbound.sentOffset(), 0, nowNanos, false);
    } else if (window.hasLost()) {
      seq = sent.first();
      window.resent(seq, nowNanos);
      stats.retransmits++;
      stats.synRetransmits++;
    } else {
      return -1;
    }
    armRto(nowNanos);
    return seq;
  }

  /**
   * A triggered check (RFC 8445 §7.3.1.4 in spirit): the other side showed a path to it is open (a
   * hole-punch probe from it arrived) while our SYN is unanswered, so the SYN goes again now rather
   * than at the retransmission timer, which starts at a second: the first SYN may have met the
   * other side's NAT before its own punch opened it. Once per connection, not counted against
   * {@link UtpSettings#synRetries()}; returns whether the SYN was queued again.
   */
  boolean triggerSyn() {
    if (synTriggered || !window.resendFirst()) {
      return false;
    }
    synTriggered = true;
    stats.synTriggered++;
    return true;
  }

  /**
   * Writes the next DATA or FIN packet into {@code out} (position 0 on): a lost packet first, then
   * new data as far as the congestion and peer windows allow, then the FIN. Returns {@link
   * #NOTHING}, {@link #PACKET} or {@link #PROBE}.
   */
  int pollData(ByteBuffer out, HeaderWriter header, long nowNanos) {
    if (window.hasLost() && resendLost(out, header, nowNanos)) {
      return PACKET;
    }
    return sendNew(out, header, nowNanos);
  }

  private boolean resendLost(ByteBuffer out, HeaderWriter header, long nowNanos) {
    int seq = window.oldestLost();
    if (seq < 0) {
      return false;
    }
    SentPackets sent = window.sent();
    int len = sent.length(seq);
    int type = sent.type(seq);
    long flight = window.flight();
    if (flight > 0 && flight + len > sendLimit()) {
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
    header.writeHeader(out, type, 0, seq, nowNanos);
    outbound.copyOut(sent.offset(seq), len, out);
    armRto(nowNanos);
    return true;
  }

  private int sendNew(ByteBuffer out, HeaderWriter header, long nowNanos) {
    SentPackets sent = window.sent();
    long unsent = outbound.unsent();
    if (unsent > 0) {
      if (!sent.hasRoom()) {
        return NOTHING;
      }
      int len = (int) Math.min(unsent, mtu.packetSize() - UtpHeader.SIZE);
      // A path-MTU probe is a full packet padded with skippable extensions to the probe size, so
      // that its retransmission (unpadded) fits the proven size if the probe is lost.
      int padding = mtu.nextProbeSize() - UtpHeader.SIZE - len;
      boolean isProbe = len == mtu.packetSize() - UtpHeader.SIZE && padding >= 2;
      long flight = window.flight();
      if (peerWindow == 0) {
        if (!zeroWindowProbe) {
          armRto(nowNanos);
          return NOTHING;
        }
        zeroWindowProbe = false;
        stats.zeroWindowProbes++;
      } else if (flight > 0 && flight + len > sendLimit()) {
        return NOTHING;
      } else if (flight == 0 && len > peerWindow) {
        len = (int) peerWindow;
        isProbe = false;
      }
      long offset = outbound.sentOffset();
      int seq = window.add(UtpHeader.ST_DATA, offset, len, nowNanos, isProbe);
      if (isProbe) {
        mtu.probeSent(seq, len + UtpHeader.SIZE + padding);
        stats.mtuProbesSent++;
        header.writeHeader(out, UtpHeader.ST_DATA, UtpHeader.EXT_PADDING, seq, nowNanos);
        UtpHeader.writePadding(out, padding);
      } else {
        header.writeHeader(out, UtpHeader.ST_DATA, 0, seq, nowNanos);
      }
      outbound.copyOut(offset, len, out);
      outbound.packetized(len);
      stats.payloadBytesSent += len;
      armRto(nowNanos);
      return isProbe ? PROBE : PACKET;
    }
    if (outbound.finDue() && sent.hasRoom()) {
      outbound.finPacketized();
      int seq = window.add(UtpHeader.ST_FIN, outbound.sentOffset(), 0, nowNanos, false);
      header.writeHeader(out, UtpHeader.ST_FIN, 0, seq, nowNanos);
      armRto(nowNanos);
      return PACKET;
    }
    return NOTHING;
  }

  /** What may be in flight: the congestion window, capped by the peer's receive window. */
  private long sendLimit() {
    return Math.min(cc.window(), peerWindow);
  }

  private void armRto(long nowNanos) {
    if (rtoDeadline == Deadlines.NONE) {
      rtoDeadline = rtoFrom(nowNanos);
    }
  }

  private long rtoFrom(long nowNanos) {
    return nowNanos + rtt.timeoutMicros() * 1000;
  }

  // ============================================================================= timers

  /** When the retransmission timer fires, or {@link Deadlines#NONE}. */
  long rtoDeadline() {
    return rtoDeadline;
  }

  /** Nothing will be retransmitted any more (linger, or the connection ended). */
  void stopRetransmitting() {
    rtoDeadline = Deadlines.NONE;
  }

  /**
   * The retransmission timer fired (BEP 29 "Timeouts"): everything in flight is lost, the window
   * drops to one packet, the timeout doubles, full-size packets that keep timing out shrink the
   * packet size. Returns false when the peer is to be given up: a SYN resent {@link
   * UtpSettings#synRetries()} times ({@code synSent}), or {@link
   * UtpSettings#maxConsecutiveTimeouts()} timeouts in a row.
   */
  boolean onRto(long nowNanos, boolean synSent) {
    rtoDeadline = Deadlines.NONE;
    SentPackets sent = window.sent();
    if (sent.isEmpty()) {
      if (peerWindow == 0 && outbound.unsent() > 0) {
        zeroWindowProbe = true;
        rtt.backoff();
      }
      return true;
    }
    stats.timeouts++;
    consecutiveTimeouts++;
    if (synSent) {
      if (sent.transmissions(sent.first()) > settings.synRetries() + (synTriggered ? 1 : 0)) {
        return false;
      }
    } else if (consecutiveTimeouts > settings.maxConsecutiveTimeouts()) {
      return false;
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
    rtoDeadline = rtoFrom(nowNanos);
    return true;
  }

  /** Idle for a keep-alive interval: gives buffer storage back (never on the hot path). */
  void trimIfIdle() {
    outbound.trimIfEmpty();
    window.sent().trimIfEmpty();
  }

  /** The connection ended: drops every byte and stops the timer. */
  void clear() {
    outbound.clear();
    rtoDeadline = Deadlines.NONE;
  }

  // ============================================================================= introspection

  long congestionWindow() {
    return cc.window();
  }

  long rttMicros() {
    return rtt.srttMicros();
  }

  long queuingDelayMicros() {
    return window.queuingDelayMicros();
  }

  /** The current size of full packets, header included. */
  int packetSize() {
    return mtu.packetSize();
  }
}
