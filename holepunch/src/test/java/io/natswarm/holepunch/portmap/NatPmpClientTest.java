package io.natswarm.holepunch.portmap;

import static org.assertj.core.api.Assertions.assertThat;

import io.natswarm.netsim.Binding;
import io.natswarm.netsim.Host;
import io.natswarm.netsim.LinkConfig;
import io.natswarm.netsim.Network;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The NAT-PMP client against a gateway double in netsim, with a 2 ms LAN and some loss. */
class NatPmpClientTest {
  private final Network net = Network.withSeed(3);
  private final Host gw = net.addHost("gw", net.internet(), "10.0.0.1");
  private final Host h = net.addHost("h", net.internet(), "10.0.0.2");
  private final NatPmpGateway gateway = new NatPmpGateway(net);
  private final NatPmpClient client;
  private final Binding clientBinding;

  NatPmpClientTest() throws Exception {
    h.link(LinkConfig.builder().delayMillis(2).loss(0.2).build());
    gw.bind(NatPmpClient.SERVER_PORT, gateway);
    client =
        new NatPmpClient(InetAddress.getAllByName("10.0.0.1")[0], NatPmpClient.Settings.defaults());
    clientBinding = h.bind(6881, client);
  }

  private void mapBoth() {
    client.map(Protocol.UDP, 6881, net.nowNanos());
    client.map(Protocol.TCP, 6881, net.nowNanos());
    net.wake(clientBinding);
  }

  @Test
  void mapsBothProtocolsAndRenewsAtHalfTheLifetime() {
    mapBoth();
    assertThat(net.runUntil(client::idle, Duration.ofSeconds(30))).isTrue();
    for (Protocol p : Protocol.values()) {
      assertThat(client.status(p)).isEqualTo(MappingStatus.HELD);
      PortMapping m = client.mapping(p);
      assertThat(m.external()).isEqualTo(new InetSocketAddress("203.0.113.10", 6881));
      assertThat(m.goodUntilNanos() - m.renewAfterNanos())
          .isEqualTo(Duration.ofMinutes(30).toNanos());
    }
    assertThat(client.externalAddress().getHostAddress()).isEqualTo("203.0.113.10");
    assertThat(gateway.mapRequests).isGreaterThanOrEqualTo(2);
    int before = gateway.mapRequests;

    net.runFor(Duration.ofSeconds(1801));
    assertThat(net.runUntil(client::idle, Duration.ofSeconds(30))).isTrue();
    assertThat(client.counters().renewals()).isEqualTo(2);
    assertThat(gateway.mapRequests).isGreaterThanOrEqualTo(before + 2);
    assertThat(client.status(Protocol.UDP)).isEqualTo(MappingStatus.HELD);
    assertThat(client.counters().epochResets()).isZero();
  }

  @Test
  void aGatewayThatRestartedIsAskedForEveryMappingAgain() {
    mapBoth();
    assertThat(net.runUntil(client::idle, Duration.ofSeconds(30))).isTrue();
    net.runFor(Duration.ofSeconds(1000));
    gateway.restart();
    assertThat(gateway.mappings).isEmpty();
    net.runFor(Duration.ofSeconds(801)); // the renewal's answer carries the young epoch
    assertThat(net.runUntil(client::idle, Duration.ofSeconds(30))).isTrue();
    assertThat(client.counters().epochResets()).isEqualTo(1);
    assertThat(gateway.mappings).containsOnlyKeys("udp:6881", "tcp:6881");
    assertThat(client.status(Protocol.TCP)).isEqualTo(MappingStatus.HELD);
  }

  @Test
  void aRefusalIsExplained() {
    gateway.result = NatPmpResult.NOT_AUTHORIZED.code();
    mapBoth();
    assertThat(net.runUntil(client::idle, Duration.ofSeconds(30))).isTrue();
    assertThat(client.status(Protocol.UDP)).isEqualTo(MappingStatus.FAILED);
    assertThat(client.error(Protocol.UDP)).isEqualTo(NatPmpResult.NOT_AUTHORIZED);
    assertThat(client.failure(Protocol.UDP)).contains("refuses port mappings");
    assertThat(client.mapping(Protocol.UDP)).isNull();
  }

  @Test
  void aSilentGatewayIsGivenUpAfterNineRequests() {
    gateway.silent = true;
    client.map(Protocol.UDP, 6881, net.nowNanos());
    net.wake(clientBinding);
    assertThat(net.runUntil(client::idle, Duration.ofMinutes(5))).isTrue();
    assertThat(client.status(Protocol.UDP)).isEqualTo(MappingStatus.FAILED);
    assertThat(client.failure(Protocol.UDP)).contains("does not speak NAT-PMP");
    assertThat(client.counters().requestsSent()).isEqualTo(9);
  }

  @Test
  void releaseDeletesOnceAndIsIdempotent() {
    mapBoth();
    assertThat(net.runUntil(client::idle, Duration.ofSeconds(30))).isTrue();
    client.release(Protocol.UDP, net.nowNanos());
    client.release(Protocol.UDP, net.nowNanos());
    net.wake(clientBinding);
    assertThat(net.runUntil(client::idle, Duration.ofSeconds(30))).isTrue();
    assertThat(client.status(Protocol.UDP)).isEqualTo(MappingStatus.RELEASED);
    assertThat(client.mapping(Protocol.UDP)).isNull();
    assertThat(gateway.mappings).containsOnlyKeys("tcp:6881");
    assertThat(gateway.deletes).isGreaterThanOrEqualTo(1);
  }
}
