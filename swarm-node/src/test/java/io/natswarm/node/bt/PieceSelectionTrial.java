package io.natswarm.node.bt;

import bt.torrent.PieceStatistics;
import bt.torrent.selector.PieceSelector;
import bt.torrent.selector.RarestFirstSelector;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * A simulated download that asks a piece selector for pieces the way Bt 1.10's {@code Assignment}
 * does, timing only the selector: {@code bench/run piece-selection} compares Bt's selector with
 * {@link LazyRarestFirstSelector} through it (the bench module does not touch Bt itself).
 *
 * <p>One leecher (us) with {@code peers} peers: the first a seeder, the others holding a random
 * half or more of the pieces, one of them gaining a random piece (a have message) at every step.
 * Each peer's assignment holds up to {@code inFlight} pieces; at every step one peer's oldest piece
 * completes and its assignment is refilled: the peer's pieces minus ours ({@code
 * ValidatingSelector}), then the selector's stream, filtered by what other assignments claimed,
 * limited to the room left ({@code Assignment.claimPiecesIfNeeded}). Ends when every piece is ours.
 * Bt's endgame (which drains the whole stream) is not simulated.
 */
public final class PieceSelectionTrial {
  private PieceSelectionTrial() {}

  /** Bt 1.10's default selector, initialised for {@code pieces}. */
  public static PieceSelector bt(int pieces) {
    PieceSelector s = RarestFirstSelector.randomizedRarest();
    s.initSelector(pieces);
    return s;
  }

  /** natswarm's selector. */
  public static PieceSelector lazy() {
    return new LazyRarestFirstSelector();
  }

  /** Runs one download; returns {nanoseconds spent in the selector, selector calls}. */
  public static long[] run(PieceSelector selector, int pieces, int peers, int inFlight, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    AtomicIntegerArray counts = new AtomicIntegerArray(pieces);
    List<BitSet> has = new ArrayList<>();
    for (int i = 0; i < peers; i++) {
      BitSet b = new BitSet(pieces);
      int share = i == 0 ? 100 : 50 + random.nextInt(51);
      for (int p = 0; p < pieces; p++) {
        if (i == 0 || random.nextInt(100) < share) {
          b.set(p);
          counts.incrementAndGet(p);
        }
      }
      has.add(b);
    }
    PieceStatistics stats =
        new PieceStatistics() {
          @Override
          public int getCount(int pieceIndex) {
            return counts.get(pieceIndex);
          }

          @Override
          public int getPiecesTotal() {
            return pieces;
          }
        };
    BitSet ours = new BitSet(pieces);
    boolean[] claimed = new boolean[pieces];
    List<ArrayDeque<Integer>> assigned = new ArrayList<>();
    for (int i = 0; i < peers; i++) {
      assigned.add(new ArrayDeque<>());
    }
    long nanos = 0;
    long calls = 0;
    int peer = 0;
    int idle = 0;
    while (ours.cardinality() < pieces && idle <= peers) {
      ArrayDeque<Integer> q = assigned.get(peer);
      Integer done = q.poll();
      if (done != null) {
        ours.set(done);
        claimed[done] = false;
      }
      int room = inFlight - q.size();
      BitSet relevant = (BitSet) has.get(peer).clone();
      relevant.andNot(ours);
      long t0 = System.nanoTime();
      int[] picked =
          selector.getNextPieces(relevant, stats).filter(p -> !claimed[p]).limit(room).toArray();
      nanos += System.nanoTime() - t0;
      calls++;
      for (int p : picked) {
        claimed[p] = true;
        q.add(p);
      }
      idle = done == null && picked.length == 0 ? idle + 1 : 0;
      if (peers > 1) {
        int gains = 1 + random.nextInt(peers - 1);
        int p = random.nextInt(pieces);
        if (!has.get(gains).get(p)) {
          has.get(gains).set(p);
          counts.incrementAndGet(p);
        }
      }
      peer = (peer + 1) % peers;
    }
    return new long[] {nanos, calls};
  }
}
