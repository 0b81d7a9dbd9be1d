package io.natswarm.utp;

/**
 * LEDBAT congestion window (RFC 6817 section 2.4.2; BEP 29 "Congestion control"). Window in bytes:
 * each ack grows it by {@code gain * off_target * bytes_acked / cwnd}, where {@code off_target =
 * (target - queuing_delay) / target} is clamped to [-1, 1], so it gains at most {@code gain} bytes
 * per round trip at zero queuing delay and shrinks as the delay exceeds the target. It starts in
 * slow start (window += bytes acked) until the queuing delay reaches half the target or a loss. A
 * loss halves the window (the caller reports at most one loss per round trip); a retransmission
 * timeout drops it to the minimum of one packet. Growth only happens while the window is in use
 * (RFC 6817 2.4.2, application-limited senders do not grow). Owned by the event-loop thread.
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
    double offTarget = (double) (targetMicros - delay) / targetMicros;
    if (offTarget > 1) {
      offTarget = 1;
    } else if (offTarget < -1) {
      offTarget = -1;
    }
    if (offTarget > 0 && !windowUsed) {
      return;
    }
    fraction += gainBytes * offTarget * bytesAcked / cwnd;
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
