package io.natswarm.utp;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
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

  /**
   * A stack with the given settings; {@code random} chooses connection ids and initial sequence
   * numbers (inject a seeded one for deterministic tests).
   */
  public UtpStack(UtpSettings settings, RandomGenerator random) {
    throw new UnsupportedOperationException("not yet");
  }

  public UtpSettings settings() {
    throw new UnsupportedOperationException("not yet");
  }

  /** Accept incoming SYNs (true) or answer them with ST_RESET (false, the default). */
  public void setListening(boolean listening) {}

  public boolean isListening() {
    return false;
  }

  /** Called (on the event-loop thread) when {@link #pollAccepted()} has a connection to return. */
  public void setAcceptListener(Runnable onAcceptable) {}

  /**
   * Offers one datagram. Returns false if it is not µTP for this stack (not a version 1 header with
   * a known connection id, nor an ST_SYN): the demultiplexer then offers it to the next protocol.
   * Returns true when consumed, including hostile or malformed µTP that was counted in {@link
   * #counters()} and dropped. Never throws on any input. {@code packet} is read from its position
   * to its limit; its position is left unspecified; nothing is kept after the call.
   */
  public boolean handleDatagram(ByteBuffer packet, InetSocketAddress from, long nowNanos) {
    throw new UnsupportedOperationException("not yet");
  }

  /**
   * For a datagram nothing else claimed: if it is a well-formed µTP packet of an unknown connection
   * (and not itself a reset), queues an ST_RESET to its sender, as libtorrent does, and returns
   * true.
   */
  public boolean resetUnknown(ByteBuffer packet, InetSocketAddress from, long nowNanos) {
    throw new UnsupportedOperationException("not yet");
  }

  /**
   * Writes the next datagram to send into {@code out} and returns true, or returns false when
   * nothing is due now. Drain it until false after every batch of inputs.
   */
  public boolean pollTransmit(UtpTransmit out, long nowNanos) {
    throw new UnsupportedOperationException("not yet");
  }

  /**
   * The earliest deadline (nanoseconds on the caller's clock) at which {@link #handleTimeout} must
   * be called, or {@link Long#MAX_VALUE}. Calling earlier is harmless.
   */
  public long pollTimeout() {
    throw new UnsupportedOperationException("not yet");
  }

  /** Runs retransmission, keep-alive, idle and linger timers that are due at {@code nowNanos}. */
  public void handleTimeout(long nowNanos) {
    throw new UnsupportedOperationException("not yet");
  }

  /**
   * Opens a connection: queues a SYN to {@code remote}. The connection starts in {@link
   * UtpState#SYN_SENT}; it is writable at once (data waits for the handshake).
   *
   * @throws IllegalStateException when {@link UtpSettings#maxConnections()} are open
   */
  public UtpConnection connect(InetSocketAddress remote, long nowNanos) {
    throw new UnsupportedOperationException("not yet");
  }

  /** The next accepted incoming connection, or null. */
  public UtpConnection pollAccepted() {
    throw new UnsupportedOperationException("not yet");
  }

  /** Connections currently held, of every state except removed ones. */
  public int connectionCount() {
    throw new UnsupportedOperationException("not yet");
  }

  public UtpCounters counters() {
    throw new UnsupportedOperationException("not yet");
  }

  /** Aborts every connection (ST_RESET queued for each); the stack stays usable. */
  public void closeAll(long nowNanos) {}
}
