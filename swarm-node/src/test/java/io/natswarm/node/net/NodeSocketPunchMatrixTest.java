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
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The hole punch of BEP 55 between two complete node sockets ({@link NodeSocket#compose}) behind
 * every ordered pair of netsim's NATs, as {@code HolepunchService} drives it: some flows of other
 * traffic first on each side, then the initiator probes in {@link PortPrediction}'s initiator order
 * and dials µTP to the endpoint the rendezvous named, the target probes in the target order (on
 * time or late), and the initiator also dials the endpoint the target's first probe came from
 * (peer-reflexive). The pairs that do not connect are exactly those no UDP puncher gets through: a
 * NAT that picks a random port for each destination against one that filters by port (a
 * port-restricted cone, another such NAT, or one that allocates in sequence).
 */
class NodeSocketPunchMatrixTest {
  private static final int PORT = NattedSocket.PORT;

  private enum Kind {
    FULL_CONE,
    RESTRICTED,
    PORT_RESTRICTED,
    SYMMETRIC,
    SYMMETRIC_SEQUENTIAL;

    NatConfig config() {
      return switch (this) {
        case FULL_CONE -> NatConfig.fullCone();
        case RESTRICTED -> NatConfig.restrictedCone();
        case PORT_RESTRICTED -> NatConfig.portRestrictedCone();
        case SYMMETRIC -> NatConfig.symmetric();
        case SYMMETRIC_SEQUENTIAL -> NatConfig.symmetricSequential();
      };
    }

    /** Filters by the remote port, and so never lets in a probe from a port it was not sent to. */
    boolean filtersByPort() {
      return this == PORT_RESTRICTED || this == SYMMETRIC || this == SYMMETRIC_SEQUENTIAL;
    }
  }

  /** Whether the initiator's dials connected within 5 s of the punch. */
  private static boolean punch(
      Kind target, Kind initiator, long seed, LinkConfig link, long lateMillis) {
    Network net = Network.withSeed(seed);
    Host r = net.addHost("r", net.internet(), "203.0.113.9");
    r.link(link);
    InetSocketAddress rendezvous = new InetSocketAddress(r.addresses().get(0), PORT);
    NattedSocket l =
        NattedSocket.behind(
            net, initiator.config(), "l", "198.51.100.1", "10.0.1.2", link, seed + 1);
    NattedSocket s =
        NattedSocket.behind(net, target.config(), "s", "192.0.2.1", "10.0.2.2", link, seed + 2);
    Random random = new Random(seed);
    l.socket().punches().punch(rendezvous, net.nowNanos());
    s.socket().punches().punch(rendezvous, net.nowNanos());
    // other traffic since the rendezvous saw them: up to three flows on each side
    for (NattedSocket x : List.of(l, s)) {
      int flows = random.nextInt(4);
      for (int i = 1; i <= flows; i++) {
        x.socket().punches().punch(new InetSocketAddress(r.addresses().get(0), PORT + i), 0);
      }
    }
    net.wake(l.binding());
    net.wake(s.binding());
    net.runFor(Duration.ofSeconds(2));
    InetSocketAddress lOutside = l.nat().externalAddress(l.binding().localAddress(), rendezvous);
    InetSocketAddress sOutside = s.nat().externalAddress(s.binding().localAddress(), rendezvous);

    List<UtpConnection> dials = new ArrayList<>();
    l.socket()
        .punches()
        .addHeardListener(
            (from, now) -> {
              if (dials.size() == 1
                  && from.getAddress().equals(sOutside.getAddress())
                  && !from.equals(sOutside)) {
                dials.add(l.socket().utp().connect(from, now)); // the peer-reflexive endpoint
                net.wake(l.binding());
              }
            });
    long start = net.nowNanos();
    l.socket().punches().punch(sOutside, PortPrediction.Side.INITIATOR, PortPrediction.SPAN, start);
    dials.add(l.socket().utp().connect(sOutside, start));
    net.wake(l.binding());
    net.schedule(
        Duration.ofMillis(lateMillis),
        () -> {
          s.socket()
              .punches()
              .punch(lOutside, PortPrediction.Side.TARGET, PortPrediction.SPAN, net.nowNanos());
          net.wake(s.binding());
        });
    return net.runUntil(
        () -> dials.stream().anyMatch(d -> d.state() == UtpState.CONNECTED), Duration.ofSeconds(5));
  }

  private static boolean expected(Kind target, Kind initiator) {
    boolean oneRandom = target == Kind.SYMMETRIC || initiator == Kind.SYMMETRIC;
    Kind other = target == Kind.SYMMETRIC ? initiator : target;
    return !(oneRandom && other.filtersByPort());
  }

  @ParameterizedTest(name = "{0}: 20 ms links, {1} loss, the target {2} ms late")
  @CsvSource({"1, 0.0, 0", "2, 0.0, 300", "3, 0.01, 0", "4, 0.01, 300"})
  void everyPairThatAUdpPuncherGetsThroughConnects(long seed, double loss, long lateMillis) {
    LinkConfig link = LinkConfig.builder().delay(Duration.ofMillis(20)).loss(loss).build();
    Set<String> unexpected = new TreeSet<>();
    int connected = 0;
    int pair = 0;
    for (Kind target : Kind.values()) {
      for (Kind initiator : Kind.values()) {
        boolean ok = punch(target, initiator, seed * 100 + pair++, link, lateMillis);
        connected += ok ? 1 : 0;
        if (ok != expected(target, initiator)) {
          unexpected.add(target + " <- " + initiator + (ok ? " connected" : " did not connect"));
        }
      }
    }
    assertThat(unexpected).isEmpty();
    // 25 pairs, less port-restricted, symmetric and sequential against symmetric, both ways
    assertThat(connected).isEqualTo(25 - 5);
  }
}
