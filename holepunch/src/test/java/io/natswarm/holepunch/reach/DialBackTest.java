package io.natswarm.holepunch.reach;

import static org.assertj.core.api.Assertions.assertThat;

import io.natswarm.datagram.DatagramKind;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class DialBackTest {
  @Test
  void requestsAndReportsRoundTripInTwelveBytes() {
    DialBack req = DialBack.request(Transport.TCP, 6881, 0x0102030405060708L);
    byte[] b = req.encode();
    assertThat(b).containsExactly(1, 1, 0x1a, (byte) 0xe1, 1, 2, 3, 4, 5, 6, 7, 8);
    assertThat(DialBack.parse(b).message()).isEqualTo(req);
    DialBack rep = DialBack.report(Transport.UTP, true, -1L);
    assertThat(DialBack.parse(rep.encode()).message()).isEqualTo(rep);
  }

  @Test
  void badBytesAreTypedErrors() {
    assertThat(DialBack.parse(new byte[11]).error()).isEqualTo(DialBack.Problem.BAD_LENGTH);
    assertThat(DialBack.parse(null).error()).isEqualTo(DialBack.Problem.BAD_LENGTH);
    byte[] b = DialBack.request(Transport.UTP, 1, 7).encode();
    b[0] = 3;
    assertThat(DialBack.parse(b).error()).isEqualTo(DialBack.Problem.UNKNOWN_KIND);
    b[0] = 1;
    b[1] = 2;
    assertThat(DialBack.parse(b).error()).isEqualTo(DialBack.Problem.UNKNOWN_TRANSPORT);
    b[1] = 0;
    b[2] = 0;
    b[3] = 0;
    assertThat(DialBack.parse(b).error()).isEqualTo(DialBack.Problem.NO_PORT);
    byte[] r = DialBack.report(Transport.TCP, false, 7).encode();
    r[2] = 5;
    assertThat(DialBack.parse(r).error()).isEqualTo(DialBack.Problem.BAD_RESULT);
    r[2] = 0;
    r[3] = 1; // found by DialBackFuzzTest: a report must encode back to its own bytes
    assertThat(DialBack.parse(r).error()).isEqualTo(DialBack.Problem.RESERVED_NOT_ZERO);
  }

  private static ByteBuffer probe(long nonce) {
    return ByteBuffer.allocate(16).putLong(DialBackProbes.MAGIC).putLong(nonce).flip();
  }

  @Test
  void probesAreHolePunchProbesAndOnlyAwaitedNoncesCount() {
    InetSocketAddress from = new InetSocketAddress("198.51.100.9", 40000);
    assertThat(DatagramKind.UTP.matches(probe(1))).isFalse();
    assertThat(DatagramKind.KRPC.matches(probe(1))).isFalse();
    assertThat(DatagramKind.STUN.matches(probe(1))).isFalse();
    assertThat(DatagramKind.PORT_MAPPING.matches(probe(1))).isFalse();
    assertThat(DatagramKind.HOLEPUNCH_PROBE.matches(probe(1))).isTrue();

    DialBackProbes p = new DialBackProbes();
    p.await(42);
    assertThat(p.handleDatagram(probe(41), from, 0)).isTrue();
    assertThat(p.strays()).isEqualTo(1);
    assertThat(p.handleDatagram(probe(42), from, 0)).isTrue();
    assertThat(p.handleDatagram(probe(42), from, 0)).as("a repeated probe").isTrue();
    assertThat(p.probes()).isEqualTo(1);
    assertThat(p.handleDatagram(ByteBuffer.allocate(16), from, 0)).as("no magic").isFalse();
    assertThat(p.take(42)).isTrue();
    assertThat(p.take(42)).as("taken once").isFalse();
    p.await(43);
    assertThat(p.take(43)).as("awaited, never arrived").isFalse();
  }

  @Test
  void theOldestAwaitedNonceMakesRoom() {
    DialBackProbes p = new DialBackProbes();
    for (long n = 1; n <= 9; n++) {
      p.await(n);
    }
    p.handleDatagram(probe(1), new InetSocketAddress("198.51.100.9", 1), 0);
    p.handleDatagram(probe(9), new InetSocketAddress("198.51.100.9", 1), 0);
    assertThat(p.take(1)).as("forgotten").isFalse();
    assertThat(p.take(9)).isTrue();
  }
}
