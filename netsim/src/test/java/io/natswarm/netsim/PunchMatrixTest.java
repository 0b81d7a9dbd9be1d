package io.natswarm.netsim;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Reproduces LAB.md's hole-punching matrix, measured on real kernel NATs, with the sans-IO {@link
 * Puncher}: every pair of full cone, restricted, port-restricted and symmetric connects except
 * port-restricted with symmetric and symmetric with symmetric; in both start orders (one side 500
 * ms late), with clean links and with 40 ms delay and 1 % loss each way.
 */
class PunchMatrixTest {
  private static final Map<String, NatConfig> TYPES = new LinkedHashMap<>();

  static {
    TYPES.put("full-cone", NatConfig.fullCone());
    TYPES.put("restricted", NatConfig.restrictedCone());
    TYPES.put("port-restricted", NatConfig.portRestrictedCone());
    TYPES.put("symmetric", NatConfig.symmetric());
  }

  /** Outcome of one punching attempt. */
  static final class Outcome {
    final boolean bothConnected;
    final Network net;
    final Puncher a;
    final Puncher b;

    Outcome(Network net, Puncher a, Puncher b) {
      this.net = net;
      this.a = a;
      this.b = b;
      this.bothConnected = a.connected() && b.connected();
    }
  }

  /**
   * Peer a behind a NAT of config {@code ca}, b behind {@code cb}, a rendezvous server on the
   * internet; a starts at {@code aStartMs}, b at {@code bStartMs}.
   */
  static Outcome punch(
      long seed,
      NatConfig ca,
      NatConfig cb,
      long aStartMs,
      long bStartMs,
      LinkConfig wanA,
      LinkConfig wanB,
      int predictA,
      int predictB) {
    return punch(
        seed, ca, cb, aStartMs, bStartMs, wanA, wanB, predictA, predictB, LinkConfig.PERFECT);
  }

  /** As above, with {@code lanA} on the link between a's host and its router. */
  static Outcome punch(
      long seed,
      NatConfig ca,
      NatConfig cb,
      long aStartMs,
      long bStartMs,
      LinkConfig wanA,
      LinkConfig wanB,
      int predictA,
      int predictB,
      LinkConfig lanA) {
    Network net = Network.withSeed(seed);
    Host s = net.addHost("server", net.internet(), "203.0.113.1");
    NatBox r1 = net.addNat("r1", net.internet(), "203.0.113.10", ca);
    NatBox r2 = net.addNat("r2", net.internet(), "198.51.100.20", cb);
    r1.link(wanA);
    r2.link(wanB);
    Host h1 = net.addHost("h1", r1.inside(), "10.0.1.2");
    Host h2 = net.addHost("h2", r2.inside(), "10.0.2.2");
    h1.link(lanA);
    Binding sb = s.bind(3478, new Rendezvous());
    Puncher a = new Puncher(0, sb.localAddress(), aStartMs * 1_000_000L, predictA);
    Puncher b = new Puncher(1, sb.localAddress(), bStartMs * 1_000_000L, predictB);
    h1.bind(5000, a);
    h2.bind(5000, b);
    net.runUntil(() -> a.connected() && b.connected(), Duration.ofSeconds(15));
    return new Outcome(net, a, b);
  }

  private static List<String> matrix(
      long seed, long aStart, long bStart, LinkConfig wanA, LinkConfig wanB) {
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, NatConfig> x : TYPES.entrySet()) {
      for (Map.Entry<String, NatConfig> y : TYPES.entrySet()) {
        boolean ok =
            punch(seed, x.getValue(), y.getValue(), aStart, bStart, wanA, wanB, 0, 0).bothConnected;
        out.add(x.getKey() + " x " + y.getKey() + (ok ? " connects" : " fails"));
      }
    }
    return out;
  }

  private static List<String> expected() {
    List<String> out = new ArrayList<>();
    for (String x : TYPES.keySet()) {
      for (String y : TYPES.keySet()) {
        boolean fails =
            (x.equals("symmetric") && (y.equals("symmetric") || y.equals("port-restricted")))
                || (y.equals("symmetric") && x.equals("port-restricted"));
        out.add(x + " x " + y + (fails ? " fails" : " connects"));
      }
    }
    return out;
  }

  @Test
  void matrixMatchesTheKernelLabWhenBothStartTogether() {
    LinkConfig wan = LinkConfig.builder().delayMillis(10).build();
    assertThat(matrix(1, 0, 0, wan, wan)).containsExactlyElementsOf(expected());
  }

  @Test
  void matrixMatchesTheKernelLabWhenAStartsFirst() {
    LinkConfig wan = LinkConfig.builder().delayMillis(10).build();
    assertThat(matrix(2, 0, 500, wan, wan)).containsExactlyElementsOf(expected());
  }

  @Test
  void matrixMatchesTheKernelLabWhenBStartsFirst() {
    LinkConfig wan = LinkConfig.builder().delayMillis(10).build();
    assertThat(matrix(3, 500, 0, wan, wan)).containsExactlyElementsOf(expected());
  }

  @Test
  void matrixHoldsWithFortyMillisecondsAndOnePercentLossEachWay() {
    LinkConfig wan = LinkConfig.builder().delayMillis(40).loss(0.01).build();
    assertThat(matrix(4, 0, 500, wan, wan)).containsExactlyElementsOf(expected());
    assertThat(matrix(5, 500, 0, wan, wan)).containsExactlyElementsOf(expected());
  }

  @Test
  void matrixHoldsWhenOneSideIsFarSlowerThanTheOther() {
    LinkConfig slow = LinkConfig.builder().delayMillis(60).loss(0.01).build();
    LinkConfig fast = LinkConfig.builder().delayMillis(2).loss(0.01).build();
    assertThat(matrix(9, 0, 0, slow, fast)).containsExactlyElementsOf(expected());
    assertThat(matrix(10, 0, 0, fast, slow)).containsExactlyElementsOf(expected());
  }

  @Test
  void portPredictionGetsThroughASequentialSymmetricNat() {
    LinkConfig wan = LinkConfig.builder().delayMillis(20).build();
    NatConfig prc = NatConfig.portRestrictedCone();
    NatConfig seq = NatConfig.symmetricSequential();
    for (long[] starts : new long[][] {{0, 500}, {500, 0}}) {
      assertThat(punch(6, seq, prc, starts[0], starts[1], wan, wan, 0, 0).bothConnected)
          .as("without prediction")
          .isFalse();
      Outcome predicted = punch(6, seq, prc, starts[0], starts[1], wan, wan, 0, 8);
      assertThat(predicted.bothConnected).as("port-restricted side predicts 8 ports").isTrue();
      // b reached a on a port the server never saw: the predicted one.
      NatBox r1 = (NatBox) predicted.net.node("r1");
      InetSocketAddress seenByServer =
          r1.externalAddress(
              new InetSocketAddress("10.0.1.2", 5000), new InetSocketAddress("203.0.113.1", 3478));
      assertThat(predicted.b.connectedTo().getPort()).isNotEqualTo(seenByServer.getPort());
    }
    assertThat(punch(7, NatConfig.symmetric(), prc, 0, 500, wan, wan, 0, 8).bothConnected)
        .as("random ports defeat prediction")
        .isFalse();
  }

  @Test
  void conntrackClashBreaksPortRestrictedPairsAndDroppingNewInboundFixesIt() {
    // a sits on a slow LAN: b's first punch reaches a's router before a has sent anything to b.
    LinkConfig lan = LinkConfig.builder().delayMillis(40).build();
    LinkConfig wan = LinkConfig.builder().delayMillis(5).build();
    NatConfig prc = NatConfig.portRestrictedCone();
    NatConfig clashing = prc.toBuilder().acceptUnsolicitedToSelf(true).build();
    Outcome broken = punch(8, clashing, clashing, 0, 500, wan, wan, 0, 0, lan);
    assertThat(broken.bothConnected).isFalse();
    // a's flow to b was moved to a port of its own, which b's router does not let in.
    assertThat(broken.net.stats().natMappingsCreated()).isEqualTo(3);
    assertThat(broken.net.stats().dropped(DropReason.FILTER)).isGreaterThan(100);
    Outcome fixed = punch(8, prc, prc, 0, 500, wan, wan, 0, 0, lan);
    assertThat(fixed.bothConnected).isTrue();
    assertThat(fixed.net.stats().natMappingsCreated()).isEqualTo(2);
  }
}
