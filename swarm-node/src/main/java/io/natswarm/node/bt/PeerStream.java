package io.natswarm.node.bt;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ByteChannel;
import java.time.Duration;

/**
 * One established peer stream, µTP ({@link UtpPeerStream}) or TCP ({@link TcpPeerStream}), in the
 * two modes a peer connection goes through:
 *
 * <ol>
 *   <li>the handshake: {@link #blockingView} is a blocking {@link ByteChannel} whose reads wait for
 *       bytes (up to a timeout) instead of polling, for Bt's MSE handshake processor, which only
 *       needs a {@code ByteChannel} and buffers;
 *   <li>the session: {@link #startNonBlocking} switches to non-blocking reads and writes, with
 *       readiness delivered to a {@link Readiness} on the node's {@link PeerIoLoop} thread (from
 *       the µTP channel's listener or from the loop's selector for TCP) — never from sleeps.
 * </ol>
 *
 * <p>Non-blocking {@link #read}/{@link #write} may be called from any thread once the session
 * started.
 */
abstract class PeerStream implements ByteChannel {
  /** How a peer stream is carried. */
  enum Transport {
    UTP,
    TCP,
    /** Through a relay peer ({@link RelayPeerStream}). */
    RELAY
  }

  /** Readiness callbacks, always run on the {@link PeerIoLoop} thread. */
  interface Readiness {
    /** Bytes, end of stream or an error can be read now. */
    void onReadable();

    /** Room opened for writing after a write could not take everything. */
    void onWritable();
  }

  abstract Transport transport();

  abstract InetSocketAddress remoteAddress();

  /** True if we dialled this stream. */
  abstract boolean outgoing();

  /**
   * A blocking view for the handshake: reads wait up to {@code readTimeout} for at least one byte
   * (then throw {@link java.net.SocketTimeoutException}), writes write everything.
   */
  abstract ByteChannel blockingView(Duration readTimeout) throws IOException;

  /** Ends the handshake: non-blocking from now on, readiness to {@code sink} on {@code loop}. */
  abstract void startNonBlocking(PeerIoLoop loop, Readiness sink) throws IOException;

  /** Asks for one {@link Readiness#onWritable} once room opens (after a short write). */
  abstract void wantWrite();

  /** Stops reading readiness while the reader has nowhere to put bytes. */
  abstract void pauseReading();

  /** Resumes reading readiness (and reports readable if bytes are already waiting). */
  abstract void resumeReading();
}
