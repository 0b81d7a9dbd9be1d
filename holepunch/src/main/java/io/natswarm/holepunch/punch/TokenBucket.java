package io.natswarm.holepunch.punch;

/**
 * The rate limit of {@link Rendezvous} and {@link PunchRequests} (BEP 55 sets none; see their
 * comments for why we do): a token bucket on the caller's clock: up to {@code burst} tokens, one
 * more every {@code refillNanos}. Full when first used. Times are compared by difference, so {@code
 * nowNanos} may wrap like {@link System#nanoTime}. Mutable; owned by the engine thread.
 */
final class TokenBucket {
  private final int burst;
  private final long refillNanos;
  private int tokens;
  private long lastRefill;
  private boolean started;

  TokenBucket(int burst, long refillNanos) {
    this.burst = burst;
    this.refillNanos = refillNanos;
  }

  /** Takes a token if there is one. */
  boolean tryTake(long nowNanos) {
    refill(nowNanos);
    if (tokens == 0) {
      return false;
    }
    tokens--;
    return true;
  }

  private void refill(long nowNanos) {
    if (!started) {
      started = true;
      tokens = burst;
      lastRefill = nowNanos;
      return;
    }
    long elapsed = nowNanos - lastRefill;
    if (elapsed < refillNanos) {
      return; // also when the clock went backwards (elapsed < 0)
    }
    long earned = elapsed / refillNanos;
    if (tokens + earned >= burst) {
      tokens = burst;
      lastRefill = nowNanos;
    } else {
      tokens += (int) earned;
      lastRefill += earned * refillNanos;
    }
  }
}
