package io.natswarm.dht;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.common.net.InetAddresses;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * Jazzer target for the whole receive path: any datagram, as a query or as a reply to our own ping,
 * never throws out of {@link DhtNode#handleDatagram} and is counted.
 */
class DhtNodeFuzzTest {
  private static final InetSocketAddress FROM =
      new InetSocketAddress(InetAddresses.forString("198.51.100.7"), 6881);

  @FuzzTest(maxDuration = "30s")
  void handleDatagram(byte[] data) {
    DhtNode node =
        new DhtNode(DhtConfig.builder().seed(1).queriesPerSecond(0, 1).build(), DhtPort.NONE, 0);
    node.ping(FROM, 0); // so that replies with a matching transaction id reach a call
    Outbox.drain(node, 0);
    assertThat(node.handleDatagram(ByteBuffer.wrap(data), FROM, 1_000_000)).isTrue();
    for (byte[] out : Outbox.drain(node, 1_000_000)) {
      assertThat(out.length).isPositive().isLessThanOrEqualTo(1400);
    }
    node.handleTimeout(10_000_000_000L);
    assertThat(node.counters().datagramsIn()).isOne();
  }
}
