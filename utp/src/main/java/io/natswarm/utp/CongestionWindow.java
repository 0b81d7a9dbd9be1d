package io.natswarm.utp;

/**
 * LEDBAT congestion window (RFC 6817 section 2.4.2; BEP 29 "Congestion control"). Window in bytes:
 * below the target each ack grows it by {@code gain * off_target * bytes_acked / cwnd}, where
 * {@code off_target = (target - queuing_delay) / target}, so it gains at most {@code gain} bytes
 * per round trip at zero queuing delay; above the target it shrinks by {@code min(1/2, delay/target
 * - 1)} of the window per round trip (LEDBAT++'s multiplicative decrease). While the queuing delay
 * is under an eighth of the target it also regrows by up to half the window per round trip, so a
 * path with random loss but no standing queue is refilled quickly after each halving (an extension
 * of ours; with a competing TCP flow the queue is full and this never applies). It starts in slow
 * start (window += bytes acked) until the queuing delay reaches half the target or a loss. A loss
 * halves the window (the caller reports at most one loss per round trip); a retransmission timeout
 * drops it to the minimum of one packet. Growth only happens while the window is in use (RFC 6817
 * 2.4.2, application-limited senders do not grow). Owned by the event-loop thread.
 */
final class CongestionWindow {
  private final long targetMicros;
  private final int gainBytes;
  private final int maxWindow;
  private int minWindow;
  private long cwnd;

  /** Sub-byte growth carried between acks so that large windows still grow. */
  private double fraction;

  private boolean slowStart = true;
  private long slowStartThreshold = Long.MAX_VALUE;

  CongestionWindow(long targetMicros, int gainBytes, int minWindow, int initialWindow, int max) {
    this.targetMicros = targetMicros;
    this.gainBytes = gainBytes;
    this.minWindow = minWindow;
    this.maxWindow = max;
    this.cwnd = Math.max(minWindow, initialWindow);
  }

  /**
   * Bytes were acknowledged. {@code queuingDelayMicros} is the current delay estimate or -1 when
   * there is no sample; {@code flightBefore} is what was in flight before the ack.
   */
  void onAck(long bytesAcked, long queuingDelayMicros, long flightBefore) {
    if (bytesAcked <= 0) {
      return;
    }
    boolean windowUsed = flightBefore + minWindow >= cwnd;
    long delay = queuingDelayMicros < 0 ? 0 : queuingDelayMicros;
    if (slowStart) {
      if (delay > targetMicros / 2 || cwnd >= slowStartThreshold) {
        slowStart = false;
      } else {
        if (windowUsed) {
          cwnd = Math.min(maxWindow, cwnd + bytesAcked);
        }
        return;
      }
    }
    if (delay <= targetMicros) {
      // Below the target: grow by up to gain bytes per round trip (RFC 6817 2.4.2).
      if (!windowUsed) {
        return;
      }
      double offTarget = (double) (targetMicros - delay) / targetMicros;
      fraction += gainBytes * offTarget * bytesAcked / cwnd;
      if (delay < targetMicros / 8) {
        // The queue is nearly empty, so nothing competes with us at the bottleneck: regrow by up
        // to half the window per round trip (losses on such a path are not congestion-driven).
        fraction += (bytesAcked >> 1) * (1 - 8.0 * delay / targetMicros);
      }
    } else {
      // Above the target: shrink in proportion to the window, by (delay / target - 1) of it per
      // round trip, at most half (the multiplicative decrease of LEDBAT++,
      // draft-irtf-iccrg-ledbat-plus-plus section 4.2), so a full standing queue built by a
      // competing TCP flow drives the window down within a few round trips, not minutes.
      double excess = Math.min(0.5, (double) (delay - targetMicros) / targetMicros);
      fraction -= Math.max(gainBytes * (double) bytesAcked / cwnd, excess * bytesAcked);
    }
    long whole = (long) fraction;
    fraction -= whole;
    cwnd = clamp(cwnd + whole);
  }

  /** A loss event (at most once per round trip): halve. */
  void onLoss() {
    slowStart = false;
    cwnd = clamp(cwnd / 2);
    slowStartThreshold = cwnd;
  }

  /** A retransmission timeout: one packet, then slow start up to half the old window. */
  void onTimeout() {
    slowStartThreshold = Math.max(cwnd / 2, 2L * minWindow);
    cwnd = minWindow;
    slowStart = true;
  }

  void setMinWindow(int minWindow) {
    this.minWindow = minWindow;
    cwnd = clamp(cwnd);
  }

  private long clamp(long w) {
    return Math.max(minWindow, Math.min(maxWindow, w));
  }

  long window() {
    return cwnd;
  }

  boolean inSlowStart() {
    return slowStart;
  }
}
