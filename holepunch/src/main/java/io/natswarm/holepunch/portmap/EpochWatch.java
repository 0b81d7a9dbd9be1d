package io.natswarm.holepunch.portmap;

/**
 * Tells from a gateway's epoch (seconds since it started, in every answer) whether it restarted and
 * lost its mappings since its last answer.
 *
 * <ul>
 *   <li>NAT-PMP (RFC 6886 section 3.6): the epoch must have moved by at least 7/8 of the time that
 *       passed on our clock, less 2 s of slack.
 *   <li>PCP (RFC 6887 section 8.5): the epoch must not go back by more than 1 s, and the two
 *       clocks' deltas must agree within 1/16 and 2 s either way.
 * </ul>
 *
 * <p>Owned by its client's thread.
 */
final class EpochWatch {
  /** Which RFC's rule applies. */
  enum Rule {
    NAT_PMP,
    PCP
  }

  private final Rule rule;
  private boolean seen;
  private long previousEpoch;
  private long previousNanos;

  EpochWatch(Rule rule) {
    this.rule = rule;
  }

  /**
   * Records an answer carrying {@code epochSeconds}, received at {@code nowNanos}; true when it
   * shows the gateway lost its state since the previous answer (never for the first).
   */
  boolean lostState(long epochSeconds, long nowNanos) {
    boolean lost = false;
    if (seen) {
      long clientDelta = Math.max(0, (nowNanos - previousNanos) / 1_000_000_000L);
      if (rule == Rule.NAT_PMP) {
        lost = epochSeconds < previousEpoch + clientDelta * 7 / 8 - 2;
      } else if (epochSeconds < previousEpoch - 1) {
        lost = true;
      } else {
        long serverDelta = epochSeconds - previousEpoch;
        lost =
            clientDelta + 2 < serverDelta - serverDelta / 16
                || serverDelta + 2 < clientDelta - clientDelta / 16;
      }
    }
    seen = true;
    previousEpoch = epochSeconds;
    previousNanos = nowNanos;
    return lost;
  }
}
