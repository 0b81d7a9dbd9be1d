package io.natswarm.datagram;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * Arbitrary datagrams through the demultiplexer's cheap tests and handlers: never throws, every
 * datagram is counted exactly once. Regression mode replays {@code DemultiplexerFuzzTestInputs}.
 */
class DemultiplexerFuzzTest {
  private static final InetSocketAddress PEER = Loopback.v4(1);

  @FuzzTest
  void dispatchArbitraryDatagrams(byte[] data) {
    Demultiplexer d = new Demultiplexer();
    d.register(DatagramKind.UTP, new RecordingHandler("utp", b -> b.length > 0 && b[0] == 0x41));
    d.register(DatagramKind.KRPC, new RecordingHandler("krpc", b -> b.length > 3));
    d.register(DatagramKind.STUN, new RecordingHandler("stun", b -> b.length > 20));
    d.register(DatagramKind.HOLEPUNCH_PROBE, new RecordingHandler("hp", b -> b[1] == 'S'));
    ByteBuffer buf = ByteBuffer.wrap(data);
    d.dispatch(buf, PEER, 0);
    long total = d.unclaimed();
    for (DatagramKind k : DatagramKind.values()) {
      total += d.consumed(k);
    }
    assertEquals(1, total);
    assertEquals(1, d.datagrams());
  }
}
