package io.natswarm.utp;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * One µTP connection (BEP 29): a reliable, ordered byte stream in both directions with LEDBAT
 * congestion control (RFC 6817), selective acks, fast retransmit and an advertised receive window.
 * Created by {@link UtpStack#connect} or returned by {@link UtpStack#pollAccepted}.
 *
 * <p>Sans-IO: {@link #write} copies into the send buffer and {@link #read} copies out of the
 * receive buffer; the datagrams these cause come out of {@link UtpStack#pollTransmit}. Owned by the
 * stack's event-loop thread; not thread-safe.
 */
public final class UtpConnection {

  UtpConnection() {}

  public InetSocketAddress remoteAddress() {
    throw new UnsupportedOperationException("not yet");
  }

  /** True if we sent the SYN. */
  public boolean isOutgoing() {
    throw new UnsupportedOperationException("not yet");
  }

  public UtpState state() {
    throw new UnsupportedOperationException("not yet");
  }

  /** Why the connection ended, {@link UtpError#NONE} while open or after an orderly close. */
  public UtpError error() {
    throw new UnsupportedOperationException("not yet");
  }

  /**
   * Copies as many bytes of {@code src} as fit the send buffer and returns their number (0 when
   * full: wait for {@link UtpConnectionListener#onWritable}); returns -1 when the output is shut
   * down or the connection is closed (see {@link #error()}).
   */
  public int write(ByteBuffer src, long nowNanos) {
    throw new UnsupportedOperationException("not yet");
  }

  /**
   * Copies received in-order bytes into {@code dst} and returns their number; 0 if none is
   * available yet; -1 at end of stream (the peer's FIN, everything before it read) or when the
   * connection is closed (see {@link #error()}).
   */
  public int read(ByteBuffer dst, long nowNanos) {
    throw new UnsupportedOperationException("not yet");
  }

  /** Bytes {@link #read} can return now without blocking. */
  public int readableBytes() {
    throw new UnsupportedOperationException("not yet");
  }

  /** True if {@link #read} would return non-zero (data, end of stream or closed). */
  public boolean isReadable() {
    throw new UnsupportedOperationException("not yet");
  }

  /** Free bytes in the send buffer (0 once the output is shut down). */
  public int writableBytes() {
    throw new UnsupportedOperationException("not yet");
  }

  /** True if {@link #write} would accept at least one byte, or would fail with -1. */
  public boolean isWritable() {
    throw new UnsupportedOperationException("not yet");
  }

  /** Sends ST_FIN after everything already written (half close). Idempotent. */
  public void shutdownOutput(long nowNanos) {}

  /**
   * Orderly close: shuts the output down and discards what arrives from now on (still acking it);
   * the connection is forgotten once both FINs are through or the linger time passes.
   */
  public void close(long nowNanos) {}

  /** Abortive close: queues ST_RESET and drops every buffer; the state becomes CLOSED. */
  public void abort(long nowNanos) {}

  /** Sets the callbacks (null for none). Called on the event-loop thread. */
  public void setListener(UtpConnectionListener listener) {}

  /** An object of the endpoint's choice carried with the connection. */
  public Object attachment() {
    return null;
  }

  public void attach(Object attachment) {}

  public UtpConnectionStats stats() {
    throw new UnsupportedOperationException("not yet");
  }

  /** LEDBAT's current congestion window in bytes. */
  public int congestionWindow() {
    throw new UnsupportedOperationException("not yet");
  }

  /** Smoothed round-trip time in microseconds (0 before the first sample). */
  public long rttMicros() {
    throw new UnsupportedOperationException("not yet");
  }

  /** The current size of full packets (grows with path-MTU probing). */
  public int packetSize() {
    throw new UnsupportedOperationException("not yet");
  }
}
