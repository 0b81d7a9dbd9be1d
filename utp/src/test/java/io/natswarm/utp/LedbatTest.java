package io.natswarm.utp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** LEDBAT window arithmetic, base delay history and the RTO estimator. */
class LedbatTest {
  private static final long TARGET = 100_000;

  private static CongestionWindow steadyWindow(long cwnd) {
    CongestionWindow w = new CongestionWindow(TARGET, 3000, 1000, (int) cwnd, 1 << 24);
    w.onLoss(); // leave slow start; halves
    w.onAck(cwnd, 0, 1 << 24, 0); // grow back is bounded: restore a known size below
    return w;
  }

  @Test
  void slowStartDoublesPerWindowUntilHalfTheTarget() {
    CongestionWindow w = new CongestionWindow(TARGET, 3000, 1000, 2000, 1 << 24);
    w.onAck(2000, 10_000, 2000, 0);
    assertEquals(4000, w.window());
    assertTrue(w.inSlowStart());
    w.onAck(4000, 60_000, 4000, 0);
    assertFalse(w.inSlowStart(), "queuing delay above target/2 ends slow start");
  }

  @Test
  void growsByGainTimesOffTargetPerWindowAndShrinksMultiplicativelyAboveTarget() {
    CongestionWindow w = new CongestionWindow(TARGET, 3000, 1000, 100_000, 1 << 24);
    w.onLoss();
    assertEquals(50_000, w.window());
    // A whole window acked at half the target: off_target = 0.5, so + 1500 bytes.
    for (int i = 0; i < 50; i++) {
      w.onAck(1000, TARGET / 2, w.window(), 0);
    }
    assertEquals(51_500.0, (double) w.window(), 50.0);
    // At exactly the target: no change.
    long at = w.window();
    w.onAck(1000, TARGET, at, 0);
    assertEquals(at, w.window());
    // At 1.5x the target: about half of the excess ratio (0.5) of the window per window acked.
    long before = w.window();
    for (int acked = 0; acked < before; acked += 1000) {
      w.onAck(1000, TARGET * 3 / 2, before, 0);
    }
    assertEquals((double) before / 2, (double) w.window(), 2000.0);
  }

  @Test
  void emptyQueueRegrowsByUpToHalfTheWindowPerRoundTrip() {
    CongestionWindow w = new CongestionWindow(TARGET, 3000, 1000, 100_000, 1 << 24);
    w.onLoss();
    long before = w.window();
    for (int acked = 0; acked < before; acked += 1000) {
      w.onAck(1000, 0, w.window(), 0);
    }
    assertTrue(w.window() > before * 1.4 && w.window() < before * 1.7, "window " + w.window());
  }

  @Test
  void applicationLimitedSenderDoesNotGrow() {
    CongestionWindow w = steadyWindow(40_000);
    long before = w.window();
    w.onAck(1000, 0, 5000, 0);
    assertEquals(before, w.window());
  }

  @Test
  void lossHalvesTimeoutDropsToMinimumWindowNeverBelow() {
    CongestionWindow w = new CongestionWindow(TARGET, 3000, 1000, 64_000, 1 << 24);
    w.onLoss();
    assertEquals(32_000, w.window());
    w.onTimeout();
    assertEquals(1000, w.window());
    assertTrue(w.inSlowStart());
    w.onLoss();
    assertEquals(1000, w.window());
    for (int i = 0; i < 100; i++) {
      w.onAck(1000, 10 * TARGET, 1000, 0);
    }
    assertEquals(1000, w.window());
  }

  @Test
  void baseDelayIsTheMinimumAndHandlesWrapAndDrift() {
    DelayHistory d = new DelayHistory();
    long t = 0;
    assertEquals(0, d.add(0xFFFF_FF00L, t));
    // 0x100 + 0x100 after the wrap is 0x200 above the base.
    assertEquals(0x200, d.add(0x100, t += 1_000_000));
    // A lower sample (through the wrap) becomes the base at once.
    assertEquals(0, d.add(0xFFFF_FE00L, t += 1_000_000));
    assertEquals(0x300, d.add(0x100, t));
    // Clock drift upward: after the history (10 minutes) the old minimum ages out.
    long sample = 0x1000;
    for (int minute = 1; minute <= 11; minute++) {
      d.add(sample, t + minute * DelayHistory.BUCKET_NANOS);
    }
    assertEquals(0, d.add(sample, t + 11 * DelayHistory.BUCKET_NANOS));
  }

  @Test
  void rtoFollowsBep29WithMinimumAndBackoff() {
    RttEstimator r = new RttEstimator(500_000);
    assertEquals(1_000_000, r.timeoutMicros(), "initial timeout 1 s");
    r.sample(100_000);
    assertEquals(100_000, r.srttMicros());
    assertEquals(50_000, r.rttVarMicros());
    assertEquals(500_000, r.timeoutMicros(), "floored at the minimum timeout");
    r.sample(900_000);
    // delta = 100000 - 900000; rtt_var += (800000 - 50000) / 4; rtt += 800000 / 8
    assertEquals(237_500, r.rttVarMicros());
    assertEquals(200_000, r.srttMicros());
    assertEquals(200_000 + 4 * 237_500, r.timeoutMicros());
    r.backoff();
    r.backoff();
    assertEquals(4 * (200_000 + 4 * 237_500), r.timeoutMicros());
    r.sample(200_000);
    assertTrue(r.timeoutMicros() < 2_000_000, "a new sample resets the back-off");
    for (int i = 0; i < 40; i++) {
      r.backoff();
    }
    assertEquals(RttEstimator.MAX_TIMEOUT_MICROS, r.timeoutMicros());
  }
}
