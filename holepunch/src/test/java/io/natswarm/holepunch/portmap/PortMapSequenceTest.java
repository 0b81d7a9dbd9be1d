package io.natswarm.holepunch.portmap;

import static org.assertj.core.api.Assertions.assertThat;

import io.natswarm.netsim.Binding;
import io.natswarm.netsim.Host;
import io.natswarm.netsim.LinkConfig;
import io.natswarm.netsim.Network;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** PCP first, then NAT-PMP, against gateway doubles in netsim with a 2 ms LAN and 20 % loss. */
class PortMapSequenceTest {
  private static final long SECOND = 1_000_000_000L;
  private static final int PCP_REQUESTS = 6;

  private final Network net = Network.withSeed(9);
  private final Host gw = net.addHost("gw", net.internet(), "10.0.0.1");
  private final Host h = net.addHost("h", net.internet(), "10.0.0.2");
  private final PortMapSequence sequence =
      new PortMapSequence(
          PcpGateway.address("10.0.0.1"),
          PcpGateway.address("10.0.0.2"),
          6881,
          new PortMapSequence.Settings(
              new PcpClient.Settings(3 * SECOND, 1024 * SECOND, PCP_REQUESTS, 0, 7200),
              NatPmpClient.Settings.defaults()),
          new SplittableRandom(21));
  private final Binding binding;

  PortMapSequenceTest() {
    h.link(LinkConfig.builder().delayMillis(2).loss(0.2).build());
    binding = h.bind(6881, sequence);
  }

  private void start() {
    sequence.start(net.nowNanos());
    net.wake(binding);
  }

  private void settle() {
    assertThat(net.runUntil(() -> sequence.idle(), Duration.ofMinutes(30))).isTrue();
  }

  private void release() {
    sequence.release(net.nowNanos());
    net.wake(binding);
    settle();
  }

  @Test
  void aPcpGatewayMapsUdpAndTcpOverPcp() {
    PcpGateway pcp = new PcpGateway(net);
    gw.bind(PcpClient.SERVER_PORT, pcp);
    start();
    settle();
    PortMapSequence.Status s = sequence.status();
    assertThat(s.stage()).isEqualTo(PortMapSequence.Stage.USING_PCP);
    assertThat(s.protocol()).isEqualTo("PCP");
    assertThat(s.mappings()).hasSize(2).allMatch(m -> m.via().equals("PCP"));
    assertThat(sequence.mapping(Protocol.TCP).external())
        .isEqualTo(new InetSocketAddress("203.0.113.10", 6881));
    assertThat(s.tryUpnp()).isFalse();
    assertThat(s.reasons()).isEmpty();
    assertThat(s.summary())
        .isEqualTo(
            "PCP at 10.0.0.1:5351: 6881/udp -> 203.0.113.10:6881, 6881/tcp -> 203.0.113.10:6881");
    assertThat(sequence.natPmp().counters().requestsSent()).isZero();

    release();
    release();
    assertThat(sequence.stage()).isEqualTo(PortMapSequence.Stage.RELEASED);
    assertThat(pcp.mappings).isEmpty();
    assertThat(sequence.mappings()).isEmpty();
    int asked = pcp.requests.size();
    release();
    net.runFor(Duration.ofSeconds(60));
    assertThat(pcp.requests).as("a third release sends nothing").hasSize(asked);
  }

  @Test
  void aNatPmpGatewaysVersionZeroAnswerTurnsToNatPmpAtOnce() {
    NatPmpGateway natPmp = new NatPmpGateway(net);
    gw.bind(NatPmpClient.SERVER_PORT, natPmp);
    start();
    settle();
    PortMapSequence.Status s = sequence.status();
    assertThat(s.stage()).isEqualTo(PortMapSequence.Stage.USING_NAT_PMP);
    assertThat(s.protocol()).isEqualTo("NAT-PMP");
    assertThat(s.mappings()).hasSize(2).allMatch(m -> m.via().equals("NAT-PMP"));
    assertThat(s.reasons()).singleElement().asString().startsWith("PCP: ").contains("use NAT-PMP");
    assertThat(s.tryUpnp()).isFalse();
    assertThat(sequence.pcp().server()).isEqualTo(PcpClient.Server.NAT_PMP_ONLY);
    assertThat(sequence.pcp().counters().requestsSent())
        .as("no waiting for PCP to give up")
        .isLessThan(PCP_REQUESTS);
    assertThat(natPmp.mappings).containsOnlyKeys("udp:6881", "tcp:6881");

    net.runFor(Duration.ofHours(3));
    settle();
    assertThat(sequence.natPmp().counters().renewals()).isPositive();
    assertThat(sequence.mappings()).hasSize(2);
    release();
    assertThat(natPmp.mappings).isEmpty();
  }

  @Test
  void aGatewaySilentToPcpIsAskedWithNatPmpAfterPcpGivesUp() {
    NatPmpGateway natPmp = new NatPmpGateway(net);
    natPmp.ignoreOtherVersions = true;
    gw.bind(NatPmpClient.SERVER_PORT, natPmp);
    start();
    settle();
    PortMapSequence.Status s = sequence.status();
    assertThat(s.stage()).isEqualTo(PortMapSequence.Stage.USING_NAT_PMP);
    assertThat(s.mappings()).hasSize(2);
    assertThat(sequence.pcp().server()).isEqualTo(PcpClient.Server.SILENT);
    assertThat(sequence.pcp().counters().requestsSent()).isEqualTo(2L * PCP_REQUESTS);
    assertThat(s.reasons()).singleElement().asString().contains("no answer from the gateway's PCP");
    assertThat(s.summary()).startsWith("NAT-PMP at 10.0.0.1:5351: 6881/udp -> 203.0.113.10:6881");
  }

  @Test
  void aSilentGatewayLeavesItToUpnp() {
    NatPmpGateway silent = new NatPmpGateway(net);
    silent.silent = true;
    gw.bind(NatPmpClient.SERVER_PORT, silent);
    start();
    settle();
    PortMapSequence.Status s = sequence.status();
    assertThat(s.stage()).isEqualTo(PortMapSequence.Stage.NO_ANSWER);
    assertThat(s.protocol()).isNull();
    assertThat(s.mappings()).isEmpty();
    assertThat(s.tryUpnp()).isTrue();
    assertThat(s.reasons()).hasSize(2);
    assertThat(s.summary())
        .startsWith("neither PCP nor NAT-PMP answered at 10.0.0.1:5351")
        .endsWith(": try UPnP-IGD");
    assertThat(sequence.natPmp().counters().requestsSent()).isEqualTo(9);
  }

  @Test
  void anIpv6GatewayIsAskedWithPcpOnly() {
    Host gw6 = net.addHost("gw6", net.internet(), "2001:db8::1");
    Host h6 = net.addHost("h6", net.internet(), "2001:db8::2");
    PcpGateway silent = new PcpGateway(net);
    silent.silent = true;
    gw6.bind(PcpClient.SERVER_PORT, silent);
    PortMapSequence v6 =
        new PortMapSequence(
            PcpGateway.address("2001:db8::1"),
            PcpGateway.address("2001:db8::2"),
            6881,
            PortMapSequence.Settings.defaults(),
            new SplittableRandom(2));
    assertThat(v6.natPmp()).isNull();
    v6.start(net.nowNanos());
    net.wake(h6.bind(6881, v6));
    assertThat(net.runUntil(v6::idle, Duration.ofMinutes(30))).isTrue();
    PortMapSequence.Status s = v6.status();
    assertThat(s.stage()).isEqualTo(PortMapSequence.Stage.NO_ANSWER);
    assertThat(s.tryUpnp()).isTrue();
    assertThat(s.reasons()).last().asString().contains("NAT-PMP: not tried");
    assertThat(silent.requests).hasSize(8).allMatch(r -> r.version() == 2);
  }

  @Test
  void aPcpRefusalIsExplainedAndLeftToUpnpWithoutAskingNatPmp() {
    PcpGateway pcp = new PcpGateway(net);
    pcp.result = PcpResult.NOT_AUTHORIZED.code();
    gw.bind(PcpClient.SERVER_PORT, pcp);
    start();
    settle();
    PortMapSequence.Status s = sequence.status();
    assertThat(s.stage()).isEqualTo(PortMapSequence.Stage.USING_PCP);
    assertThat(s.mappings()).isEmpty();
    assertThat(s.tryUpnp()).isTrue();
    assertThat(s.reasons())
        .hasSize(2)
        .allMatch(r -> r.contains(PcpResult.NOT_AUTHORIZED.message()));
    assertThat(s.summary()).contains("6881/udp not mapped").endsWith(": try UPnP-IGD");
    assertThat(sequence.natPmp().counters().requestsSent()).isZero();
  }
}
