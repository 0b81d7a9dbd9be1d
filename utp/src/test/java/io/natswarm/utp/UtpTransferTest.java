package io.natswarm.utp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.natswarm.netsim.LinkConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class UtpTransferTest {

  private static LinkConfig link(double delayMs) {
    return LinkConfig.builder().delayMillis(delayMs).build();
  }

  @Test
  void cleanTransferCompletesByteExactAndCloses() {
    SimPair p = new SimPair(1, link(10), link(10), UtpSettings.defaults());
    p.startTransfer(2_000_000);
    assertTrue(p.runTransfer(Duration.ofMinutes(1)), "transfer did not finish");
    assertEquals(2_000_000, p.receivedBytes);
    assertEquals(0, p.mismatches);
    assertTrue(p.runUntilClosed(Duration.ofSeconds(30)), "connections did not close");
    assertEquals(UtpError.NONE, p.client.error());
    assertEquals(UtpError.NONE, p.server.error());
    assertEquals(0, p.client.stats().retransmits(), p.client.stats().toString());
    assertEquals(0, p.client.stats().timeouts());
    assertEquals(0, p.a.connectionCount());
    assertEquals(0, p.b.connectionCount());
  }
}
