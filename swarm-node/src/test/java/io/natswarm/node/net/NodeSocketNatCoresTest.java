package io.natswarm.node.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.natswarm.datagram.DatagramKind;
import io.natswarm.datagram.Demultiplexer;
import io.natswarm.dht.DhtConfig;
import io.natswarm.dht.DhtPort;
import io.natswarm.holepunch.portmap.NatPmpGateway;
import io.natswarm.holepunch.portmap.PcpGateway;
import io.natswarm.holepunch.portmap.PortMapSequence;
import io.natswarm.holepunch.portmap.Protocol;
import io.natswarm.holepunch.stun.BindingDiscovery;
import io.natswarm.holepunch.stun.FilteringBehavior;
import io.natswarm.holepunch.stun.MappingBehavior;
import io.natswarm.holepunch.stun.Rfc5780Server;
import io.natswarm.netsim.Binding;
import io.natswarm.netsim.Host;
import io.natswarm.netsim.LinkConfig;
import io.natswarm.netsim.NatBox;
import io.natswarm.netsim.NatConfig;
import io.natswarm.netsim.Network;
import io.natswarm.utp.UtpSettings;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The NAT cores through the composition root: a node's socket as {@link NodeSocket#compose} builds
 * it (µTP, a DHT node, the STUN and port-mapping slots and the dial-back probe receiver on one
 * demultiplexer), behind a netsim NAT of each RFC 4787 kind, with delay and loss: 1 % on the LAN, 5
 * % on the NAT's uplink. (A filtering test reads as filtered when all three of its requests or
 * answers are lost: about 0.2 % per test at these rates; the seed is fixed, so the run is exact.
 * holepunch's own tests put 20 % loss on the clients alone.) The gateway's PCP or NAT-PMP server is
 * a double on the LAN at 10.0.0.1 (netsim's NAT box serves nothing itself; the kernel lab tests the
 * real thing, miniupnpd); the RFC 5780 STUN server is a double on the internet. The cores are
 * installed in the socket's slots as the node's NAT service installs them, and every datagram they
 * exchange crosses the same demultiplexer as µTP and the DHT: none may fall through to µTP (which
 * would answer it with a reset) or to the DHT.
 */
class NodeSocketNatCoresTest {
  private static final int PORT = 6881;

  /** A node behind one NAT, a gateway double on its LAN and a STUN server on the internet. */
  private static final class Lab {
    final Network net = Network.withSeed(11);
    final Host gatewayHost;
    final Rfc5780Server stun;
    final Host host;
    final NodeSocket socket;
    final Binding binding;

    Lab(NatConfig nat) {
      Host s1 = net.addHost("stun1", net.internet(), "198.51.100.1");
      Host s2 = net.addHost("stun2", net.internet(), "198.51.100.2");
      stun = new Rfc5780Server(net, s1, s2);
      NatBox router = net.addNat("router", net.internet(), "203.0.113.10", nat);
      router.link(LinkConfig.builder().delayMillis(20).loss(0.05).build());
      gatewayHost = net.addHost("gateway", router.inside(), "10.0.0.1");
      host = net.addHost("node", router.inside(), "10.0.0.2");
      host.link(LinkConfig.builder().delayMillis(2).loss(0.01).build());
      NodeSocketSettings settings =
          new NodeSocketSettings(
              UtpSettings.defaults(),
              DhtConfig.builder().seed(5).enforceBep42(false).build(),
              null,
              DhtPort.NONE,
              () -> new Random(3));
      socket = NodeSocket.compose(settings, new Demultiplexer(), net.nowNanos());
      binding = host.bind(PORT, socket.demultiplexer());
    }

    /** Starts port mapping in the socket's slot, as the node's NAT service does. */
    PortMapSequence map(PortMapSequence.Settings settings) {
      PortMapSequence s =
          new PortMapSequence(
              PcpGateway.address("10.0.0.1"),
              PcpGateway.address("10.0.0.2"),
              PORT,
              settings,
              new SplittableRandom(21));
      assertThat(socket.portMapping().install(s)).isNull();
      s.start(net.nowNanos());
      net.wake(binding);
      return s;
    }

    /** Starts a STUN measurement in the socket's slot; returns it. */
    BindingDiscovery measure() {
      BindingDiscovery d =
          new BindingDiscovery(
              stun.primary(),
              new InetSocketAddress(host.addresses().get(0), PORT),
              true,
              BindingDiscovery.Settings.defaults(),
              new SplittableRandom(7),
              net.nowNanos());
      var unused = socket.stun().install(d);
      net.wake(binding);
      return d;
    }

    Demultiplexer demux() {
      return socket.demultiplexer();
    }
  }

  enum Kind {
    FULL_CONE(
        NatConfig.fullCone(),
        MappingBehavior.ENDPOINT_INDEPENDENT,
        FilteringBehavior.ENDPOINT_INDEPENDENT),
    RESTRICTED_CONE(
        NatConfig.restrictedCone(),
        MappingBehavior.ENDPOINT_INDEPENDENT,
        FilteringBehavior.ADDRESS_DEPENDENT),
    PORT_RESTRICTED_CONE(
        NatConfig.portRestrictedCone(),
        MappingBehavior.ENDPOINT_INDEPENDENT,
        FilteringBehavior.ADDRESS_AND_PORT_DEPENDENT),
    SYMMETRIC(
        NatConfig.symmetric(),
        MappingBehavior.ADDRESS_AND_PORT_DEPENDENT,
        FilteringBehavior.ADDRESS_AND_PORT_DEPENDENT),
    SYMMETRIC_SEQUENTIAL(
        NatConfig.symmetricSequential(),
        MappingBehavior.ADDRESS_AND_PORT_DEPENDENT,
        FilteringBehavior.ADDRESS_AND_PORT_DEPENDENT);

    @SuppressWarnings("ImmutableEnumChecker") // NatConfig is immutable, but not annotated so
    final NatConfig nat;

    final MappingBehavior mapping;
    final FilteringBehavior filtering;

    Kind(NatConfig nat, MappingBehavior mapping, FilteringBehavior filtering) {
      this.nat = nat;
      this.mapping = mapping;
      this.filtering = filtering;
    }
  }

  @ParameterizedTest(name = "behind a {0} NAT")
  @EnumSource(Kind.class)
  void pcpMapsAndStunClassifiesOnTheNodesOwnSocket(Kind kind) {
    Lab lab = new Lab(kind.nat);
    PcpGateway pcp = new PcpGateway(lab.net);
    lab.gatewayHost.bind(5351, pcp);
    PortMapSequence mapping = lab.map(PortMapSequence.Settings.defaults());
    BindingDiscovery discovery = lab.measure();

    assertThat(
            lab.net.runUntil(
                () -> discovery.finished() && mapping.idle() && mapping.mappings().size() == 2,
                Duration.ofMinutes(5)))
        .as("both finished")
        .isTrue();
    BindingDiscovery.Result r = discovery.result();
    assertThat(r.outcome()).isEqualTo(BindingDiscovery.Outcome.DONE);
    assertThat(r.mapping()).isEqualTo(kind.mapping);
    assertThat(r.filtering()).isEqualTo(kind.filtering);
    assertThat(r.mapped().getAddress().getHostAddress()).isEqualTo("203.0.113.10");
    assertThat(mapping.stage()).isEqualTo(PortMapSequence.Stage.USING_PCP);
    assertThat(mapping.mapping(Protocol.UDP).external())
        .isEqualTo(new InetSocketAddress("203.0.113.10", PORT));
    assertThat(pcp.mappings).containsOnlyKeys("udp:6881", "tcp:6881");

    Demultiplexer d = lab.demux();
    assertThat(d.consumed(DatagramKind.STUN))
        .isGreaterThanOrEqualTo(discovery.counters().responses());
    assertThat(d.consumed(DatagramKind.PORT_MAPPING)).isGreaterThanOrEqualTo(2);
    assertThat(d.unclaimed()).as("nothing fell through to µTP's reset").isZero();
    assertThat(d.consumed(DatagramKind.UTP)).isZero();
    assertThat(d.failures(DatagramKind.STUN) + d.failures(DatagramKind.PORT_MAPPING)).isZero();
    assertThat(lab.socket.utp().counters().resetsOut()).isZero();

    // Release on close, as the service does: both deletes reach the gateway through the slot.
    mapping.release(lab.net.nowNanos());
    lab.net.wake(lab.binding);
    assertThat(lab.net.runUntil(mapping::idle, Duration.ofMinutes(5))).isTrue();
    assertThat(pcp.mappings).isEmpty();
  }

  @Test
  void aNatPmpGatewayThatRebootsIsMappedAgainAtTheNextRenewal() {
    Lab lab = new Lab(NatConfig.portRestrictedCone());
    NatPmpGateway gateway = new NatPmpGateway(lab.net);
    lab.gatewayHost.bind(5351, gateway);
    PortMapSequence mapping = lab.map(PortMapSequence.Settings.defaults());
    assertThat(
            lab.net.runUntil(
                () -> mapping.idle() && mapping.mappings().size() == 2, Duration.ofMinutes(5)))
        .isTrue();
    assertThat(mapping.stage()).isEqualTo(PortMapSequence.Stage.USING_NAT_PMP);
    assertThat(gateway.otherVersionRequests)
        .as("PCP asked first, answered in version 0")
        .isPositive();
    List<String> before = List.copyOf(gateway.mappings.keySet());

    gateway.restart(); // the router reboots: its epoch starts again and its mappings are gone
    assertThat(gateway.mappings).isEmpty();
    int renewals = gateway.mapRequests;
    lab.net.runFor(Duration.ofHours(1)); // past the renewal at half the lifetime
    assertThat(gateway.mapRequests).isGreaterThan(renewals);
    assertThat(gateway.mappings.keySet()).containsExactlyInAnyOrderElementsOf(before);
    assertThat(mapping.mappings()).hasSize(2);
    assertThat(lab.demux().unclaimed()).isZero();
  }

  @Test
  void aSecondMeasurementReplacesTheFirstInTheSlot() {
    Lab lab = new Lab(NatConfig.fullCone());
    BindingDiscovery first = lab.measure();
    assertThat(lab.net.runUntil(first::finished, Duration.ofMinutes(2))).isTrue();
    long firstAnswers = first.counters().responses();
    lab.net.runFor(Duration.ofSeconds(30));
    BindingDiscovery second = lab.measure();
    assertThat(lab.socket.stun().current()).isSameAs(second);
    assertThat(lab.net.runUntil(second::finished, Duration.ofMinutes(2))).isTrue();
    assertThat(second.result().outcome()).isEqualTo(BindingDiscovery.Outcome.DONE);
    assertThat(first.counters().responses())
        .as("the first hears nothing more")
        .isEqualTo(firstAnswers);
    assertThat(lab.demux().unclaimed()).isZero();
  }
}
