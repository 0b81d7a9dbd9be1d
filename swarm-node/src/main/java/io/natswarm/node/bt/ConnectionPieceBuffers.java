package io.natswarm.node.bt;

import bt.net.buffer.BufferedData;
import bt.net.pipeline.BufferedPieceRegistry;
import bt.net.pipeline.IBufferedPieceRegistry;
import com.google.inject.Inject;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bt's registry of received blocks ({@code Piece} messages whose data stays in the connection's
 * inbound buffer until it is written), kept per connection.
 *
 * <p>Bt 1.10's {@link BufferedPieceRegistry} is one map for the whole runtime keyed by piece index
 * and offset only: not by connection, not even by torrent. When two connections deliver the same
 * block, the second one's data is dropped and its {@code Piece} message takes the first one's data;
 * a block whose connection closed before the message was consumed stays in the map for good (Bt's
 * "TODO: daemon cleaner"), and every later copy of that block from any peer is written with the
 * stale bytes. With a peer that sends corrupt blocks and is then dropped, honest peers' pieces kept
 * failing their hash check, and they were blamed for it ({@code SwarmFailureTest}).
 *
 * <p>Here each connection has its own map ({@link Blocks}), found through the thread doing the
 * work: a connection's inbound bytes are decoded (and its blocks added) inside {@link
 * ConnectionPipeline}'s {@code fireDataReceived}, and Bt's message dispatcher consumes a message
 * (and takes its block) on the thread that has just polled it from that connection's {@link
 * ConnectionPipeline#decode}, before it polls another. Outside those (Bt's pipeline constructor
 * decodes bytes left over from the MSE handshake) the runtime-wide map of Bt is used, as before. A
 * closed connection's blocks go away with it.
 */
final class ConnectionPieceBuffers implements IBufferedPieceRegistry {
  private static final ThreadLocal<Blocks> DECODING = new ThreadLocal<>();
  private static final ThreadLocal<Blocks> CONSUMING = new ThreadLocal<>();

  private final IBufferedPieceRegistry shared = new BufferedPieceRegistry();

  @Inject
  ConnectionPieceBuffers() {}

  /** One connection's received blocks by piece index and offset. */
  static final class Blocks {
    private final Map<Long, BufferedData> byBlock = new ConcurrentHashMap<>();

    /** Runs {@code decode} with this connection's blocks as the ones being added to. */
    void decoding(Runnable decode) {
      Blocks outer = DECODING.get();
      DECODING.set(this);
      try {
        decode.run();
      } finally {
        DECODING.set(outer);
      }
    }

    /** This thread has just polled a message of this connection, to consume it. */
    void consuming() {
      CONSUMING.set(this);
    }
  }

  @Override
  public boolean addBufferedPiece(int pieceIndex, int offset, BufferedData buffer) {
    Blocks b = DECODING.get();
    if (b == null) {
      return shared.addBufferedPiece(pieceIndex, offset, buffer);
    }
    if (pieceIndex < 0) {
      throw new IllegalArgumentException("Illegal piece index: " + pieceIndex);
    }
    return b.byBlock.putIfAbsent(key(pieceIndex, offset), buffer) == null;
  }

  @Override
  public BufferedData getBufferedPiece(int pieceIndex, int offset) {
    Blocks b = CONSUMING.get();
    if (b != null) {
      BufferedData d = b.byBlock.remove(key(pieceIndex, offset));
      if (d != null) {
        return d;
      }
    }
    return shared.getBufferedPiece(pieceIndex, offset);
  }

  private static Long key(int pieceIndex, int offset) {
    return ((long) pieceIndex << 32) | (offset & 0xffffffffL);
  }
}
