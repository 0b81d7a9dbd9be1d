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
    w.onAck(cwnd, 0, 1 << 24, 0, 0); // grow back is bounded: restore a known size below
    return w;
  }

  @Test
  void slowStartDoublesPerWindowUntilASixteenthOfTheTarget() {
    CongestionWindow w = new CongestionWindow(TARGET, 3000, 1000, 2000, 1 << 24);
    w.onAck(2000, TARGET / 16, 2000, 0, 0);
    assertEquals(4000, w.window());
    assertTrue(w.inSlowStart());
    w.onAck(4000, TARGET / 16 + 1, 4000, 0, 0);
    assertFalse(w.inSlowStart(), "a queue of more than target/16 ends slow start");
  }

  @Test
  void growsByGainTimesOffTargetPerWindowAndShrinksMultiplicativelyAboveTarget() {
    CongestionWindow w = new CongestionWindow(TARGET, 3000, 1000, 100_000, 1 << 24);
    w.onLoss();
    assertEquals(50_000, w.window());
    // A whole window acked at half the target: off_target = 0.5, so + 1500 bytes.
    for (int i = 0; i < 50; i++) {
      w.onAck(1000, TARGET / 2, w.window(), 0, 0);
    }
    assertEquals(51_500.0, (double) w.window(), 50.0);
    // At exactly the target: no change.
    long at = w.window();
    w.onAck(1000, TARGET, at, 0, 0);
    assertEquals(at, w.window());
    // At 1.5x the target: about half of the excess ratio (0.5) of the window per window acked.
    long before = w.window();
    for (int acked = 0; acked < before; acked += 1000) {
      w.onAck(1000, TARGET * 3 / 2, before, 0, 0);
    }
    assertEquals((double) before / 2, (double) w.window(), 2000.0);
  }

  @Test
  void emptyQueueRegrowsByUpToHalfTheWindowPerRoundTrip() {
    CongestionWindow w = new CongestionWindow(TARGET, 3000, 1000, 100_000, 1 << 24);
    w.onLoss();
    long before = w.window();
    for (int acked = 0; acked < before; acked += 1000) {
      w.onAck(1000, 0, w.window(), 0, 0);
    }
    assertTrue(w.window() > before * 1.4 && w.window() < before * 1.7, "window " + w.window());
  }

  @Test
  void applicationLimitedSenderDoesNotGrow() {
    CongestionWindow w = steadyWindow(40_000);
    long before = w.window();
    w.onAck(1000, 0, 5000, 0, 0);
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
      w.onAck(1000, 10 * TARGET, 1000, 0, 0);
    }
    assertEquals(1000, w.window());
  }

  private static final long SEC = 1_000_000_000L;
  private static final long MS = 1_000_000L;

  /**
   * A window past slow start (a first loss with no queue, at 0) of about 50 kB that has seen one
   * ack at {@code delay} at {@code now}.
   */
  private static CongestionWindow afterAck(long delay, long now) {
    CongestionWindow w = new CongestionWindow(TARGET, 3000, 1000, 100_000, 1 << 24);
    w.onLoss();
    // a quiet spell in bytes since that loss (application-limited: the window does not grow)
    w.onAck(CongestionWindow.LOSSY_GAP_BYTES, delay, 0, now - 1, 50_000);
    w.onAck(1000, delay, 1 << 24, now, 50_000);
    return w;
  }

  @Test
  void aLossWithAQueueBehindItAfterAQuietSpellIsCongestion() {
    CongestionWindow w = afterAck(TARGET / 16, SEC);
    long before = w.window();
    assertTrue(w.onLoss(50_000), "a quiet second after the last, queue at target / 16");
    assertTrue(w.competing());
    assertEquals(before / 2, w.window());

    CongestionWindow idle = afterAck(TARGET / 16 - 1, SEC);
    assertFalse(idle.onLoss(50_000), "no queue behind it: random loss");
    assertFalse(idle.competing());
  }

  @Test
  void lossesCloseTogetherOrWithoutQueueEndCompetition() {
    CongestionWindow w = afterAck(TARGET / 2, SEC);
    assertTrue(w.onLoss(50_000));
    // 400 ms later: closer than 500 ms (and than 8 round trips of 50 ms): a lossy path
    w.onAck(1000, TARGET / 2, 1 << 24, SEC + 400 * MS, 50_000);
    assertFalse(w.onLoss(50_000));
    assertFalse(w.competing());

    CongestionWindow v = afterAck(TARGET / 2, SEC);
    assertTrue(v.onLoss(50_000));
    // a quiet second later, but with an empty queue
    v.onAck(1000, 0, 1 << 24, 2 * SEC, 50_000);
    assertFalse(v.onLoss(50_000));
    assertFalse(v.competing());
  }

  @Test
  void sparseLossesInTimeButCloseInBytesAreARandomlyLossyPathNotCongestion() {
    // A slow flow on a path losing one packet in twenty: losses 1.5 s apart, 20 packets apart.
    CongestionWindow w = afterAck(TARGET / 4, SEC);
    assertTrue(w.onLoss(50_000), "the first, after a quiet spell: taken for congestion");
    assertTrue(w.competing());
    long t = SEC;
    for (int loss = 0; loss < 5; loss++) {
      for (int i = 0; i < 20; i++) {
        t += 75 * MS;
        w.onAck(1400, TARGET / 4, 1 << 24, t, 50_000);
      }
      assertFalse(w.onLoss(50_000), "20 packets after the last: the path's own loss");
      assertFalse(w.competing());
    }
  }

  @Test
  void competingWindowGrowsBySixteenthOfAPacketPerRoundTripAndAimsAtTargetOverSixteen() {
    CongestionWindow w = afterAck(TARGET / 2, SEC);
    assertTrue(w.onLoss(50_000));
    long before = w.window();
    // a whole window acked with no queue at all: at most minWindow / 16 = 62.5 bytes more, where a
    // window that does not compete regrows by up to half itself (see the test above)
    for (int acked = 0; acked < before; acked += 1000) {
      w.onAck(1000, 0, 1 << 24, SEC + 10 * MS, 50_000);
    }
    assertTrue(
        w.window() - before <= 100 && w.window() >= before,
        "window " + w.window() + " before " + before);
    // a delay of a tenth of the target, under the normal target, is over the competing one: shrink
    for (int acked = 0; acked < before; acked += 1000) {
      w.onAck(1000, TARGET / 10, 1 << 24, SEC + 20 * MS, 50_000);
    }
    assertTrue(w.window() < before, "window " + w.window());
  }

  @Test
  void competitionEndsAfterTheHoldWithoutABigQueueAndIsRefreshedByOne() {
    CongestionWindow w = afterAck(TARGET / 2, SEC);
    assertTrue(w.onLoss(50_000));
    long hold = CongestionWindow.COMPETITION_HOLD_NANOS;
    w.onAck(1000, TARGET / 4 + 1, 1 << 24, SEC + hold / 2, 50_000); // a queue again: refreshed
    // a small queue (over target/16, so not empty; under target/4, so no refresh) all along
    w.onAck(1000, TARGET / 8, 1 << 24, SEC + hold + MS, 50_000);
    assertTrue(w.competing(), "refreshed half-way, so held until 1.5 holds");
    w.onAck(1000, TARGET / 8, 1 << 24, SEC + hold / 2 + hold, 50_000);
    assertFalse(w.competing());
  }

  @Test
  void competitionEndsSoonWhenTheQueueStaysEmptyTheCompetitorLeft() {
    CongestionWindow w = afterAck(TARGET / 2, SEC);
    assertTrue(w.onLoss(50_000));
    long clear = CongestionWindow.COMPETITION_CLEAR_NANOS;
    // a queue between a sixteenth and an eighth of the target: TCP's sawtooth, still there
    for (long t = SEC; t < SEC + 3 * clear; t += clear / 2) {
      w.onAck(1000, TARGET / 16, 1 << 24, t, 50_000);
      w.onAck(1000, TARGET / 8, 1 << 24, t + clear / 4, 50_000);
    }
    assertTrue(w.competing());
    long from = SEC + 3 * clear;
    w.onAck(1000, TARGET / 16, 1 << 24, from, 50_000); // the last sign of a queue
    w.onAck(1000, TARGET / 16 - 1, 1 << 24, from + clear - MS, 50_000);
    assertTrue(w.competing());
    w.onAck(1000, 0, 1 << 24, from + clear + MS, 50_000);
    assertFalse(w.competing(), "the queue stayed under target/16 for the whole clearing time");
  }

  @Test
  void competitionOnAJitteryPathEndsOnceTheSmallestDelaysShowNoQueue() {
    CongestionWindow w = afterAck(0, SEC);
    long t = SEC;
    // samples from 0 to 30 % of the target every 10 ms: a jittery path, no queue that stands
    for (int i = 0; i < 100; i++, t += 10 * MS) {
      w.onAck(1000, jitter(i), 1 << 24, t, 50_000);
    }
    w.onAck(1000, TARGET * 3 / 10, 1 << 24, t, 50_000); // a loss at the highest sample
    assertTrue(w.onLoss(50_000), "taken for congestion: a queue of 30 % of the target");
    assertTrue(w.competing());
    long until = t + CongestionWindow.COMPETITION_CLEAR_NANOS + SEC;
    for (int i = 0; t < until; i++, t += 10 * MS) {
      w.onAck(1000, jitter(i), 1 << 24, t, 50_000);
    }
    assertFalse(w.competing(), "the smallest of each interval's samples was near 0: no queue");
  }

  private static long jitter(int i) {
    return (i * 7919L % 31) * TARGET / 100;
  }

  /** Acks {@code bytes} in 50 acks spread over one 250 ms interval at {@code delay}. */
  private static boolean interval(CongestionWindow w, long start, long bytes, long delay) {
    boolean yielded = false;
    for (int i = 1; i <= 50; i++) {
      yielded |= w.onAck(bytes / 50, delay, 1 << 24, start + i * 5L * MS, 0);
    }
    return yielded;
  }

  @Test
  void aRateRisingOverAStandingQueueIsDisplacementAndYields() {
    CongestionWindow w = afterAck(TARGET / 2, 0);
    assertFalse(interval(w, 0, 500_000, TARGET / 2)); // the reference: 2 MB/s over a queue
    assertFalse(interval(w, 250 * MS, 600_000, TARGET / 2)); // 1.2 times: within the noise
    long before = w.window();
    assertTrue(interval(w, 500 * MS, 700_000, TARGET / 2)); // 1.4 times: taken from another flow
    assertTrue(w.competing());
    // halved from what it had grown to during the interval, which is less than half again
    assertTrue(w.window() < before, "halved: " + w.window() + ", before the interval " + before);
  }

  @Test
  void aRateRisingWithoutAStandingQueueIsNotDisplacement() {
    CongestionWindow w = afterAck(0, 0);
    // queue under a sixteenth of the target: the link was not full, the rate may rise
    assertFalse(interval(w, 0, 500_000, TARGET / 20));
    assertFalse(interval(w, 250 * MS, 1_000_000, TARGET / 20));
    assertFalse(interval(w, 500 * MS, 2_000_000, TARGET / 20));
    assertFalse(w.competing());
    // over a queue the rate is steady (a flow alone, link full): never displacement
    CongestionWindow alone = afterAck(TARGET / 2, 0);
    for (int i = 0; i < 40; i++) {
      assertFalse(interval(alone, i * 250L * MS, 500_000 + (i % 3) * 50_000, TARGET / 2));
    }
    assertFalse(alone.competing());
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
