package io.natswarm.netsim;

/**
 * SplitMix64: a tiny, fast, seedable generator. Every random choice in the simulator (loss, jitter,
 * NAT port allocation) comes from an instance derived from the network's seed, so the same seed
 * gives the same run.
 */
final class SimRandom {
  private long state;

  SimRandom(long seed) {
    this.state = seed;
  }

  /** A generator for a sub-component, independent of this one's later draws. */
  static SimRandom derive(long seed, long salt) {
    return new SimRandom(mix(seed ^ mix(salt + 0x632BE59BD9B4E019L)));
  }

  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  long nextLong() {
    state += 0x9E3779B97F4A7C15L;
    return mix(state);
  }

  /** Uniform in [0, 1). */
  double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  /** Uniform in [0, bound). */
  int nextInt(int bound) {
    return (int) (((nextLong() >>> 33) * bound) >>> 31);
  }

  /** Uniform in [0, bound) for a positive long bound. */
  long nextLong(long bound) {
    return Math.floorMod(nextLong(), bound);
  }

  /** True with probability {@code p}. */
  boolean chance(double p) {
    return p > 0 && nextDouble() < p;
  }
}
