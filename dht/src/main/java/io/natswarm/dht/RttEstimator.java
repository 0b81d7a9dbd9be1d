package io.natswarm.dht;

/**
 * Adaptive query timeout from measured round trips, in the manner of RFC 6298 (smoothed RTT plus
 * four deviations), clamped to [min, max]. Replaces a fixed timeout the way mldht's response-time
 * filter does: a slow query is declared stalled early so a lookup can move on, while the hard
 * timeout that marks a node as failed stays long. Owned by the DHT node's thread.
 */
final class RttEstimator {
  private final long minNanos;
  private final long maxNanos;
  private long srtt = -1;
  private long rttvar;

  RttEstimator(long minNanos, long maxNanos) {
    this.minNanos = minNanos;
    this.maxNanos = maxNanos;
  }

  void sample(long rtt) {
    if (rtt < 0) {
      return;
    }
    if (srtt < 0) {
      srtt = rtt;
      rttvar = rtt / 2;
    } else {
      rttvar = (3 * rttvar + Math.abs(srtt - rtt)) / 4;
      srtt = (7 * srtt + rtt) / 8;
    }
  }

  /** The stall timeout for a query to a node whose own smoothed RTT is {@code nodeRtt} (or -1). */
  long stallTimeout(long nodeRtt) {
    long t = srtt < 0 ? maxNanos / 2 : srtt + 4 * rttvar;
    if (nodeRtt > 0) {
      t = Math.min(t, 2 * nodeRtt + rttvar);
    }
    return Math.max(minNanos, Math.min(maxNanos, t));
  }

  long srtt() {
    return srtt;
  }
}
