package io.natswarm.holepunch.stun;

import static org.assertj.core.api.Assertions.assertThat;

import io.natswarm.netsim.Binding;
import io.natswarm.netsim.Host;
import io.natswarm.netsim.LinkConfig;
import io.natswarm.netsim.NatBox;
import io.natswarm.netsim.NatConfig;
import io.natswarm.netsim.Network;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * RFC 5780 behaviour discovery in netsim, behind a NAT of every RFC 4787 mapping and filtering kind
 * (and none), with delay and loss: the classification agrees with the NAT's configuration, and the
 * counters say how many requests it took.
 */
class BindingDiscoveryTest {

  /** One host behind one NAT (or directly on the internet) and an RFC 5780 server. */
  private static final class Lab {
    final Network net = Network.withSeed(42);
    final Rfc5780Server server;
    final Binding client;
    final BindingDiscovery discovery;

    Lab(NatConfig nat, double loss, boolean behaviour) {
      Host s1 = net.addHost("stun1", net.internet(), "198.51.100.1");
      Host s2 = net.addHost("stun2", net.internet(), "198.51.100.2");
      server = new Rfc5780Server(net, s1, s2);
      Host h;
      if (nat == null) {
        h = net.addHost("h", net.internet(), "203.0.113.7");
        h.link(LinkConfig.builder().delayMillis(20).loss(loss).build());
      } else {
        NatBox r = net.addNat("r", net.internet(), "203.0.113.10", nat);
        r.link(LinkConfig.builder().delayMillis(20).loss(loss).build());
        h = net.addHost("h", r.inside(), "10.0.0.2");
      }
      InetSocketAddress local = new InetSocketAddress(h.addresses().get(0), 5000);
      discovery =
          new BindingDiscovery(
              server.primary(),
              local,
              behaviour,
              BindingDiscovery.Settings.defaults(),
              new SplittableRandom(7),
              net.nowNanos());
      client = h.bind(5000, discovery);
      net.wake(client);
    }

    BindingDiscovery.Result run() {
      assertThat(net.runUntil(discovery::finished, Duration.ofMinutes(2)))
          .as("discovery finished")
          .isTrue();
      return discovery.result();
    }
  }

  enum Case {
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
    ADDRESS_DEPENDENT_MAPPING(
        NatConfig.builder()
            .mapping(NatConfig.Mapping.ADDRESS_DEPENDENT)
            .filtering(NatConfig.Filtering.ADDRESS_DEPENDENT)
            .build(),
        MappingBehavior.ADDRESS_DEPENDENT,
        FilteringBehavior.ADDRESS_DEPENDENT);

    @SuppressWarnings("ImmutableEnumChecker") // NatConfig is immutable, but not annotated so
    final NatConfig nat;

    final MappingBehavior mapping;
    final FilteringBehavior filtering;

    Case(NatConfig nat, MappingBehavior mapping, FilteringBehavior filtering) {
      this.nat = nat;
      this.mapping = mapping;
      this.filtering = filtering;
    }
  }

  @ParameterizedTest
  @EnumSource(Case.class)
  void classifiesEachNatAsConfigured(Case c) {
    Lab lab = new Lab(c.nat, 0, true);
    BindingDiscovery.Result r = lab.run();
    assertThat(r.outcome()).isEqualTo(BindingDiscovery.Outcome.DONE);
    assertThat(r.mapping()).isEqualTo(c.mapping);
    assertThat(r.filtering()).isEqualTo(c.filtering);
    assertThat(r.mapped().getAddress().getHostAddress()).isEqualTo("203.0.113.10");
    assertThat(r.otherAddress()).isEqualTo(lab.server.alternate());
    assertThat(lab.discovery.counters().malformed()).isZero();
  }

  @ParameterizedTest
  @EnumSource(Case.class)
  void classifiesTheSameUnderTenPercentLoss(Case c) {
    Lab lab = new Lab(c.nat, 0.10, true);
    BindingDiscovery.Result r = lab.run();
    assertThat(r.mapping()).isEqualTo(c.mapping);
    // A filtering test whose three requests or answers are all lost reads as filtered: with 10 %
    // loss each way that is (1 - 0.9^2)^3 = 0.7 % per test; the seed is fixed, so this is exact.
    assertThat(r.filtering()).isEqualTo(c.filtering);
  }

  @Test
  void aPublicHostHasNoNat() {
    Lab lab = new Lab(null, 0, true);
    BindingDiscovery.Result r = lab.run();
    assertThat(r.mapping()).isEqualTo(MappingBehavior.NO_NAT);
    assertThat(r.filtering()).isEqualTo(FilteringBehavior.ENDPOINT_INDEPENDENT);
  }

  @Test
  void theMappedAddressAloneTakesOneRequest() {
    Lab lab = new Lab(NatConfig.symmetric(), 0, false);
    BindingDiscovery.Result r = lab.run();
    assertThat(r.outcome()).isEqualTo(BindingDiscovery.Outcome.DONE);
    assertThat(r.mapping()).isEqualTo(MappingBehavior.UNKNOWN);
    assertThat(lab.discovery.counters().requestsSent()).isEqualTo(1);
    assertThat(lab.server.requests).isEqualTo(1);
  }

  @Test
  void aSilentServerIsReportedUnreachableAfterRfc8489sRetransmissions() {
    Network net = Network.withSeed(1);
    Host h = net.addHost("h", net.internet(), "203.0.113.7");
    long start = net.nowNanos();
    BindingDiscovery d =
        new BindingDiscovery(
            new InetSocketAddress("198.51.100.1", 3478),
            new InetSocketAddress("203.0.113.7", 5000),
            true,
            BindingDiscovery.Settings.defaults(),
            new SplittableRandom(1),
            start);
    net.wake(h.bind(5000, d));
    assertThat(net.runUntil(d::finished, Duration.ofMinutes(2))).isTrue();
    assertThat(d.result().outcome()).isEqualTo(BindingDiscovery.Outcome.SERVER_UNREACHABLE);
    assertThat(d.counters().requestsSent()).isEqualTo(7);
    assertThat(d.counters().retransmissions()).isEqualTo(6);
    // 0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 s, then 16 x RTO: 39.5 s (RFC 8489 section 6.2.1)
    assertThat(Duration.ofNanos(net.nowNanos() - start)).isEqualTo(Duration.ofMillis(39_500));
  }
}
