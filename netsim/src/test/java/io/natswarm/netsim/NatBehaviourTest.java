package io.natswarm.netsim;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** RFC 4787 mapping, port allocation, filtering, refresh, hairpinning, nesting and firewalls. */
class NatBehaviourTest {

  /** Servers s1:3478, s1:3479 and s2:3478 on the internet; host h (10.0.0.2:5000) behind r. */
  private static final class Lab {
    final Network net = Network.withSeed(17);
    final NatBox r;
    final Host h;
    final Recorder hr = new Recorder();
    final Binding hb;
    final Recorder s1a = new Recorder();
    final Recorder s1b = new Recorder();
    final Recorder s2a = new Recorder();
    final Binding s1aB;
    final Binding s1bB;
    final Binding s2aB;

    Lab(NatConfig config) {
      Host s1 = net.addHost("s1", net.internet(), "203.0.113.1");
      Host s2 = net.addHost("s2", net.internet(), "203.0.113.2");
      r = net.addNat("r", net.internet(), "203.0.113.10", config);
      h = net.addHost("h", r.inside(), "10.0.0.2");
      r.link(LinkConfig.builder().delayMillis(5).build());
      hb = h.bind(5000, hr);
      s1aB = s1.bind(3478, s1a);
      s1bB = s1.bind(3479, s1b);
      s2aB = s2.bind(3478, s2a);
    }

    /** h sends to each target in turn; returns the source address each target saw. */
    InetSocketAddress[] hSendsTo(Binding... targets) {
      InetSocketAddress[] seen = new InetSocketAddress[targets.length];
      for (int i = 0; i < targets.length; i++) {
        Recorder rec = (Recorder) targets[i].endpoint();
        int before = rec.received.size();
        hr.queue(targets[i].localAddress(), "from h");
        net.wake(hb);
        net.runFor(Duration.ofMillis(50));
        assertThat(rec.received).hasSize(before + 1);
        seen[i] = rec.received.get(before).from();
      }
      return seen;
    }

    /** {@code from} sends to {@code to}; returns whether h received it. */
    boolean sendToH(Binding from, InetSocketAddress to) {
      int before = hr.received.size();
      ((Recorder) from.endpoint()).queue(to, "to h");
      net.wake(from);
      net.runFor(Duration.ofMillis(50));
      return hr.received.size() > before;
    }
  }

  private static NatConfig nat(NatConfig.Mapping m, NatConfig.Filtering f) {
    return NatConfig.builder().mapping(m).filtering(f).build();
  }

  @Test
  void endpointIndependentMappingReusesOneExternalPortForEveryDestination() {
    Lab lab =
        new Lab(
            nat(NatConfig.Mapping.ENDPOINT_INDEPENDENT, NatConfig.Filtering.ENDPOINT_INDEPENDENT));
    InetSocketAddress[] seen = lab.hSendsTo(lab.s1aB, lab.s1bB, lab.s2aB);
    assertThat(seen[0]).isEqualTo(new InetSocketAddress("203.0.113.10", 5000)); // port preserved
    assertThat(seen[1]).isEqualTo(seen[0]);
    assertThat(seen[2]).isEqualTo(seen[0]);
    assertThat(lab.net.stats().natMappingsCreated()).isEqualTo(1);
  }

  @Test
  void addressDependentMappingNeedsANewPortPerDestinationAddress() {
    Lab lab =
        new Lab(nat(NatConfig.Mapping.ADDRESS_DEPENDENT, NatConfig.Filtering.ENDPOINT_INDEPENDENT));
    InetSocketAddress[] seen = lab.hSendsTo(lab.s1aB, lab.s1bB, lab.s2aB);
    assertThat(seen[1]).isEqualTo(seen[0]);
    assertThat(seen[2].getPort()).isNotEqualTo(seen[0].getPort());
    assertThat(lab.net.stats().natMappingsCreated()).isEqualTo(2);
  }

  @Test
  void addressAndPortDependentMappingNeedsANewPortPerDestinationEndpoint() {
    Lab lab =
        new Lab(
            nat(
                NatConfig.Mapping.ADDRESS_AND_PORT_DEPENDENT,
                NatConfig.Filtering.ENDPOINT_INDEPENDENT));
    InetSocketAddress[] seen = lab.hSendsTo(lab.s1aB, lab.s1bB, lab.s2aB);
    assertThat(seen).extracting(InetSocketAddress::getPort).doesNotHaveDuplicates();
    assertThat(lab.net.stats().natMappingsCreated()).isEqualTo(3);
    assertThat(lab.r.activeMappings()).isEqualTo(3);
    assertThat(lab.r.externalAddress(lab.hb.localAddress(), lab.s2aB.localAddress()))
        .isEqualTo(seen[2]);
  }

  @Test
  void sequentialAllocationHandsOutConsecutivePorts() {
    Lab lab = new Lab(NatConfig.symmetricSequential());
    InetSocketAddress[] seen = lab.hSendsTo(lab.s1aB, lab.s1bB, lab.s2aB);
    assertThat(seen[1].getPort()).isEqualTo(seen[0].getPort() + 1);
    assertThat(seen[2].getPort()).isEqualTo(seen[1].getPort() + 1);
  }

  @Test
  void randomAllocationIsNotPredictable() {
    Lab lab = new Lab(NatConfig.symmetric());
    InetSocketAddress[] seen = lab.hSendsTo(lab.s1aB, lab.s1bB, lab.s2aB);
    int d1 = seen[1].getPort() - seen[0].getPort();
    int d2 = seen[2].getPort() - seen[1].getPort();
    assertThat(Math.abs(d1) > 1 || Math.abs(d2) > 1).isTrue();
    assertThat(seen[0].getPort()).isNotEqualTo(5000);
  }

  @Test
  void endpointIndependentFilteringAdmitsAnyoneOnceMapped() {
    Lab lab = new Lab(NatConfig.fullCone());
    InetSocketAddress ext = lab.hSendsTo(lab.s1aB)[0];
    assertThat(lab.sendToH(lab.s1aB, ext)).isTrue();
    assertThat(lab.sendToH(lab.s1bB, ext)).isTrue();
    assertThat(lab.sendToH(lab.s2aB, ext)).isTrue();
    assertThat(lab.hr.received.get(2).from()).isEqualTo(lab.s2aB.localAddress());
  }

  @Test
  void addressDependentFilteringAdmitsOnlyAddressesContacted() {
    Lab lab = new Lab(NatConfig.restrictedCone());
    InetSocketAddress ext = lab.hSendsTo(lab.s1aB)[0];
    assertThat(lab.sendToH(lab.s1aB, ext)).isTrue();
    assertThat(lab.sendToH(lab.s1bB, ext)).isTrue();
    assertThat(lab.sendToH(lab.s2aB, ext)).isFalse();
    assertThat(lab.net.stats().dropped(DropReason.FILTER)).isEqualTo(1);
  }

  @Test
  void addressAndPortDependentFilteringAdmitsOnlyEndpointsContacted() {
    Lab lab = new Lab(NatConfig.portRestrictedCone());
    InetSocketAddress ext = lab.hSendsTo(lab.s1aB)[0];
    assertThat(lab.sendToH(lab.s1aB, ext)).isTrue();
    assertThat(lab.sendToH(lab.s1bB, ext)).isFalse();
    assertThat(lab.sendToH(lab.s2aB, ext)).isFalse();
    assertThat(lab.net.stats().dropped(DropReason.FILTER)).isEqualTo(2);
  }

  @Test
  void unsolicitedInboundWithoutAMappingIsDropped() {
    Lab lab = new Lab(NatConfig.fullCone());
    assertThat(lab.sendToH(lab.s1aB, new InetSocketAddress("203.0.113.10", 5000))).isFalse();
    assertThat(lab.net.stats().dropped(DropReason.NO_MAPPING)).isEqualTo(1);
    assertThat(lab.r.activeMappings()).isZero();
  }

  @Test
  void mappingExpiresAfterTheTimeoutWithoutOutboundTraffic() {
    Lab lab = new Lab(NatConfig.fullCone().toBuilder().timeout(Duration.ofSeconds(30)).build());
    InetSocketAddress ext = lab.hSendsTo(lab.s1aB)[0];
    lab.net.runFor(Duration.ofSeconds(20));
    assertThat(lab.sendToH(lab.s1aB, ext)).isTrue(); // inbound does not refresh...
    lab.net.runFor(Duration.ofSeconds(10));
    assertThat(lab.sendToH(lab.s1aB, ext)).isFalse(); // ...so it expired at 30 s
    assertThat(lab.net.stats().dropped(DropReason.NO_MAPPING)).isEqualTo(1);
    assertThat(lab.net.stats().natMappingsExpired()).isEqualTo(1);
  }

  @Test
  void outboundTrafficRefreshesTheMapping() {
    Lab lab = new Lab(NatConfig.fullCone().toBuilder().timeout(Duration.ofSeconds(30)).build());
    InetSocketAddress ext = lab.hSendsTo(lab.s1aB)[0];
    lab.net.runFor(Duration.ofSeconds(20));
    assertThat(lab.hSendsTo(lab.s2aB)[0]).isEqualTo(ext);
    lab.net.runFor(Duration.ofSeconds(25));
    assertThat(lab.sendToH(lab.s1aB, ext)).isTrue();
    assertThat(lab.net.stats().natMappingsExpired()).isZero();
  }

  @Test
  void inboundRefreshIsAnOption() {
    Lab lab =
        new Lab(
            NatConfig.fullCone().toBuilder()
                .timeout(Duration.ofSeconds(30))
                .inboundRefresh(true)
                .build());
    InetSocketAddress ext = lab.hSendsTo(lab.s1aB)[0];
    for (int i = 0; i < 4; i++) {
      lab.net.runFor(Duration.ofSeconds(20));
      assertThat(lab.sendToH(lab.s1aB, ext)).isTrue();
    }
  }

  @Test
  void permissionsExpireWithTheirMappingAndDoNotLeakIntoTheNextOne() {
    Lab lab =
        new Lab(NatConfig.portRestrictedCone().toBuilder().timeout(Duration.ofSeconds(30)).build());
    InetSocketAddress ext = lab.hSendsTo(lab.s1aB)[0];
    lab.net.runFor(Duration.ofSeconds(40));
    assertThat(lab.hSendsTo(lab.s2aB)[0]).isEqualTo(ext); // a new mapping, same preserved port
    assertThat(lab.sendToH(lab.s1aB, ext)).isFalse(); // s1's permission died with the old one
    assertThat(lab.sendToH(lab.s2aB, ext)).isTrue();
  }

  @Test
  void hairpinningLetsInsideHostsMeetAtTheExternalAddress() {
    Lab lab = new Lab(NatConfig.fullCone().toBuilder().hairpin(true).build());
    Host h2 = lab.net.addHost("h2", lab.r.inside(), "10.0.0.3");
    Recorder r2 = new Recorder();
    Binding b2 = h2.bind(6000, r2);
    r2.queue(lab.s1aB.localAddress(), "map me");
    lab.net.wake(b2);
    lab.net.runFor(Duration.ofMillis(50));
    InetSocketAddress h2ext = lab.s1a.received.get(0).from();
    lab.hr.queue(h2ext, "hairpin");
    lab.net.wake(lab.hb);
    lab.net.runFor(Duration.ofMillis(50));
    assertThat(r2.received).hasSize(1);
    assertThat(r2.received.get(0).from()).isEqualTo(new InetSocketAddress("203.0.113.10", 5000));
  }

  @Test
  void withoutHairpinningTheExternalAddressIsUnreachableFromInside() {
    Lab lab = new Lab(NatConfig.fullCone());
    InetSocketAddress ext = lab.hSendsTo(lab.s1aB)[0];
    lab.hr.queue(ext, "to myself via the outside");
    lab.net.wake(lab.hb);
    lab.net.runFor(Duration.ofMillis(50));
    assertThat(lab.hr.received).isEmpty();
    assertThat(lab.net.stats().dropped(DropReason.HAIRPIN)).isEqualTo(1);
  }

  @Test
  void homeNatBehindCarrierNatTranslatesTwiceAndRepliesFindTheWayBack() {
    Network net = Network.withSeed(3);
    Host s = net.addHost("s", net.internet(), "203.0.113.1");
    NatBox cgn = net.addNat("cgn", net.internet(), "203.0.113.100", NatConfig.portRestrictedCone());
    NatBox home = net.addNat("home", cgn.inside(), "100.64.0.2", NatConfig.symmetric());
    Host h = net.addHost("h", home.inside(), "192.168.1.2");
    Recorder sr = new Recorder();
    Recorder hr = new Recorder();
    Binding sb = s.bind(3478, sr);
    Binding hb = h.bind(5000, hr);
    hr.queue(sb.localAddress(), "ping");
    net.wake(hb);
    net.runFor(Duration.ofMillis(10));
    assertThat(sr.received).hasSize(1);
    InetSocketAddress seen = sr.received.get(0).from();
    assertThat(seen.getAddress().getHostAddress()).isEqualTo("203.0.113.100");
    sr.queue(seen, "pong");
    net.wake(sb);
    net.runFor(Duration.ofMillis(10));
    assertThat(hr.received).hasSize(1);
    assertThat(hr.received.get(0).from()).isEqualTo(sb.localAddress());
    assertThat(net.stats().natMappingsCreated()).isEqualTo(2);
    InetSocketAddress homeExt = home.externalAddress(hb.localAddress(), sb.localAddress());
    assertThat(homeExt.getAddress().getHostAddress()).isEqualTo("100.64.0.2");
    assertThat(cgn.externalAddress(homeExt, sb.localAddress())).isEqualTo(seen);
  }

  @Test
  void firewallKeepsAddressesButDropsUnsolicitedInbound() {
    Network net = Network.withSeed(3);
    Host s = net.addHost("s", net.internet(), "2001:db8::1");
    NatBox fw = net.addNat("fw", net.internet(), "2001:db8:1::1", NatConfig.firewall());
    Host h = net.addHost("h", fw.inside(), "2001:db8:1::2");
    Recorder sr = new Recorder();
    Recorder hr = new Recorder();
    Binding sb = s.bind(3478, sr);
    Binding hb = h.bind(5000, hr);
    sr.queue(hb.localAddress(), "unsolicited");
    net.wake(sb);
    net.runFor(Duration.ofMillis(10));
    assertThat(hr.received).isEmpty();
    assertThat(net.stats().dropped(DropReason.FILTER)).isEqualTo(1);

    hr.queue(sb.localAddress(), "out");
    net.wake(hb);
    net.runFor(Duration.ofMillis(10));
    assertThat(sr.received.get(0).from()).isEqualTo(hb.localAddress()); // not translated
    sr.queue(hb.localAddress(), "reply");
    net.wake(sb);
    net.runFor(Duration.ofMillis(10));
    assertThat(hr.received).hasSize(1);
  }
}
