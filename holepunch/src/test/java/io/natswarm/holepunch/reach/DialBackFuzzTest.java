package io.natswarm.holepunch.reach;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * Jazzer target: a peer's dial-back message parses or is a typed error, never an exception, and
 * what parses encodes back to the same bytes; the probe core takes any datagram without throwing
 * and without moving the buffer.
 */
class DialBackFuzzTest {
  private static final InetSocketAddress FROM = new InetSocketAddress("198.51.100.9", 40000);

  @FuzzTest(maxDuration = "30s")
  void parse(byte[] data) {
    DialBack.Parsed p = DialBack.parse(data);
    assertThat(p.ok()).isEqualTo(p.error() == null);
    if (p.ok()) {
      assertThat(p.message().encode()).isEqualTo(data);
    }
    DialBackProbes probes = new DialBackProbes();
    probes.await(0);
    ByteBuffer b = ByteBuffer.wrap(data);
    probes.handleDatagram(b, FROM, 0);
    assertThat(b.position()).isZero();
  }
}
