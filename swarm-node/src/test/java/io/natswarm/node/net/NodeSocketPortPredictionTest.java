package io.natswarm.node.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.natswarm.holepunch.punch.PortPrediction;
import io.natswarm.netsim.Host;
import io.natswarm.netsim.LinkConfig;
import io.natswarm.netsim.NatConfig;
import io.natswarm.netsim.Network;
import io.natswarm.utp.UtpConnection;
import io.natswarm.utp.UtpState;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The hole punch of BEP 55 between two complete node sockets ({@link NodeSocket#compose}), each
 * behind a netsim NAT that maps every destination apart and hands out its ports in sequence
 * (symmetric, sequential ports), 20 ms on each link. Since the rendezvous saw them, each NAT gave
 * some ports to other flows ({@code dA}, {@code dB}); the two sides probe in {@link
 * PortPrediction}'s orders, and the initiator dials µTP to the port the target's first probe came
 * from (its peer-reflexive endpoint, as {@code HolepunchService} does). With both sides probing the
 * next ports in step instead (the order the target uses), the punch does not get through.
 */
class NodeSocketPortPredictionTest {
  private static final int PORT = NattedSocket.PORT;
  private static final Duration LINK = Duration.ofMillis(20);

  private static final class Outcome {
    UtpConnection reflexiveDial;
    long dialledAtNanos;
  }

  /** Runs the punch; the outcome's dial is null when no probe of the target reached us. */
  private static Outcome punch(int dA, int dB, long lateMillis, boolean predicted) {
    Network net = Network.withSeed(dA * 31L + dB);
    Host r = net.addHost("r", net.internet(), "203.0.113.9");
    r.link(LinkConfig.builder().delay(LINK).build());
    InetSocketAddress rendezvous = new InetSocketAddress(r.addresses().get(0), PORT);
    NattedSocket l =
        NattedSocket.behind(
            net,
            NatConfig.symmetricSequential(),
            "l",
            "198.51.100.1",
            "10.0.1.2",
            LinkConfig.builder().delay(LINK).build(),
            1);
    NattedSocket s =
        NattedSocket.behind(
            net,
            NatConfig.symmetricSequential(),
            "s",
            "192.0.2.1",
            "10.0.2.2",
            LinkConfig.builder().delay(LINK).build(),
            2);
    // Both talked to the rendezvous (a probe stands in for their BitTorrent connections), then to
    // dA and dB other endpoints (the DHT, a TCP dial): each of those took the next port.
    l.socket().punches().punch(rendezvous, net.nowNanos());
    s.socket().punches().punch(rendezvous, net.nowNanos());
    for (int i = 1; i <= dA; i++) {
      l.socket().punches().punch(new InetSocketAddress(r.addresses().get(0), PORT + i), 0);
    }
    for (int i = 1; i <= dB; i++) {
      s.socket().punches().punch(new InetSocketAddress(r.addresses().get(0), PORT + i), 0);
    }
    net.wake(l.binding());
    net.wake(s.binding());
    net.runFor(Duration.ofSeconds(2));
    InetSocketAddress lOutside = l.nat().externalAddress(l.binding().localAddress(), rendezvous);
    InetSocketAddress sOutside = s.nat().externalAddress(s.binding().localAddress(), rendezvous);

    Outcome out = new Outcome();
    long start = net.nowNanos();
    l.socket()
        .punches()
        .addHeardListener(
            (from, now) -> {
              if (out.reflexiveDial == null && from.getAddress().equals(sOutside.getAddress())) {
                out.reflexiveDial = l.socket().utp().connect(from, now);
                out.dialledAtNanos = now;
                net.wake(l.binding());
              }
            });
    PortPrediction.Side initiator =
        predicted ? PortPrediction.Side.INITIATOR : PortPrediction.Side.TARGET;
    l.socket().punches().punch(sOutside, initiator, PortPrediction.SPAN, start);
    net.wake(l.binding());
    net.schedule(
        Duration.ofMillis(lateMillis),
        () -> {
          s.socket()
              .punches()
              .punch(lOutside, PortPrediction.Side.TARGET, PortPrediction.SPAN, net.nowNanos());
          net.wake(s.binding());
        });
    net.runUntil(
        () -> out.reflexiveDial != null && out.reflexiveDial.state() == UtpState.CONNECTED,
        Duration.ofSeconds(5));
    if (out.reflexiveDial != null) {
      out.dialledAtNanos -= start;
    }
    return out;
  }

  @ParameterizedTest(name = "dA={0} dB={1}, the target {2} ms late")
  @CsvSource({"0, 0, 0", "2, 5, 0", "4, 1, 0", "3, 3, 300", "7, 2, 100"})
  void predictedPortsMeetAndTheReflexiveDialConnects(int dA, int dB, long lateMillis) {
    Outcome o = punch(dA, dB, lateMillis, true);
    assertThat(o.reflexiveDial).as("a probe of the target reached the initiator").isNotNull();
    assertThat(o.reflexiveDial.state()).isEqualTo(UtpState.CONNECTED);
    // The target's probe leaves at lateMillis (or when the initiator's probe of the same pair of
    // mappings opened the way, one round later) and crosses both links.
    assertThat(Duration.ofNanos(o.dialledAtNanos))
        .isBetween(Duration.ofMillis(lateMillis + 40), Duration.ofMillis(lateMillis + 400));
  }

  @ParameterizedTest(name = "dA={0} dB={1}: probing in step does not meet")
  @CsvSource({"2, 5", "4, 1", "3, 3"})
  void probingTheNextPortsInStepOnBothSidesDoesNotMeet(int dA, int dB) {
    Outcome o = punch(dA, dB, 0, false);
    assertThat(o.reflexiveDial).isNull();
  }
}
