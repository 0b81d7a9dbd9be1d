package io.natswarm.node.bt;

import static org.assertj.core.api.Assertions.assertThat;

import bt.torrent.PieceStatistics;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@link LazyRarestFirstSelector}: every piece the peer has and we lack, once each, in increasing
 * availability; the rarest first without ordering the rest.
 */
class LazyRarestFirstSelectorTest {

  /** Availability counts that count how often they are read. */
  static final class Counts implements PieceStatistics {
    final int[] count;
    int reads;

    Counts(int[] count) {
      this.count = count;
    }

    @Override
    public int getCount(int pieceIndex) {
      reads++;
      return count[pieceIndex];
    }

    @Override
    public int getPiecesTotal() {
      return count.length;
    }
  }

  @Test
  void everyRelevantPieceOnceInIncreasingAvailability() {
    SplittableRandom random = new SplittableRandom(7);
    LazyRarestFirstSelector selector = new LazyRarestFirstSelector();
    for (int round = 0; round < 200; round++) {
      int n = 1 + random.nextInt(300);
      int[] count = new int[n];
      BitSet relevant = new BitSet(n);
      for (int p = 0; p < n; p++) {
        count[p] = random.nextInt(6);
        if (random.nextInt(3) > 0) {
          relevant.set(p);
        }
      }
      List<Integer> got =
          selector.getNextPieces(relevant, new Counts(count)).boxed().collect(Collectors.toList());
      assertThat(new HashSet<>(got)).hasSameSizeAs(got);
      assertThat(got).containsExactlyInAnyOrderElementsOf(relevant.stream().boxed().toList());
      for (int i = 1; i < got.size(); i++) {
        assertThat(count[got.get(i)]).isGreaterThanOrEqualTo(count[got.get(i - 1)]);
      }
    }
  }

  @Test
  void nothingWhenThePeerHasNothingWeLack() {
    assertThat(
            new LazyRarestFirstSelector()
                .getNextPieces(new BitSet(), new Counts(new int[] {1, 2, 3}))
                .count())
        .isZero();
  }

  @Test
  void theRarestPieceCostsOnePassNotASort() {
    int n = 1000;
    int[] count = new int[n];
    for (int p = 0; p < n; p++) {
      count[p] = 1 + p % 10; // ten availability levels
    }
    BitSet relevant = new BitSet(n);
    relevant.set(0, n);
    Counts counts = new Counts(count);
    int first =
        new LazyRarestFirstSelector().getNextPieces(relevant, counts).findFirst().getAsInt();
    assertThat(count[first]).isEqualTo(1);
    assertThat(counts.reads)
        .as("one pass to find the lowest level, then to the first such piece")
        .isLessThanOrEqualTo(2 * n);
    counts.reads = 0;
    assertThat(new LazyRarestFirstSelector().getNextPieces(relevant, counts).count()).isEqualTo(n);
    assertThat(counts.reads).as("draining it all: a pass per level").isGreaterThan(10 * n / 2);
  }

  @Test
  void tiesStartAtDifferentPieces() {
    int[] count = new int[64];
    BitSet relevant = new BitSet();
    relevant.set(0, 64);
    Set<Integer> firsts = new HashSet<>();
    LazyRarestFirstSelector selector = new LazyRarestFirstSelector();
    for (int i = 0; i < 100; i++) {
      firsts.add(selector.getNextPieces(relevant, new Counts(count)).findFirst().getAsInt());
    }
    assertThat(firsts.size()).isGreaterThan(10);
  }
}
