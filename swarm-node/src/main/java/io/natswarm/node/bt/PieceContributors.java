package io.natswarm.node.bt;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which peers' blocks went into each piece of one torrent since the piece was last hashed, in the
 * order Bt handed the blocks to its data worker.
 *
 * <p>Each block gets a sequence number when it is handed over ({@link #add}); the worker writes
 * blocks in that order. When the write that completed a piece comes back with the piece's hash
 * result, {@link #take} returns the contributors of every block numbered up to that write: exactly
 * the blocks that were hashed, even when the bookkeeping of an earlier write runs late on another
 * thread (a {@code CompletableFuture} stage added after its future completed runs on the thread
 * that adds it). Blocks handed over after it belong to the next attempt at the piece.
 *
 * <p>Thread-safe (one lock per torrent).
 */
final class PieceContributors {
  private record Block(long seq, InetSocketAddress endpoint) {}

  private final List<List<Block>> pieces;
  private long nextSeq;

  PieceContributors(int pieceCount) {
    pieces = new ArrayList<>(pieceCount);
    for (int i = 0; i < pieceCount; i++) {
      pieces.add(null);
    }
  }

  int pieceCount() {
    return pieces.size();
  }

  /** Notes a block of {@code piece} from {@code endpoint} (null: unknown); returns its number. */
  synchronized long add(int piece, InetSocketAddress endpoint) {
    long seq = nextSeq++;
    if (endpoint != null) {
      List<Block> blocks = pieces.get(piece);
      if (blocks == null) {
        blocks = new ArrayList<>(8);
        pieces.set(piece, blocks);
      }
      blocks.add(new Block(seq, endpoint));
    }
    return seq;
  }

  /** Forgets block {@code seq} of {@code piece}: the worker did not write it. */
  synchronized void drop(int piece, long seq) {
    List<Block> blocks = pieces.get(piece);
    if (blocks != null) {
      blocks.removeIf(b -> b.seq == seq);
    }
  }

  /**
   * Removes and returns the distinct contributors of {@code piece}'s blocks numbered up to {@code
   * seq}.
   */
  synchronized Set<InetSocketAddress> take(int piece, long seq) {
    Set<InetSocketAddress> who = new LinkedHashSet<>();
    List<Block> blocks = pieces.get(piece);
    if (blocks == null) {
      return who;
    }
    for (Iterator<Block> it = blocks.iterator(); it.hasNext(); ) {
      Block b = it.next();
      if (b.seq <= seq) {
        who.add(b.endpoint);
        it.remove();
      }
    }
    if (blocks.isEmpty()) {
      pieces.set(piece, null);
    }
    return who;
  }
}
