package io.natswarm.node.bt;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** {@link PieceContributors} hands a hash check exactly the blocks handed over before it. */
class PieceContributorsTest {
  static final InetSocketAddress A = new InetSocketAddress(InetAddress.getLoopbackAddress(), 1);
  static final InetSocketAddress B = new InetSocketAddress(InetAddress.getLoopbackAddress(), 2);

  @Test
  void blocksAfterTheCompletingOneBelongToTheNextAttempt() {
    PieceContributors c = new PieceContributors(4);
    c.add(2, A);
    long last = c.add(2, A);
    long next = c.add(2, B); // handed over after the block that completed the piece
    assertThat(c.take(2, last)).containsExactly(A);
    assertThat(c.take(2, next)).containsExactly(B);
    assertThat(c.take(2, next)).isEmpty();
  }

  @Test
  void droppedAndUnknownBlocksDoNotCount() {
    PieceContributors c = new PieceContributors(1);
    long rejected = c.add(0, B);
    c.drop(0, rejected);
    long unknown = c.add(0, null);
    long a = c.add(0, A);
    assertThat(unknown).isLessThan(a);
    assertThat(c.take(0, a)).containsExactly(A);
  }
}
