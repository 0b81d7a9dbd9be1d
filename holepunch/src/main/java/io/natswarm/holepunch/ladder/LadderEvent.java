package io.natswarm.holepunch.ladder;

import java.net.InetSocketAddress;

/**
 * What the {@link PathLadder} decided or learned about one endpoint, for tracers (tests assert
 * them; the status page shows the last ones). Immutable.
 *
 * @param endpoint the peer endpoint
 * @param rung the rung concerned
 * @param kind what happened
 * @param detail why, in words (the failure's reason, how long a rung is postponed); may be empty
 * @param nowNanos when, on the caller's clock
 */
public record LadderEvent(
    InetSocketAddress endpoint, Rung rung, Kind kind, String detail, long nowNanos) {
  /** The kinds of event. */
  public enum Kind {
    /** The engine is trying the rung now. */
    TRYING,
    /** The rung failed; it is postponed for this endpoint. */
    FAILED,
    /** The rung was not tried: postponed by an earlier failure, or not possible now. */
    SKIPPED,
    /** A connection was made on this rung. */
    CONNECTED,
    /** Every rung failed or was skipped: the endpoint is unreachable for now. */
    EXHAUSTED
  }
}
