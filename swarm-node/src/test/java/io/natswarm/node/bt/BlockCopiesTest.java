package io.natswarm.node.bt;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@link BlockCopies}: never more than the limit waiting, usual-size arrays reused. */
class BlockCopiesTest {

  @Test
  void copiesBeyondTheLimitAreRefusedUntilOneIsGivenBack() {
    BlockCopies c = new BlockCopies(40 * 1024);
    byte[] a = c.take(16 * 1024);
    byte[] b = c.take(16 * 1024);
    assertThat(a).hasSize(16 * 1024);
    assertThat(c.take(16 * 1024)).as("48 KiB would wait").isNull();
    byte[] small = c.take(100);
    assertThat(small).hasSize(100);
    assertThat(c.waitingBytes()).isEqualTo(32 * 1024 + 100);
    c.give(a);
    assertThat(c.waitingBytes()).isEqualTo(16 * 1024 + 100);
    assertThat(c.take(16 * 1024)).as("the given-back array").isSameAs(a);
    c.give(b);
    c.give(small);
    assertThat(c.take(100)).as("odd sizes are not kept").isNotSameAs(small);
  }
}
