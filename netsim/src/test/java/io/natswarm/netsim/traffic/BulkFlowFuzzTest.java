package io.natswarm.netsim.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.natswarm.datagram.Transmit;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * Jazzer target: the bulk flow's segment parser, and both endpoints behind it, never throw on
 * arbitrary datagrams; whatever is not a valid segment is counted.
 */
class BulkFlowFuzzTest {
  private static final InetSocketAddress PEER = new InetSocketAddress("203.0.113.2", 7001);

  @FuzzTest
  void handleDatagram(byte[] data) {
    int kind = FlowSegment.parse(ByteBuffer.wrap(data));
    assertThat(kind).isIn((int) FlowSegment.DATA, (int) FlowSegment.ACK, FlowSegment.INVALID);

    BulkSender sender = new BulkSender(PEER, 1400, 1_000_000, Congestion.CUBIC, 0);
    Transmit out = Transmit.heap();
    sender.handleTimeout(0);
    int sent = 0;
    for (out.clear(); sender.pollTransmit(out, 1); out.clear()) {
      sent++;
    }
    sender.handleDatagram(ByteBuffer.wrap(data), PEER, 2);
    for (out.clear(); sender.pollTransmit(out, 3); out.clear()) {
      sent++;
    }
    sender.handleTimeout(sender.pollTimeout());
    assertThat(sent).isGreaterThanOrEqualTo(10);
    if (kind != FlowSegment.ACK) {
      assertThat(sender.badDatagrams()).isEqualTo(1);
    }

    BulkReceiver receiver = new BulkReceiver();
    receiver.handleDatagram(ByteBuffer.wrap(data), PEER, 2);
    out.clear();
    boolean acked = receiver.pollTransmit(out, 2);
    assertThat(acked).isEqualTo(kind == FlowSegment.DATA && receiver.beyondWindow() == 0);
    assertThat(receiver.badDatagrams()).isEqualTo(kind == FlowSegment.DATA ? 0 : 1);
  }
}
