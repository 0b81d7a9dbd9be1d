package io.natswarm.holepunch.portmap;

import static org.assertj.core.api.Assertions.assertThat;

import io.natswarm.datagram.Transmit;
import io.natswarm.netsim.Binding;
import io.natswarm.netsim.Host;
import io.natswarm.netsim.LinkConfig;
import io.natswarm.netsim.NatBox;
import io.natswarm.netsim.NatConfig;
import io.natswarm.netsim.Network;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The PCP client against a PCP server double in netsim, with a 2 ms LAN and 20 % loss. */
class PcpClientTest {
  private static final long SECOND = 1_000_000_000L;
  private static final int UDP = 17;
  private static final int TCP = 6;

  /** The RFC's timer, with 8 transmissions before giving up so that 20 % loss never ends one. */
  private static final PcpClient.Settings PATIENT =
      new PcpClient.Settings(3 * SECOND, 1024 * SECOND, 8, 0, 7200);

  private final Network net = Network.withSeed(5);
  private final Host gw = net.addHost("gw", net.internet(), "10.0.0.1");
  private final Host h = net.addHost("h", net.internet(), "10.0.0.2");
  private final PcpGateway gateway = new PcpGateway(net);
  private final Binding gatewayBinding;
  private PcpClient client;
  private Binding clientBinding;

  PcpClientTest() {
    h.link(LinkConfig.builder().delayMillis(2).loss(0.2).build());
    gatewayBinding = gw.bind(PcpClient.SERVER_PORT, gateway);
    useClient(PATIENT);
  }

  private void useClient(PcpClient.Settings settings) {
    if (clientBinding != null) {
      clientBinding.close();
    }
    client =
        new PcpClient(
            PcpGateway.address("10.0.0.1"),
            PcpGateway.address("10.0.0.2"),
            settings,
            new SplittableRandom(11));
    clientBinding = h.bind(6881, client);
  }

  private void mapBoth() {
    client.map(Protocol.UDP, 6881, net.nowNanos());
    client.map(Protocol.TCP, 6881, net.nowNanos());
    net.wake(clientBinding);
  }

  private void settle() {
    assertThat(net.runUntil(client::idle, Duration.ofMinutes(30))).isTrue();
  }

  private List<String> nonces(int protocol) {
    return gateway.requests(protocol).stream()
        .map(PcpGateway.Request::nonce)
        .distinct()
        .collect(Collectors.toList());
  }

  @Test
  void mapsUdpAndTcpAndRenewsBetweenHalfAndFiveEighthsOfTheLifetimeWithTheSameNonce() {
    mapBoth();
    settle();
    for (Protocol p : Protocol.values()) {
      assertThat(client.status(p)).isEqualTo(MappingStatus.HELD);
      PortMapping m = client.mapping(p);
      assertThat(m.external()).isEqualTo(new InetSocketAddress("203.0.113.10", 6881));
      assertThat(m.via()).isEqualTo("PCP");
      long granted = m.goodUntilNanos() - 3600 * SECOND; // the gateway's cap
      assertThat(m.renewAfterNanos() - granted).isBetween(1800 * SECOND, 2250 * SECOND);
    }
    assertThat(gateway.mappings).containsOnlyKeys("udp:6881", "tcp:6881");
    assertThat(gateway.requests(UDP)).allMatch(r -> r.version() == 2 && r.lifetime() == 7200);
    assertThat(gateway.requests(UDP).get(0).suggestedExternal().getHostAddress())
        .as("a first request asks for any IPv4 address: ::ffff:0.0.0.0")
        .isEqualTo("0.0.0.0");

    net.runFor(Duration.ofSeconds(2300));
    settle();
    assertThat(client.counters().renewals()).isEqualTo(2);
    PcpGateway.Request renewal = gateway.requests(UDP).get(gateway.requests(UDP).size() - 1);
    assertThat(renewal.atNanos() - gateway.requests(UDP).get(0).atNanos())
        .isBetween(1800 * SECOND, 2251 * SECOND);
    assertThat(renewal.suggestedPort()).isEqualTo(6881);
    assertThat(renewal.suggestedExternal()).isEqualTo(PcpGateway.EXTERNAL);
    assertThat(nonces(UDP)).as("one nonce for the UDP mapping, renewals included").hasSize(1);
    assertThat(nonces(TCP)).hasSize(1);
    assertThat(nonces(UDP)).doesNotContainAnyElementsOf(nonces(TCP));
    assertThat(client.status(Protocol.UDP)).isEqualTo(MappingStatus.HELD);
    assertThat(client.counters().epochResets()).isZero();
    assertThat(client.counters().unmatched()).isZero();
    assertThat(client.server()).isEqualTo(PcpClient.Server.SPEAKS_PCP);
  }

  @Test
  void releaseDeletesWithTheMappingsNonceAndIsIdempotent() {
    mapBoth();
    settle();
    String udpNonce = nonces(UDP).get(0);
    client.release(Protocol.UDP, net.nowNanos());
    client.release(Protocol.UDP, net.nowNanos());
    net.wake(clientBinding);
    settle();
    assertThat(client.status(Protocol.UDP)).isEqualTo(MappingStatus.RELEASED);
    assertThat(client.mapping(Protocol.UDP)).isNull();
    assertThat(gateway.mappings).containsOnlyKeys("tcp:6881");
    assertThat(gateway.requests(UDP).stream().filter(PcpGateway.Request::delete))
        .isNotEmpty()
        .allMatch(r -> r.nonce().equals(udpNonce));

    int before = gateway.requests.size();
    client.release(Protocol.UDP, net.nowNanos());
    net.wake(clientBinding);
    net.runFor(Duration.ofSeconds(60));
    assertThat(gateway.requests).hasSize(before);
    assertThat(client.status(Protocol.TCP)).isEqualTo(MappingStatus.HELD);
  }

  @Test
  void aGatewayThatLostItsStateIsAskedForEveryMappingAgain() {
    mapBoth();
    settle();
    net.runFor(Duration.ofSeconds(1000));
    gateway.restart();
    assertThat(gateway.mappings).isEmpty();
    net.runFor(Duration.ofSeconds(1300)); // the first renewal's answer carries the young epoch
    settle();
    assertThat(client.counters().epochResets()).isEqualTo(1);
    assertThat(gateway.mappings).containsOnlyKeys("udp:6881", "tcp:6881");
    assertThat(client.status(Protocol.UDP)).isEqualTo(MappingStatus.HELD);
    assertThat(client.status(Protocol.TCP)).isEqualTo(MappingStatus.HELD);
    assertThat(nonces(UDP)).hasSize(1);
  }

  @Test
  void anAnnounceFromARestartedGatewayRemapsAtOnce() {
    h.link(LinkConfig.builder().delayMillis(2).build());
    mapBoth();
    settle();
    net.runFor(Duration.ofSeconds(100));
    gateway.restart();
    gateway.announce(clientBinding.localAddress());
    net.wake(gatewayBinding);
    net.runFor(Duration.ofSeconds(1));
    assertThat(client.counters().epochResets()).isEqualTo(1);
    assertThat(gateway.mappings).containsOnlyKeys("udp:6881", "tcp:6881");
    assertThat(client.status(Protocol.TCP)).isEqualTo(MappingStatus.HELD);
  }

  @ParameterizedTest
  @EnumSource(
      value = PcpResult.class,
      mode = EnumSource.Mode.EXCLUDE,
      names = {"SUCCESS", "UNKNOWN"})
  void everyResultCodeIsExplainedAndShortLifetimeErrorsAreAskedAgain(PcpResult code) {
    gateway.result = code.code();
    gateway.errorLifetime = code.shortLifetime() ? 30 : 1800;
    client.map(Protocol.UDP, 6881, net.nowNanos());
    net.wake(clientBinding);
    settle();
    assertThat(client.error(Protocol.UDP)).isEqualTo(code);
    assertThat(client.status(Protocol.UDP))
        .isEqualTo(code.shortLifetime() ? MappingStatus.WAITING : MappingStatus.FAILED);
    assertThat(client.failure(Protocol.UDP)).startsWith(code.message());
    assertThat(client.mapping(Protocol.UDP)).isNull();
    int asked = gateway.requests.size();
    gateway.result = 0;
    net.runFor(Duration.ofSeconds(31));
    settle();
    if (code.shortLifetime()) {
      assertThat(client.failure(Protocol.UDP)).isNull();
      assertThat(client.status(Protocol.UDP)).isEqualTo(MappingStatus.HELD);
      assertThat(gateway.requests.size()).isGreaterThan(asked);
    } else {
      assertThat(client.status(Protocol.UDP)).isEqualTo(MappingStatus.FAILED);
      assertThat(gateway.requests).hasSize(asked);
    }
    assertThat(client.server())
        .isEqualTo(
            code == PcpResult.UNSUPP_VERSION
                ? PcpClient.Server.OTHER_VERSION
                : PcpClient.Server.SPEAKS_PCP);
  }

  @Test
  void anotherNatBetweenHostAndGatewayIsReported() {
    client =
        new PcpClient(
            PcpGateway.address("10.0.0.1"),
            PcpGateway.address("192.168.1.20"), // what the host thinks its address is
            PATIENT,
            new SplittableRandom(3));
    clientBinding.close();
    clientBinding = h.bind(6881, client);
    client.map(Protocol.TCP, 6881, net.nowNanos());
    net.wake(clientBinding);
    settle();
    assertThat(client.status(Protocol.TCP)).isEqualTo(MappingStatus.FAILED);
    assertThat(client.error(Protocol.TCP)).isEqualTo(PcpResult.ADDRESS_MISMATCH);
    assertThat(client.failure(Protocol.TCP)).contains("another NAT");
  }

  @Test
  void behindAnotherNatTheGatewaySeesAnotherAddressAndSaysSo() {
    NatBox home = net.addNat("home", net.internet(), "10.0.0.50", NatConfig.portRestrictedCone());
    Host lan = net.addHost("lan", home.inside(), "192.168.1.2");
    PcpClient behind =
        new PcpClient(
            PcpGateway.address("10.0.0.1"),
            PcpGateway.address("192.168.1.2"),
            PATIENT,
            new SplittableRandom(4));
    Binding b = lan.bind(6881, behind);
    behind.map(Protocol.UDP, 6881, net.nowNanos());
    net.wake(b);
    assertThat(net.runUntil(behind::idle, Duration.ofMinutes(30))).isTrue();
    assertThat(behind.status(Protocol.UDP)).isEqualTo(MappingStatus.FAILED);
    assertThat(behind.error(Protocol.UDP)).isEqualTo(PcpResult.ADDRESS_MISMATCH);
    assertThat(behind.failure(Protocol.UDP)).contains("another NAT");
    assertThat(gateway.mappings).isEmpty();
  }

  @Test
  void lostRequestsAndAnswersAreRetransmittedUntilEveryMappingIsHeld() {
    for (int round = 0; round < 10; round++) {
      mapBoth();
      settle();
      assertThat(client.status(Protocol.UDP)).isEqualTo(MappingStatus.HELD);
      assertThat(client.status(Protocol.TCP)).isEqualTo(MappingStatus.HELD);
      client.release(Protocol.UDP, net.nowNanos());
      client.release(Protocol.TCP, net.nowNanos());
      net.wake(clientBinding);
      settle();
      assertThat(gateway.mappings).isEmpty();
    }
    PcpClient.Counters c = client.counters();
    assertThat(c.retransmissions()).isPositive();
    assertThat(c.requestsSent()).isEqualTo(40 + c.retransmissions());
    assertThat(nonces(UDP)).as("the same nonce for every request of the UDP port").hasSize(1);
  }

  @Test
  void aSilentGatewayIsRetransmittedToAsSection811SaysThenGivenUp() {
    h.link(LinkConfig.builder().delayMillis(2).build());
    useClient(new PcpClient.Settings(3 * SECOND, 10 * SECOND, 6, 0, 7200));
    gateway.silent = true;
    client.map(Protocol.UDP, 6881, net.nowNanos());
    net.wake(clientBinding);
    settle();
    List<PcpGateway.Request> sent = gateway.requests(UDP);
    assertThat(sent).hasSize(6);
    double[] gaps = new double[5];
    for (int i = 0; i < 5; i++) {
      gaps[i] = (sent.get(i + 1).atNanos() - sent.get(i).atNanos()) / (double) SECOND;
    }
    assertThat(gaps[0]).as("IRT, randomised by 10 %%").isBetween(2.7, 3.3);
    assertThat(gaps[1]).as("twice the last, randomised").isBetween(1.9 * gaps[0], 2.1 * gaps[0]);
    for (int i = 2; i < 5; i++) {
      assertThat(gaps[i]).as("capped at MRT, randomised").isBetween(9.0, 11.0);
    }
    assertThat(client.status(Protocol.UDP)).isEqualTo(MappingStatus.FAILED);
    assertThat(client.server()).isEqualTo(PcpClient.Server.SILENT);
    assertThat(client.failure(Protocol.UDP)).contains("no answer").contains("after 6 requests");
    assertThat(client.counters().requestsSent()).isEqualTo(6);
  }

  @Test
  void anUnansweredRenewalIsSentAgainAtThreeQuartersSevenEighthsAndSoOnThenTheMappingIsAskedAnew() {
    h.link(LinkConfig.builder().delayMillis(2).build());
    client.map(Protocol.UDP, 6881, net.nowNanos());
    net.wake(clientBinding);
    settle();
    PortMapping m = client.mapping(Protocol.UDP);
    long granted = m.goodUntilNanos() - 3600 * SECOND;
    gateway.silent = true;
    int before = gateway.requests.size();
    net.runFor(Duration.ofSeconds(3590));
    List<PcpGateway.Request> renewals = gateway.requests.subList(before, gateway.requests.size());
    double[][] windows = { // section 11.2.1, as fractions of the 3600 s lifetime
      {1 / 2.0, 5 / 8.0}, {3 / 4.0, 13 / 16.0}, {7 / 8.0, 29 / 32.0}, {15 / 16.0, 61 / 64.0}
    };
    assertThat(renewals.size()).isGreaterThan(windows.length);
    for (int i = 0; i < windows.length; i++) {
      double at = (renewals.get(i).atNanos() - granted) / (3600.0 * SECOND);
      assertThat(at).as("renewal %d", i).isBetween(windows[i][0], windows[i][1] + 0.001);
    }
    for (int i = 1; i < renewals.size(); i++) {
      assertThat(renewals.get(i).atNanos() - renewals.get(i - 1).atNanos())
          .as("never less than 4 s apart")
          .isGreaterThanOrEqualTo(4 * SECOND);
    }
    assertThat(renewals).allMatch(r -> r.nonce().equals(nonces(UDP).get(0)));
    assertThat(client.status(Protocol.UDP)).isEqualTo(MappingStatus.HELD);

    net.runFor(Duration.ofSeconds(11)); // the lifetime is over
    assertThat(client.mapping(Protocol.UDP)).isNull();
    assertThat(client.status(Protocol.UDP)).isEqualTo(MappingStatus.REQUESTING);
    settle();
    assertThat(client.status(Protocol.UDP)).isEqualTo(MappingStatus.FAILED);
    assertThat(client.failure(Protocol.UDP)).contains("(it answered before)");
  }

  @Test
  void aMaximumRetransmissionDurationEndsTheAttempt() {
    h.link(LinkConfig.builder().delayMillis(2).build());
    useClient(new PcpClient.Settings(3 * SECOND, 1024 * SECOND, 0, 20 * SECOND, 7200));
    gateway.silent = true;
    long start = net.nowNanos();
    client.map(Protocol.TCP, 6881, start);
    net.wake(clientBinding);
    settle();
    assertThat(net.nowNanos() - start).isBetween(20 * SECOND, 21 * SECOND);
    assertThat(client.counters().requestsSent()).as("at 0, ~3 and ~9 s").isEqualTo(3);
    assertThat(client.status(Protocol.TCP)).isEqualTo(MappingStatus.FAILED);
    assertThat(client.server()).isEqualTo(PcpClient.Server.SILENT);
  }

  @Test
  void aNatPmpGatewaysVersionZeroAnswerEndsTheAttempt() {
    NatPmpGateway natPmp = new NatPmpGateway(net);
    gatewayBinding.close();
    gw.bind(NatPmpClient.SERVER_PORT, natPmp);
    mapBoth();
    settle();
    assertThat(client.server()).isEqualTo(PcpClient.Server.NAT_PMP_ONLY);
    for (Protocol p : Protocol.values()) {
      assertThat(client.status(p)).isEqualTo(MappingStatus.FAILED);
      assertThat(client.failure(p)).contains("use NAT-PMP");
    }
    assertThat(natPmp.otherVersionRequests).isPositive();
    assertThat(natPmp.mappings).isEmpty();
  }

  @Test
  void onlyTheServersAddressAndPort5351Count() {
    client.map(Protocol.UDP, 6881, 0);
    Transmit t = Transmit.heap();
    assertThat(client.pollTransmit(t, 0)).isTrue();
    ByteBuffer request = t.buffer().flip();
    ByteBuffer answer = ByteBuffer.allocate(60);
    answer.put((byte) 2).put((byte) 0x81).putShort((short) 0).putInt(3600).putInt(10);
    answer.put(new byte[12]);
    answer.put(request.slice(24, 12)).put((byte) 17).put(new byte[3]);
    answer.putShort((short) 6881).putShort((short) 6881);
    answer.put(new byte[10]).putShort((short) 0xFFFF).put(new byte[] {(byte) 203, 0, 113, 10});
    answer.flip();
    InetAddress gwAddress = PcpGateway.address("10.0.0.1");
    assertThat(client.handleDatagram(answer, new InetSocketAddress(gwAddress, 5350), 1)).isFalse();
    assertThat(
            client.handleDatagram(
                answer, new InetSocketAddress(PcpGateway.address("10.0.0.3"), 5351), 1))
        .isFalse();
    assertThat(client.status(Protocol.UDP)).isEqualTo(MappingStatus.REQUESTING);
    assertThat(client.handleDatagram(answer, new InetSocketAddress(gwAddress, 5351), 1)).isTrue();
    assertThat(client.status(Protocol.UDP)).isEqualTo(MappingStatus.HELD);
    assertThat(client.mapping(Protocol.UDP).external())
        .isEqualTo(new InetSocketAddress("203.0.113.10", 6881));
  }
}
