package io.natswarm.holepunch.portmap;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.natswarm.datagram.Deadlines;
import io.natswarm.datagram.Transmit;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;

/**
 * Jazzer target: whatever the server's port sends, at whatever point of the exchanges (first
 * requests, after a release, after timeouts), the PCP client never throws, never moves the buffer,
 * and stays consistent: a held mapping is for the port asked and renews before it expires, a failed
 * or waiting one says why, a released one holds nothing. The nonces are those of a seeded random,
 * so the corpus can hold answers that match them.
 */
class PcpClientFuzzTest {
  private static final InetAddress GATEWAY = PcpGateway.address("10.0.0.1");
  private static final InetAddress SELF = PcpGateway.address("10.0.0.2");
  private static final InetSocketAddress SERVER =
      new InetSocketAddress(GATEWAY, PcpClient.SERVER_PORT);

  /** The client the target drives: both protocols asked for, nonces from seed 1. */
  static PcpClient client() {
    PcpClient c =
        new PcpClient(GATEWAY, SELF, PcpClient.Settings.defaults(), new SplittableRandom(1));
    c.map(Protocol.UDP, 6881, 0);
    c.map(Protocol.TCP, 6881, 0);
    return c;
  }

  @FuzzTest(maxDuration = "30s")
  void handleDatagram(byte[] data) {
    PcpClient c = client();
    Transmit t = Transmit.heap();
    long now = 1_000_000L;
    for (int round = 0; round < 4; round++) {
      while (c.pollTransmit(t, now)) {
        t.clear();
      }
      ByteBuffer b = ByteBuffer.wrap(data);
      assertThat(c.handleDatagram(b, SERVER, now)).isTrue();
      assertThat(b.position()).isZero();
      assertThat(b.limit()).isEqualTo(data.length);
      consistent(c);
      if (round == 1) {
        c.release(Protocol.TCP, now);
        assertThat(c.mapping(Protocol.TCP)).isNull();
      }
      long next = c.pollTimeout();
      now = next == Deadlines.NONE || next - now < 1_000_000L ? now + 1_000_000L : next;
      c.handleTimeout(now);
      consistent(c);
    }
  }

  private static void consistent(PcpClient c) {
    PcpClient.Counters n = c.counters();
    assertThat(n.requestsSent()).isGreaterThanOrEqualTo(n.retransmissions());
    for (Protocol p : Protocol.values()) {
      PortMapping m = c.mapping(p);
      MappingStatus s = c.status(p);
      if (m != null) {
        assertThat(s).isIn(MappingStatus.HELD, MappingStatus.REQUESTING, MappingStatus.WAITING);
        assertThat(m.internalPort()).isEqualTo(6881);
        assertThat(m.protocol()).isEqualTo(p);
        assertThat(m.goodUntilNanos() - m.renewAfterNanos()).isPositive();
        assertThat(m.external()).isNotNull();
      }
      if (s == MappingStatus.FAILED || s == MappingStatus.WAITING) {
        assertThat(c.failure(p)).isNotBlank();
      }
      if (s == MappingStatus.FAILED || s == MappingStatus.RELEASED) {
        assertThat(m).isNull();
      }
    }
  }
}
