package io.natswarm.holepunch.punch;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TokenBucketTest {
  private static int takes(TokenBucket b, long now, int tries) {
    int n = 0;
    for (int i = 0; i < tries; i++) {
      if (b.tryTake(now)) {
        n++;
      }
    }
    return n;
  }

  @Test
  void startsFullRefillsOnePerIntervalAndNeverBeyondTheBurst() {
    TokenBucket b = new TokenBucket(3, 10);
    assertThat(takes(b, 100, 5)).isEqualTo(3);
    assertThat(takes(b, 109, 5)).isZero();
    assertThat(takes(b, 110, 5)).isEqualTo(1);
    assertThat(takes(b, 135, 5)).isEqualTo(2); // 2.5 intervals: 2 tokens, the half kept
    assertThat(takes(b, 140, 5)).isEqualTo(1);
    assertThat(takes(b, 10_000, 5)).isEqualTo(3);
  }

  @Test
  void aClockThatWrapsIsFollowedAndOneThatGoesBackGivesNothing() {
    TokenBucket b = new TokenBucket(2, 10);
    long start = Long.MAX_VALUE - 5;
    assertThat(takes(b, start, 3)).isEqualTo(2);
    assertThat(takes(b, start - 1000, 3)).isZero();
    assertThat(takes(b, start + 10, 3)).isEqualTo(1); // wrapped past Long.MAX_VALUE
  }
}
