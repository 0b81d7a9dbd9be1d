package io.natswarm.holepunch.portmap;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.natswarm.datagram.Transmit;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * Jazzer target: whatever the gateway's port sends, the NAT-PMP client never throws, never moves
 * the buffer, and a mapping it holds has a port and a lifetime in the future.
 */
class NatPmpClientFuzzTest {
  private static final InetAddress GATEWAY = address();

  private static InetAddress address() {
    try {
      return InetAddress.getByAddress(new byte[] {10, 0, 0, 1});
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  @FuzzTest(maxDuration = "30s")
  void handleDatagram(byte[] data) {
    NatPmpClient c = new NatPmpClient(GATEWAY, NatPmpClient.Settings.defaults());
    c.map(Protocol.UDP, 6881, 0);
    Transmit t = Transmit.heap();
    long now = 1_000_000_000L;
    // let the client send its requests, then answer each with the fuzzer's bytes
    for (int i = 0; i < 3; i++) {
      c.pollTransmit(t, now);
      ByteBuffer b = ByteBuffer.wrap(data);
      c.handleDatagram(b, new InetSocketAddress(GATEWAY, NatPmpClient.SERVER_PORT), now);
      assertThat(b.position()).isZero();
      now += 1_000_000L;
    }
    PortMapping m = c.mapping(Protocol.UDP);
    if (m != null) {
      assertThat(m.goodUntilNanos()).isGreaterThanOrEqualTo(m.renewAfterNanos());
      assertThat(m.internalPort()).isEqualTo(6881);
    }
  }
}
