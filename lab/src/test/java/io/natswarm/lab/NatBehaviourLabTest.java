package io.natswarm.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.natswarm.lab.KernelLab.Filtering;
import io.natswarm.lab.KernelLab.LabHost;
import io.natswarm.lab.KernelLab.Mapping;
import io.natswarm.lab.KernelLab.NatKind;
import io.natswarm.lab.KernelLab.RouterOptions;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each lab router behaves as its {@link NatKind} is named (RFC 4787): the external endpoint that
 * two public hosts see for one host port (mapping), and which unsolicited datagrams reach the host
 * through a mapping (filtering); the same through a carrier NAT; loss and conntrack timeouts.
 */
@Tag("lab")
class NatBehaviourLabTest {
  private static final String P1 = "203.0.113.101";
  private static final String P2 = "203.0.113.102";

  @BeforeAll
  static void needsRoot() {
    String reason = KernelLab.unavailableReason();
    Assumptions.assumeTrue(reason == null, reason);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(NatKind.class)
  void eachKindMapsAndFiltersAsNamed(NatKind kind) throws Exception {
    try (KernelLab lab = KernelLab.create()) {
      LabHost host = lab.addHostBehindNat(kind);
      assertThat(host.expectedMapping()).isEqualTo(kind.mapping());
      assertThat(host.expectedFiltering()).isEqualTo(kind.filtering());
      checkBehaviour(lab, host);
    }
  }

  @ParameterizedTest(name = "{0} behind a carrier {1}")
  @CsvSource({
    "FULL_CONE, FULL_CONE, ENDPOINT_INDEPENDENT, ENDPOINT_INDEPENDENT",
    "PORT_RESTRICTED_CONE, FULL_CONE, ENDPOINT_INDEPENDENT, ADDRESS_AND_PORT_DEPENDENT",
    "FULL_CONE, RESTRICTED_CONE, ENDPOINT_INDEPENDENT, ADDRESS_DEPENDENT",
    "FULL_CONE, SYMMETRIC_SEQUENTIAL, ADDRESS_AND_PORT_DEPENDENT, ADDRESS_AND_PORT_DEPENDENT"
  })
  void aCarrierNatInFrontOfAHomeNat(
      NatKind home, NatKind carrier, Mapping mapping, Filtering filtering) throws Exception {
    try (KernelLab lab = KernelLab.create()) {
      LabHost host = lab.addHostBehindCarrierNat(home, carrier);
      assertThat(host.expectedMapping()).isEqualTo(mapping);
      assertThat(host.expectedFiltering()).isEqualTo(filtering);
      assertThat(host.carrierRouter()).isNotNull();
      // The home router's WAN is in the carrier's shared address space (RFC 6598).
      assertThat(
              lab.execIn(host.router(), 5, "ip", "-4", "-o", "addr", "show", "dev", "wan0")
                  .output())
          .contains("100.64.");
      checkBehaviour(lab, host);
    }
  }

  /**
   * Mapping: one host port towards P1:5000, P2:5000 and P2:5001, as three reflectors see it.
   * Filtering: through a fresh mapping towards P1:5000, datagrams from P1:5000 itself, from P1's
   * other port and from P2.
   */
  private static void checkBehaviour(KernelLab lab, LabHost host) throws Exception {
    LabHost p1 = lab.addPublicHost();
    LabHost p2 = lab.addPublicHost();
    assertThat(p1.publicAddress()).isEqualTo(P1);
    assertThat(p2.publicAddress()).isEqualTo(P2);
    lab.startUdpReflector(p1, 5000);
    lab.startUdpReflector(p2, 5000);
    lab.startUdpReflector(p2, 5001);

    String x1 = lab.reflexiveAddress(host, 7777, P1, 5000);
    String x2 = lab.reflexiveAddress(host, 7777, P2, 5000);
    String x3 = lab.reflexiveAddress(host, 7777, P2, 5001);
    assertThat(List.of(x1, x2, x3)).allMatch(x -> x.startsWith(host.publicAddress() + ":"));
    Mapping mapping = host.expectedMapping();
    if (mapping == Mapping.ENDPOINT_INDEPENDENT) {
      // Linux keeps the host's port when it is free.
      assertThat(List.of(x1, x2, x3)).containsOnly(host.publicAddress() + ":7777");
    } else {
      assertThat(mapping).isEqualTo(Mapping.ADDRESS_AND_PORT_DEPENDENT);
      assertThat(Set.of(x1, x2, x3)).hasSize(3);
    }
    if (host.nat() == NatKind.SYMMETRIC_SEQUENTIAL
        || host.carrierNat() == NatKind.SYMMETRIC_SEQUENTIAL) {
      // Port prediction: each new destination gets the next port.
      int first = port(x1);
      assertThat(first)
          .isBetween(
              NatKind.SEQUENTIAL_FIRST_PORT,
              NatKind.SEQUENTIAL_FIRST_PORT + NatKind.SEQUENTIAL_PORTS - 3);
      assertThat(List.of(port(x2), port(x3))).containsExactly(first + 1, first + 2);
    }

    String x = lab.reflexiveAddress(host, 7778, P1, 5000);
    String xIp = x.substring(0, x.indexOf(':'));
    int xPort = port(x);
    Set<String> arrived = new HashSet<>();
    try (LabListener in = lab.listenUdp(host, 7778)) {
      lab.sendUdp(p2, 5000, xIp, xPort, "other-address");
      lab.sendUdp(p1, 5001, xIp, xPort, "other-port");
      lab.sendUdp(p1, 5000, xIp, xPort, "same-endpoint");
      assertThat(in.await("same-endpoint", Duration.ofSeconds(3))).as("%s", in).isTrue();
      Thread.sleep(300);
      arrived.addAll(in.lines());
    }
    Set<String> expected =
        switch (host.expectedFiltering()) {
          case ENDPOINT_INDEPENDENT -> Set.of("same-endpoint", "other-port", "other-address");
          case ADDRESS_DEPENDENT -> Set.of("same-endpoint", "other-port");
          case ADDRESS_AND_PORT_DEPENDENT -> Set.of("same-endpoint");
        };
    assertThat(arrived).isEqualTo(expected);
  }

  /**
   * LAB.md's conntrack clash: a peer's punch that reaches the router before the host has sent
   * anything must not leave an entry there, or the host's own flow to that peer is translated to
   * another port (without the router's input rule it becomes an ephemeral port, measured).
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(
      value = NatKind.class,
      names = {"FULL_CONE", "RESTRICTED_CONE", "PORT_RESTRICTED_CONE"})
  void anEarlyPunchDoesNotMoveTheHostsPort(NatKind kind) throws Exception {
    try (KernelLab lab = KernelLab.create()) {
      LabHost host = lab.addHostBehindNat(kind);
      LabHost p1 = lab.addPublicHost();
      lab.startUdpReflector(p1, 5000);
      lab.sendUdp(p1, 5000, host.publicAddress(), 7780, "early punch");
      Thread.sleep(200);
      assertThat(lab.reflexiveAddress(host, 7780, P1, 5000))
          .isEqualTo(host.publicAddress() + ":7780");
    }
  }

  @Test
  void lossDropsPacketsOnTheWan() throws Exception {
    try (KernelLab lab = KernelLab.create()) {
      LabHost lossy = lab.addHostBehindNat(RouterOptions.of(NatKind.FULL_CONE).withLoss(300));
      LabHost dead = lab.addHostBehindNat(RouterOptions.of(NatKind.FULL_CONE).withLoss(1000));
      LabHost clean = lab.addHostBehindNat(NatKind.FULL_CONE);
      LabHost p = lab.addPublicHost();
      // The impairment drops ARP too: until one echo came back, the neighbours may not be
      // resolved, and the burst below would wait in their queues while ping gives up (a CI run
      // saw 2 of 100 come back).
      assertThat(warmUp(lab, p, lossy.publicAddress()))
          .as("one echo through 30 percent loss")
          .isTrue();
      // 30 % each way: about half of the echo requests come back (49 of 100, sd 5).
      assertThat(pings(lab, p, lossy.publicAddress(), 100)).isBetween(15, 85);
      assertThat(pings(lab, p, dead.publicAddress(), 10)).isZero();
      assertThat(pings(lab, p, clean.publicAddress(), 10)).isEqualTo(10);
    }
  }

  /** Pings {@code to} once at a time until an echo comes back, at most 20 times. */
  private static boolean warmUp(KernelLab lab, LabHost from, String to) throws Exception {
    for (int i = 0; i < 20; i++) {
      if (lab.execIn(from.namespace(), 5, "ping", "-q", "-n", "-c", "1", "-W", "1", to).status()
          == 0) {
        return true;
      }
    }
    return false;
  }

  private static int pings(KernelLab lab, LabHost from, String to, int count) throws Exception {
    String out =
        lab.execIn(
                from.namespace(),
                30,
                "ping",
                "-q",
                "-n",
                "-c",
                Integer.toString(count),
                "-i",
                "0.005",
                "-W",
                "1",
                to)
            .output();
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("(\\d+) (?:packets )?received").matcher(out);
    assertThat(m.find()).as(out).isTrue();
    return Integer.parseInt(m.group(1));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(
      value = NatKind.class,
      names = {"PORT_RESTRICTED_CONE", "FULL_CONE"})
  void shortConntrackTimeoutsLetMappingsExpire(NatKind kind) throws Exception {
    try (KernelLab lab = KernelLab.create()) {
      LabHost host =
          lab.addHostBehindNat(RouterOptions.of(kind).withUdpTimeout(2).withTcpTimeout(7));
      assertThat(
              lab.execIn(
                      host.router(),
                      5,
                      "sysctl",
                      "-n",
                      "net.netfilter.nf_conntrack_udp_timeout",
                      "net.netfilter.nf_conntrack_udp_timeout_stream",
                      "net.netfilter.nf_conntrack_tcp_timeout_established")
                  .output()
                  .split("\\s+", -1))
          .containsExactly("2", "2", "7", "");
      LabHost p1 = lab.addPublicHost();
      lab.startUdpReflector(p1, 5000);
      String x = lab.reflexiveAddress(host, 7779, P1, 5000);
      assertThat(x).isEqualTo(host.publicAddress() + ":7779");
      try (LabListener in = lab.listenUdp(host, 7779)) {
        lab.sendUdp(p1, 5000, host.publicAddress(), 7779, "early");
        assertThat(in.await("early", Duration.ofSeconds(2))).isTrue();
        Thread.sleep(3500);
        lab.sendUdp(p1, 5000, host.publicAddress(), 7779, "late");
        assertThat(in.await("late", Duration.ofSeconds(1))).as("%s", in).isFalse();
      }
    }
  }

  private static int port(String endpoint) {
    return Integer.parseInt(endpoint.substring(endpoint.lastIndexOf(':') + 1));
  }
}
