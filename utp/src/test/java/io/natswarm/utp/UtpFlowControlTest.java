package io.natswarm.utp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.natswarm.netsim.LinkConfig;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Receive window, zero-window probing and path-MTU probing in netsim. */
class UtpFlowControlTest {
  private static final LinkConfig LINK = LinkConfig.builder().delayMillis(10).build();

  @Test
  void receiverThatStopsReadingStopsTheSenderAtItsWindowAndResumes() {
    UtpSettings s = UtpSettings.builder().receiveBufferBytes(32_768).build();
    SimPair p = new SimPair(3, LINK, LINK, s);
    p.pauseServerReads = true;
    p.startTransfer(500_000);
    p.net.runFor(Duration.ofSeconds(20));
    // The receiver buffered exactly its window and the sender stopped there.
    assertEquals(32_768, p.server.readableBytes());
    assertTrue(p.client.stats().payloadBytesSent() <= 32_768 + 1452, p.client.stats().toString());
    assertTrue(p.client.stats().zeroWindowProbes() > 0, "the sender probes the zero window");
    p.pauseServerReads = false;
    p.drain(p.server);
    assertTrue(p.runTransfer(Duration.ofMinutes(2)), p.client.stats().toString());
    assertEquals(500_000, p.receivedBytes);
    assertEquals(0, p.mismatches);
  }

  @Test
  void lostWindowUpdateIsRecoveredByTheZeroWindowProbe() {
    UtpSettings s = UtpSettings.builder().receiveBufferBytes(16_384).build();
    SimPair p = new SimPair(4, LINK, LINK, s);
    p.pauseServerReads = true;
    p.startTransfer(100_000);
    p.net.runFor(Duration.ofSeconds(5));
    // Drop every ack from the receiver for a moment: the window update after the read is lost.
    p.b.dropOutgoing(b -> Packets.type(b) == UtpHeader.ST_STATE);
    p.pauseServerReads = false;
    p.drain(p.server);
    p.net.wake(p.bindB);
    p.net.runFor(Duration.ofMillis(5));
    p.b.dropOutgoing(b -> false);
    assertTrue(p.b.droppedOutgoing() > 0);
    assertTrue(p.runTransfer(Duration.ofMinutes(2)), p.client.stats().toString());
    assertEquals(100_000, p.receivedBytes);
    assertEquals(0, p.mismatches);
    assertTrue(p.client.stats().zeroWindowProbes() > 0);
  }

  @Test
  void pathMtuProbingGrowsThePacketSizeWhereThePathCarriesIt() {
    UtpSettings s = UtpSettings.builder().maxPacketSize(9000).build();
    SimPair p = new SimPair(5, LINK, LINK, s);
    p.startTransfer(3_000_000);
    assertTrue(p.runTransfer(Duration.ofMinutes(1)));
    assertEquals(0, p.mismatches);
    assertTrue(p.client.packetSize() > 8900, "packet size " + p.client.packetSize());
    assertEquals(0, p.client.stats().mtuProbesLost());
    assertTrue(p.client.stats().mtuProbesAcked() >= 5);
  }

  @Test
  void pathMtuProbingStopsBelowWhatThePathDrops() {
    UtpSettings s = UtpSettings.builder().maxPacketSize(9000).build();
    SimPair p = new SimPair(6, LINK, LINK, s);
    // A path that silently drops datagrams over 4000 bytes.
    p.a.dropOutgoing(b -> b.remaining() > 4000);
    p.startTransfer(3_000_000);
    assertTrue(p.runTransfer(Duration.ofMinutes(2)), p.client.stats().toString());
    assertEquals(0, p.mismatches);
    assertEquals(3_000_000, p.receivedBytes);
    assertTrue(
        p.client.packetSize() > 3800 && p.client.packetSize() <= 4000,
        "packet size " + p.client.packetSize());
    assertTrue(p.client.stats().mtuProbesLost() > 0);
  }

  @Test
  void smallWritesBetweenPollsAreCoalescedIntoOnePacket() {
    SimPair p = new SimPair(8, LINK, LINK, UtpSettings.defaults());
    p.shutdownWhenDone = false;
    p.startTransfer(10);
    p.net.runFor(Duration.ofSeconds(1));
    long before = p.client.stats().packetsSent();
    ByteBuffer one = ByteBuffer.allocate(1);
    for (int i = 0; i < 100; i++) {
      one.clear().put(0, SimPair.pattern(10 + i));
      p.client.write(one, p.net.nowNanos());
    }
    p.net.wake(p.bindA);
    p.net.runFor(Duration.ofSeconds(1));
    assertEquals(110, p.receivedBytes);
    assertEquals(0, p.mismatches);
    assertEquals(1, p.client.stats().packetsSent() - before, "100 one-byte writes, one packet");
  }
}
