package io.natswarm.node.bt;

import bt.net.Peer;
import bt.torrent.data.BlockRead;
import bt.torrent.data.BlockReader;
import bt.torrent.data.BlockWrite;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.CompletableFuture;

/**
 * Bt 1.10's results of a data worker's tasks, {@link BlockWrite} and {@link BlockRead}, made
 * outside Bt's package: their factories are package-private (Bt expects its own {@code
 * DefaultDataWorker} to be the only worker), so {@link StripedDataWorker} reaches them through
 * method handles, looked up once. Bt sits on the class path (no module boundary), so the private
 * lookup is allowed.
 */
final class BtDataResults {
  private static final MethodHandle WRITE_COMPLETE;
  private static final MethodHandle WRITE_REJECTED;
  private static final MethodHandle WRITE_EXCEPTIONAL;
  private static final MethodHandle READ_READY;
  private static final MethodHandle READ_REJECTED;
  private static final MethodHandle READ_EXCEPTIONAL;

  static {
    try {
      MethodHandles.Lookup w =
          MethodHandles.privateLookupIn(BlockWrite.class, MethodHandles.lookup());
      MethodHandles.Lookup r =
          MethodHandles.privateLookupIn(BlockRead.class, MethodHandles.lookup());
      WRITE_COMPLETE =
          w.findStatic(
              BlockWrite.class,
              "complete",
              MethodType.methodType(
                  BlockWrite.class,
                  Peer.class,
                  int.class,
                  int.class,
                  int.class,
                  CompletableFuture.class));
      WRITE_REJECTED =
          w.findStatic(
              BlockWrite.class,
              "rejected",
              MethodType.methodType(BlockWrite.class, Peer.class, int.class, int.class, int.class));
      WRITE_EXCEPTIONAL =
          w.findStatic(
              BlockWrite.class,
              "exceptional",
              MethodType.methodType(
                  BlockWrite.class, Peer.class, Throwable.class, int.class, int.class, int.class));
      READ_READY =
          r.findStatic(
              BlockRead.class,
              "ready",
              MethodType.methodType(
                  BlockRead.class, Peer.class, int.class, int.class, int.class, BlockReader.class));
      READ_REJECTED =
          r.findStatic(
              BlockRead.class,
              "rejected",
              MethodType.methodType(BlockRead.class, Peer.class, int.class, int.class, int.class));
      READ_EXCEPTIONAL =
          r.findStatic(
              BlockRead.class,
              "exceptional",
              MethodType.methodType(
                  BlockRead.class, Peer.class, Throwable.class, int.class, int.class, int.class));
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private BtDataResults() {}

  /** A written block; {@code verification} is non-null when the block completed its piece. */
  static BlockWrite written(
      Peer peer, int piece, int offset, int length, CompletableFuture<Boolean> verification) {
    try {
      return (BlockWrite) WRITE_COMPLETE.invokeExact(peer, piece, offset, length, verification);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** A block not written because its piece was already complete. */
  static BlockWrite writeRejected(Peer peer, int piece, int offset, int length) {
    try {
      return (BlockWrite) WRITE_REJECTED.invokeExact(peer, piece, offset, length);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** A block whose write failed with {@code error}. */
  static BlockWrite writeFailed(Peer peer, Throwable error, int piece, int offset, int length) {
    try {
      return (BlockWrite) WRITE_EXCEPTIONAL.invokeExact(peer, error, piece, offset, length);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** A block ready to be read by {@code reader} when its message is encoded. */
  static BlockRead readable(Peer peer, int piece, int offset, int length, BlockReader reader) {
    try {
      return (BlockRead) READ_READY.invokeExact(peer, piece, offset, length, reader);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** A read refused because the piece is not verified. */
  static BlockRead readRejected(Peer peer, int piece, int offset, int length) {
    try {
      return (BlockRead) READ_REJECTED.invokeExact(peer, piece, offset, length);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** A read that failed with {@code error}. */
  static BlockRead readFailed(Peer peer, Throwable error, int piece, int offset, int length) {
    try {
      return (BlockRead) READ_EXCEPTIONAL.invokeExact(peer, error, piece, offset, length);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  private static RuntimeException rethrow(Throwable t) {
    if (t instanceof RuntimeException e) {
      throw e;
    }
    if (t instanceof Error e) {
      throw e;
    }
    return new IllegalStateException(t);
  }
}
