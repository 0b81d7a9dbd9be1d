package io.natswarm.holepunch.reach;

import static org.assertj.core.api.Assertions.assertThat;

import io.natswarm.holepunch.portmap.PortMapping;
import io.natswarm.holepunch.portmap.Protocol;
import io.natswarm.holepunch.stun.FilteringBehavior;
import io.natswarm.holepunch.stun.MappingBehavior;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReachabilityAssessorTest {
  private static final int PORT = 6881;
  private static final InetAddress ANY6 = ip("::");
  private static final InetAddress LAN = ip("10.0.1.2");
  private static final InetAddress PUBLIC = ip("203.0.113.11");
  private static final InetAddress PUBLIC6 = ip("2001:db8:1::2");

  private static InetAddress ip(String s) {
    try {
      return InetAddress.getByName(s);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  /** A host on a LAN behind a NAT, as a lab host is, with nothing else known. */
  private static FamilyEvidence behindNat() {
    return new FamilyEvidence(
        AddressFamily.IPV4,
        true,
        ANY6,
        PORT,
        List.of(LAN),
        null,
        MappingBehavior.UNKNOWN,
        FilteringBehavior.UNKNOWN,
        List.of(),
        null,
        InboundEvidence.NONE,
        Map.of());
  }

  private static FamilyEvidence with(
      FamilyEvidence e,
      ExternalAddress external,
      MappingBehavior m,
      FilteringBehavior f,
      List<PortMapping> mappings,
      String problem,
      InboundEvidence in,
      Map<Transport, Boolean> dialBack) {
    return new FamilyEvidence(
        e.family(),
        e.served(),
        e.listenAddress(),
        e.port(),
        e.interfaceAddresses(),
        external,
        m,
        f,
        mappings,
        problem,
        in,
        dialBack);
  }

  private static PortMapping mapping(String external) {
    return new PortMapping(
        Protocol.UDP, PORT, new InetSocketAddress(ip(external), 40000), 0, 0, "NAT-PMP");
  }

  @Test
  void aFamilyTheNodeDoesNotListenOnIsNotServed() {
    FamilyEvidence e =
        new FamilyEvidence(
            AddressFamily.IPV6,
            false,
            ip("0.0.0.0"),
            PORT,
            List.of(),
            null,
            null,
            null,
            List.of(),
            null,
            null,
            Map.of());
    FamilyReachability r = ReachabilityAssessor.assess(e);
    assertThat(r.verdict()).isEqualTo(Verdict.NOT_SERVED);
    assertThat(r.advice()).anyMatch(a -> a.contains("listen.address"));
    assertThat(r.transports()).hasSize(2).allMatch(t -> t.verdict() == Verdict.NOT_SERVED);
  }

  @Test
  void loopbackIsReachableFromThisMachineOnly() {
    FamilyReachability r =
        ReachabilityAssessor.assess(FamilyEvidence.empty(AddressFamily.IPV4, ip("127.0.0.1"), 1));
    assertThat(r.verdict()).isEqualTo(Verdict.NOT_REACHABLE);
    assertThat(r.summary()).contains("127.0.0.1");
  }

  @Test
  void anInboundConnectionFromTheInternetProvesReachabilityBehindAnyNat() {
    FamilyEvidence e =
        with(
            behindNat(),
            new ExternalAddress(PUBLIC, 0, "3 peers"),
            MappingBehavior.ADDRESS_AND_PORT_DEPENDENT,
            FilteringBehavior.ADDRESS_AND_PORT_DEPENDENT,
            List.of(),
            null,
            new InboundEvidence(2, 1, 0),
            Map.of());
    FamilyReachability r = ReachabilityAssessor.assess(e);
    assertThat(r.verdict()).isEqualTo(Verdict.REACHABLE);
    assertThat(r.summary()).contains("2 TCP").contains("1 µTP");
    assertThat(r.advice()).isEmpty();
  }

  @Test
  void unsolicitedDhtQueriesProveTheUdpPortIsOpen() {
    FamilyEvidence e =
        with(
            behindNat(), null, null, null, List.of(), null, new InboundEvidence(0, 0, 5), Map.of());
    FamilyReachability r = ReachabilityAssessor.assess(e);
    assertThat(r.verdict()).isEqualTo(Verdict.REACHABLE);
    assertThat(r.summary()).contains("5 DHT queries");
    assertThat(r.transport(Transport.UTP).verdict())
        .as("the DHT shares µTP's UDP port")
        .isEqualTo(Verdict.REACHABLE);
    assertThat(r.transport(Transport.TCP).verdict())
        .as("TCP is not proven by UDP traffic, and nothing maps it through the NAT")
        .isEqualTo(Verdict.NOT_REACHABLE);
  }

  @Test
  void aFailedDialBackOnOneTransportIsAdvisedEvenWhenTheOtherWorked() {
    FamilyEvidence e =
        with(
            behindNat(),
            null,
            null,
            null,
            List.of(),
            null,
            null,
            Map.of(Transport.UTP, true, Transport.TCP, false));
    FamilyReachability r = ReachabilityAssessor.assess(e);
    assertThat(r.verdict()).isEqualTo(Verdict.REACHABLE);
    assertThat(r.advice()).singleElement().asString().contains("TCP").contains("6881/tcp");
    assertThat(r.transports())
        .extracting(TransportReachability::transport, TransportReachability::verdict)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(Transport.UTP, Verdict.REACHABLE),
            org.assertj.core.groups.Tuple.tuple(Transport.TCP, Verdict.NOT_REACHABLE));
  }

  @Test
  void aCarrierGradeNatCannotBeFixedOnTheHomeRouter() {
    FamilyEvidence e =
        with(behindNat(), null, null, null, List.of(mapping("100.64.0.12")), null, null, Map.of());
    FamilyReachability r = ReachabilityAssessor.assess(e);
    assertThat(r.verdict()).isEqualTo(Verdict.NOT_REACHABLE);
    assertThat(r.summary()).contains("carrier-grade").contains("100.64.0.12");
    assertThat(r.advice()).anyMatch(a -> a.contains("provider"));
  }

  @Test
  void aHeldMappingIsProbablyReachableUntilADialBackFails() {
    FamilyEvidence held =
        with(behindNat(), null, null, null, List.of(mapping("203.0.113.11")), null, null, Map.of());
    FamilyReachability r = ReachabilityAssessor.assess(held);
    assertThat(r.verdict()).isEqualTo(Verdict.PROBABLY_REACHABLE);
    assertThat(r.summary()).contains("NAT-PMP").contains("203.0.113.11:40000");
    assertThat(r.transport(Transport.UTP).verdict()).isEqualTo(Verdict.PROBABLY_REACHABLE);
    assertThat(r.transport(Transport.UTP).reason()).contains("mapped").contains("NAT-PMP");
    assertThat(r.transport(Transport.TCP).verdict())
        .as("only UDP is mapped: TCP stops at the NAT")
        .isEqualTo(Verdict.NOT_REACHABLE);
    assertThat(r.transport(Transport.TCP).reason()).contains("without a TCP mapping");

    FamilyEvidence failed =
        with(
            held,
            null,
            null,
            null,
            held.mappings(),
            null,
            null,
            Map.of(Transport.UTP, false, Transport.TCP, false));
    assertThat(ReachabilityAssessor.assess(failed).verdict()).isEqualTo(Verdict.NOT_REACHABLE);
  }

  @Test
  void aMappingOnAnAddressTheWorldDoesNotSeeUsAtMeansASecondNat() {
    FamilyEvidence e =
        with(
            behindNat(),
            new ExternalAddress(ip("203.0.113.30"), 6881, "STUN 203.0.113.2:3478"),
            MappingBehavior.ENDPOINT_INDEPENDENT,
            FilteringBehavior.ADDRESS_AND_PORT_DEPENDENT,
            List.of(mapping("198.51.100.7")),
            null,
            null,
            Map.of());
    FamilyReachability r = ReachabilityAssessor.assess(e);
    assertThat(r.verdict()).isEqualTo(Verdict.NOT_REACHABLE);
    assertThat(r.summary())
        .startsWith("behind a second NAT")
        .contains("198.51.100.7")
        .contains("203.0.113.30");
    assertThat(r.advice()).anyMatch(a -> a.contains("provider"));
  }

  @Test
  void aPublicAddressIsProbablyReachableUnlessAFirewallFilters() {
    FamilyEvidence open =
        new FamilyEvidence(
            AddressFamily.IPV4,
            true,
            ANY6,
            PORT,
            List.of(PUBLIC),
            new ExternalAddress(PUBLIC, PORT, "STUN"),
            MappingBehavior.NO_NAT,
            FilteringBehavior.ENDPOINT_INDEPENDENT,
            List.of(),
            null,
            null,
            Map.of());
    FamilyReachability o = ReachabilityAssessor.assess(open);
    assertThat(o.verdict()).isEqualTo(Verdict.PROBABLY_REACHABLE);
    assertThat(o.transports())
        .as("a public address needs no mapping for either transport")
        .allMatch(t -> t.verdict() == Verdict.PROBABLY_REACHABLE);

    FamilyEvidence filtered =
        with(
            open,
            open.external(),
            MappingBehavior.NO_NAT,
            FilteringBehavior.ADDRESS_AND_PORT_DEPENDENT,
            List.of(),
            null,
            null,
            Map.of());
    FamilyReachability r = ReachabilityAssessor.assess(filtered);
    assertThat(r.verdict()).isEqualTo(Verdict.NOT_REACHABLE);
    assertThat(r.advice()).anyMatch(a -> a.contains("6881/udp") && a.contains("firewall"));
  }

  @Test
  void behindAPortRestrictedNatWithoutAMappingSaysWhatToForwardWhere() {
    FamilyEvidence e =
        with(
            behindNat(),
            new ExternalAddress(PUBLIC, 6881, "STUN"),
            MappingBehavior.ENDPOINT_INDEPENDENT,
            FilteringBehavior.ADDRESS_AND_PORT_DEPENDENT,
            List.of(),
            "PCP: no answer; NAT-PMP: no answer; UPnP: no gateway answered",
            null,
            Map.of());
    FamilyReachability r = ReachabilityAssessor.assess(e);
    assertThat(r.verdict()).isEqualTo(Verdict.NOT_REACHABLE);
    assertThat(r.summary()).contains("203.0.113.11").contains("UPnP: no gateway answered");
    assertThat(r.advice().get(0)).contains("forward port 6881").contains("10.0.1.2");
    assertThat(r.advice()).noneMatch(a -> a.contains("symmetric"));
  }

  @Test
  void aSymmetricNatIsToldThatPunchingRarelyWorks() {
    FamilyEvidence e =
        with(
            behindNat(),
            new ExternalAddress(PUBLIC, 51234, "STUN"),
            MappingBehavior.ADDRESS_AND_PORT_DEPENDENT,
            FilteringBehavior.ADDRESS_AND_PORT_DEPENDENT,
            List.of(),
            null,
            null,
            Map.of());
    FamilyReachability r = ReachabilityAssessor.assess(e);
    assertThat(r.verdict()).isEqualTo(Verdict.NOT_REACHABLE);
    assertThat(r.advice()).anyMatch(a -> a.contains("symmetric") && a.contains("relay"));
  }

  @Test
  void aFullConeNatLetsPeersIn() {
    FamilyEvidence e =
        with(
            behindNat(),
            new ExternalAddress(PUBLIC, 6881, "STUN"),
            MappingBehavior.ENDPOINT_INDEPENDENT,
            FilteringBehavior.ENDPOINT_INDEPENDENT,
            List.of(),
            null,
            null,
            Map.of());
    FamilyReachability r = ReachabilityAssessor.assess(e);
    assertThat(r.verdict()).isEqualTo(Verdict.PROBABLY_REACHABLE);
    assertThat(r.transport(Transport.UTP).verdict()).isEqualTo(Verdict.PROBABLY_REACHABLE);
    assertThat(r.transport(Transport.TCP).verdict())
        .as("STUN's full cone says nothing about TCP, which nothing maps")
        .isEqualTo(Verdict.NOT_REACHABLE);
  }

  @Test
  void nothingKnownIsUnknownAndSaysHowToFindOut() {
    FamilyReachability r =
        ReachabilityAssessor.assess(FamilyEvidence.empty(AddressFamily.IPV4, ANY6, PORT));
    assertThat(r.verdict()).isEqualTo(Verdict.UNKNOWN);
    assertThat(r.advice()).anyMatch(a -> a.contains("nat.stun_server"));
  }

  @Test
  void onlyLanAddressesMeanANatEvenBeforeAnyoneSaidOurAddress() {
    FamilyReachability r = ReachabilityAssessor.assess(behindNat());
    assertThat(r.verdict()).isEqualTo(Verdict.NOT_REACHABLE);
    assertThat(r.summary()).startsWith("behind a NAT");
  }

  @Test
  void ipv6WithoutAGlobalAddressIsNotServedAndAGlobalOneIsProbablyReachable() {
    FamilyEvidence none = FamilyEvidence.empty(AddressFamily.IPV6, ANY6, PORT);
    assertThat(ReachabilityAssessor.assess(none).verdict()).isEqualTo(Verdict.NOT_SERVED);
    FamilyEvidence global =
        new FamilyEvidence(
            AddressFamily.IPV6,
            true,
            ANY6,
            PORT,
            List.of(PUBLIC6, ip("fe80::1")),
            null,
            null,
            null,
            List.of(),
            null,
            null,
            Map.of());
    FamilyReachability r = ReachabilityAssessor.assess(global);
    assertThat(r.verdict()).isEqualTo(Verdict.PROBABLY_REACHABLE);
    assertThat(r.advice()).anyMatch(a -> a.contains("filter incoming IPv6"));
  }
}
