package io.natswarm.node.bt;

import bt.torrent.PieceStatistics;
import bt.torrent.selector.PieceSelector;
import java.util.BitSet;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;
import java.util.stream.StreamSupport;

/**
 * Rarest-first piece selection (the policy of BEP 3's "Piece downloading strategy" and of
 * libtorrent) that produces pieces lazily, in place of Bt 1.10's {@code
 * RandomizedRarestFirstSelector}, set on every torrent by {@link BtEngine}.
 *
 * <p>Bt's selector is asked for pieces whenever a peer's assignment has room (each time one of its
 * pieces is verified, on Bt's message dispatcher thread), and each time it copies the count of
 * every piece the peer has into a new array, counts, bucket-sorts the whole torrent into two more
 * arrays and streams them, although the caller ({@code Assignment.claimPiecesIfNeeded}) then takes
 * the first one or few pieces it can claim. The availability counts themselves are already kept
 * incrementally by Bt ({@code BitfieldBasedStatistics}: on bitfield, have and disconnect); only the
 * ordering is rebuilt. Here the order is not built at all: one pass over the peer's pieces finds
 * the lowest availability, and pieces of that availability are handed out as the caller pulls them,
 * starting at a random piece (ties broken by a random rotation, so that peers do not all ask for
 * the same piece); only a caller that wants more than the rarest pieces pays for further passes,
 * one per availability level. Each piece is handed out at most once per call, even when its count
 * changes while the stream is read. Thread-safe (no state but the random generator).
 *
 * <p>Measured (issue 9 stage 3, step 1), {@code bench/run piece-selection}: see {@code
 * PieceSelectionBench} and {@link EngineConfig}.
 */
public final class LazyRarestFirstSelector implements PieceSelector {

  /** A selector; one per torrent or shared, it keeps nothing between calls. */
  public LazyRarestFirstSelector() {}

  @Override
  public IntStream getNextPieces(BitSet relevantChunks, PieceStatistics pieceStatistics) {
    int n = Math.min(pieceStatistics.getPiecesTotal(), relevantChunks.length());
    if (n == 0 || relevantChunks.isEmpty()) {
      return IntStream.empty();
    }
    int start = ThreadLocalRandom.current().nextInt(n);
    return StreamSupport.intStream(
        new Rarest(relevantChunks, pieceStatistics, n, start), /* parallel= */ false);
  }

  /** The pieces of {@code relevant} in increasing availability, from {@code start} round. */
  private static final class Rarest extends Spliterators.AbstractIntSpliterator {
    private final BitSet relevant;
    private final PieceStatistics counts;
    private final int n;
    private final int start;
    private final BitSet handedOut;
    private int level;
    private int nextLevel = Integer.MAX_VALUE;

    /** Pieces of the current pass already looked at, 0..n. */
    private int scanned;

    Rarest(BitSet relevant, PieceStatistics counts, int n, int start) {
      super(Long.MAX_VALUE, Spliterator.ORDERED | Spliterator.DISTINCT | Spliterator.NONNULL);
      this.relevant = relevant;
      this.counts = counts;
      this.n = n;
      this.start = start;
      this.handedOut = new BitSet(n);
      int min = Integer.MAX_VALUE;
      for (int p = relevant.nextSetBit(0); p >= 0 && p < n; p = relevant.nextSetBit(p + 1)) {
        min = Math.min(min, counts.getCount(p));
      }
      this.level = min;
    }

    @Override
    public boolean tryAdvance(IntConsumer action) {
      while (level != Integer.MAX_VALUE) {
        while (scanned < n) {
          int at = start + scanned;
          int p = relevant.nextSetBit(at < n ? at : at - n);
          // next relevant piece in rotation order, or the end of this pass
          int step;
          if (at < n) {
            if (p < 0 || p >= n) { // nothing more up to n: continue from 0
              scanned = n - start;
              continue;
            }
            step = p - at + 1;
          } else {
            if (p < 0 || p >= start) {
              scanned = n;
              break;
            }
            step = p - (at - n) + 1;
          }
          scanned += step;
          if (handedOut.get(p)) {
            continue;
          }
          int c = counts.getCount(p);
          if (c <= level) {
            handedOut.set(p);
            action.accept(p);
            return true;
          }
          nextLevel = Math.min(nextLevel, c);
        }
        level = nextLevel;
        nextLevel = Integer.MAX_VALUE;
        scanned = 0;
      }
      return false;
    }
  }
}
