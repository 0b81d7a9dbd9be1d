package io.natswarm.utp;

/**
 * Round-trip time and retransmission timeout of one connection (BEP 29, "Timeouts"): {@code delta =
 * rtt - packet_rtt; rtt_var += (|delta| - rtt_var) / 4; rtt += (packet_rtt - rtt) / 8; timeout =
 * max(rtt + 4 * rtt_var, min_timeout)}, with exponential back-off per timeout (RFC 6298 5.5) and
 * the first sample seeding the averages as RFC 6298 2.2 does. Karn's rule is the caller's: only
 * packets sent once are sampled. Times are microseconds. Owned by the event-loop thread.
 */
final class RttEstimator {
  static final long INITIAL_TIMEOUT_MICROS = 1_000_000;
  static final long MAX_TIMEOUT_MICROS = 60_000_000;

  private final long minTimeoutMicros;
  private long srtt;
  private long rttVar;
  private boolean sampled;
  private long timeout = INITIAL_TIMEOUT_MICROS;
  private int backoff;

  RttEstimator(long minTimeoutMicros) {
    this.minTimeoutMicros = minTimeoutMicros;
    this.timeout = Math.max(INITIAL_TIMEOUT_MICROS, minTimeoutMicros);
  }

  void sample(long rttMicros) {
    long r = Math.max(0, rttMicros);
    if (!sampled) {
      srtt = r;
      rttVar = r / 2;
      sampled = true;
    } else {
      long delta = srtt - r;
      rttVar += (Math.abs(delta) - rttVar) / 4;
      srtt += (r - srtt) / 8;
    }
    timeout = Math.min(MAX_TIMEOUT_MICROS, Math.max(srtt + 4 * rttVar, minTimeoutMicros));
    backoff = 0;
  }

  /** Doubles the timeout (up to {@link #MAX_TIMEOUT_MICROS}). */
  void backoff() {
    if (backoff < 16) {
      backoff++;
    }
  }

  /** The current retransmission timeout including back-off. */
  long timeoutMicros() {
    long t = timeout;
    for (int i = 0; i < backoff && t < MAX_TIMEOUT_MICROS; i++) {
      t <<= 1;
    }
    return Math.min(t, MAX_TIMEOUT_MICROS);
  }

  long srttMicros() {
    return srtt;
  }

  long rttVarMicros() {
    return rttVar;
  }

  boolean hasSample() {
    return sampled;
  }
}
