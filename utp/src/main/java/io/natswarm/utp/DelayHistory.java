package io.natswarm.utp;

/**
 * LEDBAT's base-delay history (RFC 6817 section 2.4.2 and BEP 29 "Congestion control"): one-way
 * delay samples are the peer's {@code timestamp_difference_microseconds}, a 32-bit value that wraps
 * and carries an unknown clock offset. The base delay is the minimum over the last {@link #BUCKETS}
 * one-minute buckets, so a drifting clock ages out of the base within that many minutes, and a
 * sample lower than the base replaces it at once. {@link #add} returns the queuing delay (sample
 * minus base). All comparisons are modulo 2^32. Owned by the event-loop thread.
 */
final class DelayHistory {
  static final int BUCKETS = 10;
  static final long BUCKET_NANOS = 60_000_000_000L;
  private static final long U32 = 0xFFFF_FFFFL;

  private final long[] minima = new long[BUCKETS];
  private int current;
  private int filled;
  private long bucketStart;
  private long base;
  private boolean started;

  /** Adds a sample (microseconds, uint32) taken at {@code nowNanos}; returns the queuing delay. */
  long add(long sample, long nowNanos) {
    sample &= U32;
    if (!started) {
      started = true;
      filled = 1;
      current = 0;
      minima[0] = sample;
      base = sample;
      bucketStart = nowNanos;
      return 0;
    }
    if (nowNanos - bucketStart >= BUCKET_NANOS) {
      current = (current + 1) % BUCKETS;
      filled = Math.min(filled + 1, BUCKETS);
      minima[current] = sample;
      bucketStart = nowNanos;
      base = sample;
      for (int i = 0; i < filled; i++) {
        if (lessWrap(minima[i], base)) {
          base = minima[i];
        }
      }
    } else if (lessWrap(sample, minima[current])) {
      minima[current] = sample;
    }
    if (lessWrap(sample, base)) {
      base = sample;
    }
    return (sample - base) & U32;
  }

  long base() {
    return base;
  }

  static boolean lessWrap(long a, long b) {
    return (int) (a - b) < 0;
  }
}
