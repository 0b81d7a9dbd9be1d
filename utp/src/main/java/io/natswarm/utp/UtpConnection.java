package io.natswarm.utp;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * One µTP connection (BEP 29): a reliable, ordered byte stream in both directions with LEDBAT
 * congestion control (RFC 6817), selective acks, fast retransmit and an advertised receive window.
 * Created by {@link UtpStack#connect} or returned by {@link UtpStack#pollAccepted}.
 *
 * <p>Sans-IO: {@link #write} copies into the send buffer and {@link #read} copies out of the
 * receive buffer; the datagrams these cause come out of {@link UtpStack#pollTransmit} (a host polls
 * it after its tasks, or netsim after {@code Network.wake}). The wire side lives in {@link
 * ConnectionEngine}. Owned by the stack's event-loop thread; not thread-safe.
 */
public final class UtpConnection {
  final ConnectionEngine engine;
  private UtpConnectionListener listener;
  private Object attachment;

  UtpConnection(ConnectionEngine engine) {
    this.engine = engine;
  }

  public InetSocketAddress remoteAddress() {
    return engine.remote();
  }

  /** True if we sent the SYN. */
  public boolean isOutgoing() {
    return engine.outgoing();
  }

  public UtpState state() {
    return engine.state();
  }

  /** Why the connection ended, {@link UtpError#NONE} while open or after an orderly close. */
  public UtpError error() {
    return engine.error();
  }

  /**
   * Copies as many bytes of {@code src} as fit the send buffer and returns their number (0 when
   * full: wait for {@link UtpConnectionListener#onWritable}); returns -1 when the output is shut
   * down or the connection is closed (see {@link #error()}).
   */
  public int write(ByteBuffer src, long nowNanos) {
    return engine.write(src);
  }

  /**
   * Copies received in-order bytes into {@code dst} and returns their number; 0 if none is
   * available yet; -1 at end of stream (the peer's FIN, everything before it read) or when the
   * connection is closed (see {@link #error()}).
   */
  public int read(ByteBuffer dst, long nowNanos) {
    return engine.read(dst);
  }

  /** Bytes {@link #read} can return now without blocking. */
  public int readableBytes() {
    return engine.readableBytes();
  }

  /** True if {@link #read} would return non-zero (data, end of stream or closed). */
  public boolean isReadable() {
    return engine.readableBytes() > 0 || engine.atEndOfStream();
  }

  /** True once the peer's FIN was received and every byte before it was read. */
  public boolean isEndOfStream() {
    return engine.atEndOfStream();
  }

  /** Free bytes in the send buffer (0 once the output is shut down). */
  public int writableBytes() {
    return engine.writableBytes();
  }

  /** True if {@link #write} would accept at least one byte, or would fail with -1. */
  public boolean isWritable() {
    return engine.writableBytes() > 0 || !engine.canWrite();
  }

  /** Bytes written but not yet acknowledged by the peer. */
  public int unackedBytes() {
    return engine.sender().unacked();
  }

  /** Sends ST_FIN after everything already written (half close). Idempotent. */
  public void shutdownOutput(long nowNanos) {
    engine.shutdownOutput();
  }

  /**
   * Orderly close: shuts the output down and discards what arrives from now on (still acking it);
   * the connection is forgotten once both FINs are through or the linger time passes.
   */
  public void close(long nowNanos) {
    engine.close(nowNanos);
  }

  /** Abortive close: queues ST_RESET and drops every buffer; the state becomes CLOSED. */
  public void abort(long nowNanos) {
    engine.abort();
  }

  /** Sets the callbacks (null for none). Called on the event-loop thread. */
  public void setListener(UtpConnectionListener listener) {
    this.listener = listener;
  }

  UtpConnectionListener listener() {
    return listener;
  }

  /** An object of the endpoint's choice carried with the connection. */
  public Object attachment() {
    return attachment;
  }

  public void attach(Object attachment) {
    this.attachment = attachment;
  }

  public UtpConnectionStats stats() {
    return engine.stats();
  }

  /** LEDBAT's current congestion window in bytes. */
  public int congestionWindow() {
    return (int) Math.min(Integer.MAX_VALUE, engine.sender().congestionWindow());
  }

  /** Smoothed round-trip time in microseconds (0 before the first sample). */
  public long rttMicros() {
    return engine.sender().rttMicros();
  }

  /** LEDBAT's latest queuing-delay estimate in microseconds, or -1 before the first sample. */
  public long queuingDelayMicros() {
    return engine.sender().queuingDelayMicros();
  }

  /** The current size of full packets (grows with path-MTU probing). */
  public int packetSize() {
    return engine.sender().packetSize();
  }

  /** Our receive connection id (the one in the headers the peer sends). */
  public int receiveId() {
    return engine.recvId();
  }

  /** Our send connection id (the one in the headers we send). */
  public int sendId() {
    return engine.sendId();
  }

  @Override
  public String toString() {
    return "UtpConnection{"
        + engine.remote()
        + " recv="
        + engine.recvId()
        + " send="
        + engine.sendId()
        + " "
        + engine.state()
        + (engine.error() == UtpError.NONE ? "" : " " + engine.error())
        + "}";
  }
}
