package io.natswarm.utp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.natswarm.netsim.LinkConfig;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Byte-exact transfers over impaired netsim links. */
class UtpImpairedTransferTest {

  @ParameterizedTest(name = "loss={0} delayMs={1} seed={2}")
  @CsvSource({
    "0.00, 0, 1",
    "0.01, 20, 2",
    "0.03, 50, 3",
    "0.05, 5, 4",
    "0.10, 30, 5",
    "0.10, 0, 6",
    "0.02, 300, 7",
  })
  void randomLoss(double loss, double delayMs, long seed) {
    LinkConfig l = LinkConfig.builder().delayMillis(delayMs).loss(loss).build();
    SimPair p = new SimPair(seed, l, l, UtpSettings.defaults());
    p.startTransfer(300_000);
    boolean done = p.runTransfer(Duration.ofMinutes(10));
    assertTrue(
        done,
        () -> "not finished: got " + p.receivedBytes + " " + p.client + " " + p.client.stats());
    assertEquals(300_000, p.receivedBytes);
    assertEquals(0, p.mismatches);
    assertTrue(p.runUntilClosed(Duration.ofMinutes(2)), () -> p.client + " " + p.server);
    assertEquals(UtpError.NONE, p.client.error());
    if (loss > 0) {
      assertTrue(p.client.stats().retransmits() > 0);
    }
  }

  @ParameterizedTest(name = "reorder={0} dup={1} jitterMs={2}")
  @CsvSource({"0.2, 0.0, 0", "0.0, 0.2, 0", "0.1, 0.1, 5", "0.0, 0.0, 20"})
  void reorderingDuplicationJitter(double reorder, double dup, double jitterMs) {
    LinkConfig l =
        LinkConfig.builder()
            .delayMillis(20)
            .jitterMillis(jitterMs)
            .reorder(reorder)
            .duplicate(dup)
            .build();
    SimPair p = new SimPair(11, l, l, UtpSettings.defaults());
    p.startTransfer(500_000);
    assertTrue(p.runTransfer(Duration.ofMinutes(5)), () -> p.client + " " + p.client.stats());
    assertEquals(500_000, p.receivedBytes);
    assertEquals(0, p.mismatches);
    assertTrue(p.runUntilClosed(Duration.ofMinutes(2)));
  }

  @ParameterizedTest(name = "burst enter={0} exit={1}")
  @CsvSource({"0.01, 0.3", "0.02, 0.5"})
  void burstLoss(double enter, double exit) {
    LinkConfig l = LinkConfig.builder().delayMillis(25).burstLoss(enter, exit).build();
    SimPair p = new SimPair(21, l, l, UtpSettings.defaults());
    p.startTransfer(300_000);
    assertTrue(p.runTransfer(Duration.ofMinutes(10)), () -> p.client + " " + p.client.stats());
    assertEquals(300_000, p.receivedBytes);
    assertEquals(0, p.mismatches);
  }

  @ParameterizedTest(name = "bandwidth={0}Mbps queue={1}")
  @CsvSource({"10, 100000", "2, 20000"})
  void bottleneck(double mbps, long queue) {
    LinkConfig l =
        LinkConfig.builder().delayMillis(10).bandwidthMbps(mbps).queueBytes(queue).build();
    SimPair p = new SimPair(31, l, l, UtpSettings.defaults());
    p.startTransfer(1_000_000);
    assertTrue(p.runTransfer(Duration.ofMinutes(5)), () -> p.client + " " + p.client.stats());
    assertEquals(1_000_000, p.receivedBytes);
    assertEquals(0, p.mismatches);
  }
}
