package io.natswarm.holepunch.punch;

import static org.assertj.core.api.Assertions.assertThat;

import io.natswarm.datagram.Deadlines;
import io.natswarm.datagram.Transmit;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PunchProbesTest {
  private static final long MS = 1_000_000L;
  private static final InetSocketAddress A = new InetSocketAddress("192.0.2.1", 6881);
  private static final InetSocketAddress B = new InetSocketAddress("198.51.100.7", 40000);
  private static final InetSocketAddress C = new InetSocketAddress("203.0.113.9", 6881);

  private final Transmit tx = Transmit.heap();

  private List<InetSocketAddress> drain(PunchProbes p, long now) {
    List<InetSocketAddress> out = new ArrayList<>();
    tx.clear();
    while (p.pollTransmit(tx, now)) {
      assertThat(tx.length()).isEqualTo(PunchProbes.LENGTH);
      assertThat(tx.buffer().getLong(0)).isEqualTo(PunchProbes.MAGIC);
      out.add(tx.destination());
      tx.clear();
    }
    return out;
  }

  @Test
  void aBurstSendsItsProbesOneIntervalApartThenStops() {
    PunchProbes p = new PunchProbes(new PunchProbes.Settings(3, Duration.ofMillis(100), 4));
    assertThat(p.pollTimeout()).isEqualTo(Deadlines.NONE);
    p.punch(A, 1_000 * MS);
    assertThat(p.pollTimeout()).isEqualTo(1_000 * MS);
    assertThat(drain(p, 1_000 * MS)).containsExactly(A);
    assertThat(p.pollTimeout()).isEqualTo(1_100 * MS);
    assertThat(drain(p, 1_099 * MS)).isEmpty();
    assertThat(drain(p, 1_100 * MS)).containsExactly(A);
    assertThat(drain(p, 1_200 * MS)).containsExactly(A);
    assertThat(drain(p, 5_000 * MS)).isEmpty();
    assertThat(p.pollTimeout()).isEqualTo(Deadlines.NONE);
    assertThat(p.sent()).isEqualTo(3);
    assertThat(p.bursts()).isEqualTo(1);
  }

  @Test
  void punchingTheSameTargetAgainRestartsItsBurstInsteadOfAddingOne() {
    PunchProbes p = new PunchProbes(new PunchProbes.Settings(2, Duration.ofMillis(100), 4));
    p.punch(A, 0);
    assertThat(drain(p, 0)).containsExactly(A);
    p.punch(A, 50 * MS);
    assertThat(drain(p, 50 * MS)).containsExactly(A);
    assertThat(drain(p, 150 * MS)).containsExactly(A);
    assertThat(drain(p, 250 * MS)).isEmpty();
  }

  @Test
  void withPortPredictionEachProbeIsARoundOverThePredictedPortsInOrder() {
    PunchProbes p = new PunchProbes(new PunchProbes.Settings(2, Duration.ofMillis(100), 4));
    p.punch(B, PortPrediction.Side.INITIATOR, 2, 0);
    p.punch(C, 0); // a plain burst beside it
    InetSocketAddress b2 = new InetSocketAddress(B.getAddress(), B.getPort() + 2);
    InetSocketAddress b1 = new InetSocketAddress(B.getAddress(), B.getPort() + 1);
    InetSocketAddress b3 = new InetSocketAddress(B.getAddress(), B.getPort() + 3);
    assertThat(drain(p, 0)).containsExactly(B, b2, b1, b3, C);
    assertThat(p.pollTimeout()).isEqualTo(100 * MS);
    assertThat(drain(p, 100 * MS)).containsExactly(B, b2, b1, b3, C);
    assertThat(drain(p, 200 * MS)).isEmpty();
    assertThat(p.sent()).isEqualTo(10);
    // punching the same target again restarts its rounds from the first port
    p.punch(B, PortPrediction.Side.TARGET, 2, 300 * MS);
    assertThat(drain(p, 300 * MS)).containsExactly(B, b1);
    assertThat(p.bursts()).isEqualTo(3);
  }

  @Test
  void whenEveryBurstSlotIsBusyTheOldestGivesWay() {
    PunchProbes p = new PunchProbes(new PunchProbes.Settings(5, Duration.ofMillis(100), 2));
    p.punch(A, 0);
    p.punch(B, 10 * MS);
    p.punch(C, 20 * MS);
    assertThat(drain(p, 20 * MS)).containsExactlyInAnyOrder(B, C);
  }

  @Test
  void probesFromTheOtherSideAreNotedByTheirSourceAndOtherDatagramsDeclined() {
    PunchProbes p = new PunchProbes(PunchProbes.Settings.DEFAULTS);
    ByteBuffer probe = ByteBuffer.allocate(8).putLong(PunchProbes.MAGIC).flip();
    assertThat(p.handleDatagram(probe, B, 500 * MS)).isTrue();
    assertThat(probe.position()).isZero();
    assertThat(p.heardFrom(B, 400 * MS)).isTrue();
    assertThat(p.heardFrom(B, 600 * MS)).as("heard before that").isFalse();
    assertThat(p.heardFrom(A, 0)).isFalse();

    ByteBuffer other = ByteBuffer.allocate(8).putLong(0x1234L).flip();
    assertThat(p.handleDatagram(other, A, 0)).isFalse();
    ByteBuffer dialBack = ByteBuffer.allocate(16).putLong(PunchProbes.MAGIC).putLong(1).flip();
    assertThat(p.handleDatagram(dialBack, A, 0)).as("not a punch probe's length").isFalse();
    assertThat(p.received()).isEqualTo(1);
    assertThat(p.strays()).isEqualTo(1);
  }

  @Test
  void theListenerHearsEachProbeButNoOtherDatagram() {
    PunchProbes p = new PunchProbes(PunchProbes.Settings.DEFAULTS);
    java.util.List<String> heard = new java.util.ArrayList<>();
    p.addHeardListener((from, now) -> heard.add(from + "@" + now / MS));
    ByteBuffer probe = ByteBuffer.allocate(8).putLong(PunchProbes.MAGIC).flip();
    p.handleDatagram(probe, B, 500 * MS);
    p.handleDatagram(probe, B, 600 * MS);
    p.handleDatagram(ByteBuffer.allocate(8).putLong(0x1234L).flip(), A, 700 * MS);
    assertThat(heard).containsExactly(B + "@500", B + "@600");
  }

  @Test
  void thePeerReflexiveEndpointIsTheLatestHeardFromTheAddress() {
    PunchProbes p = new PunchProbes(PunchProbes.Settings.DEFAULTS);
    ByteBuffer probe = ByteBuffer.allocate(8).putLong(PunchProbes.MAGIC).flip();
    InetSocketAddress b2 = new InetSocketAddress(B.getAddress(), 40003);
    assertThat(p.lastHeardFrom(B.getAddress(), 0)).isNull();
    p.handleDatagram(probe, B, 10 * MS);
    p.handleDatagram(probe, A, 15 * MS);
    p.handleDatagram(probe, b2, 20 * MS);
    assertThat(p.lastHeardFrom(B.getAddress(), 0)).isEqualTo(b2);
    assertThat(p.lastHeardFrom(A.getAddress(), 0)).isEqualTo(A);
    assertThat(p.lastHeardFrom(B.getAddress(), 21 * MS)).as("nothing since").isNull();
    assertThat(p.lastHeardFrom(C.getAddress(), 0)).isNull();
  }

  @Test
  void theEndpointsHeardAreBoundedAndTheOldestForgotten() {
    PunchProbes p = new PunchProbes(new PunchProbes.Settings(1, Duration.ofMillis(1), 2));
    ByteBuffer probe = ByteBuffer.allocate(8).putLong(PunchProbes.MAGIC).flip();
    p.handleDatagram(probe, A, 1);
    p.handleDatagram(probe, B, 2);
    p.handleDatagram(probe, A, 3); // refreshes A, does not take a slot
    p.handleDatagram(probe, C, 4); // replaces the slot after A's: B
    assertThat(p.heardFrom(A, 0)).isTrue();
    assertThat(p.heardFrom(C, 0)).isTrue();
    assertThat(p.heardFrom(B, 0)).isFalse();
  }
}
