package io.natswarm.dht;

import java.util.Arrays;

/**
 * Adaptive query timeout from measured round trips, in the spirit of mldht's response-time filter:
 * the stall timeout is a little above the 90th percentile of the last 128 round trips (clamped to
 * [min, max]), and shorter for a node whose own round trip we know. A slow query is declared
 * stalled early so that a lookup moves on (and re-asks once), while the hard timeout that marks a
 * node as failed stays long. Owned by the DHT node's thread.
 */
final class RttEstimator {
  private static final int WINDOW = 128;
  private static final int RECOMPUTE_EVERY = 16;

  private final long minNanos;
  private final long maxNanos;
  private final long[] samples = new long[WINDOW];
  private final long[] sorted = new long[WINDOW];
  private int count;
  private int next;
  private long p90 = -1;

  RttEstimator(long minNanos, long maxNanos) {
    this.minNanos = minNanos;
    this.maxNanos = maxNanos;
  }

  void sample(long rtt) {
    if (rtt < 0) {
      return;
    }
    samples[next] = rtt;
    next = (next + 1) % WINDOW;
    count++;
    if (count <= 8 || count % RECOMPUTE_EVERY == 0) {
      int n = Math.min(count, WINDOW);
      System.arraycopy(samples, 0, sorted, 0, n);
      Arrays.sort(sorted, 0, n);
      p90 = sorted[Math.min(n - 1, (n * 9) / 10)];
    }
  }

  /** The stall timeout for a query to a node whose own smoothed RTT is {@code nodeRtt} (or -1). */
  long stallTimeout(long nodeRtt) {
    long t = p90 < 0 ? maxNanos / 2 : p90;
    if (nodeRtt > 0) {
      t = Math.min(t, 2 * nodeRtt);
    }
    return Math.max(minNanos, Math.min(maxNanos, t));
  }

  /** The 90th percentile of recent round trips, or -1 before the first sample. */
  long p90() {
    return p90;
  }
}
