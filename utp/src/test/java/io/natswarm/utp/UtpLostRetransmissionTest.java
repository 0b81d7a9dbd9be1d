package io.natswarm.utp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.natswarm.netsim.LinkConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A fast retransmission that is lost too (BEP 29 "Selective ACK"; the idea of RACK, RFC 8985
 * section 6.2: a packet is lost once enough packets sent after it were delivered) is found by the
 * selective acks of packets sent after it, not left to the retransmission timer: on a path with 1 %
 * random loss about one retransmission in a hundred is lost again, and each such timeout stalled a
 * loopback transfer for the 500 ms minimum timeout and dropped the window to one packet.
 */
class UtpLostRetransmissionTest {
  private static final LinkConfig LINK = LinkConfig.builder().delayMillis(10).build();

  @Test
  void aLostFastRetransmissionIsResentOnSelectiveAcksNotByTimeout() {
    SimPair p = new SimPair(5, LINK, LINK, UtpSettings.defaults());
    int[] dataSeen = {0};
    int[] victim = {-1};
    int[] victimDrops = {0};
    p.a.dropOutgoing(
        d -> {
          if (Packets.type(d) != UtpHeader.ST_DATA) {
            return false;
          }
          int seq = d.getShort(16) & 0xFFFF;
          if (dataSeen[0]++ == 200) {
            victim[0] = seq;
          }
          if (seq == victim[0] && victimDrops[0] < 2) {
            victimDrops[0]++;
            return true; // the packet and its fast retransmission
          }
          return false;
        });
    p.startTransfer(2 << 20);
    assertTrue(p.runTransfer(Duration.ofSeconds(60)), () -> "done: " + p.client.stats());
    assertEquals(2L << 20, p.receivedBytes);
    assertEquals(0, p.mismatches);
    assertEquals(2, victimDrops[0], "the packet and its first retransmission were dropped");
    UtpConnectionStats st = p.client.stats();
    assertEquals(0, st.timeouts(), () -> "no retransmission timeout: " + st);
    assertEquals(2, st.retransmits(), () -> "sent three times in all: " + st);
  }
}
