package io.natswarm.netsim;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class NetworkBasicsTest {

  @Test
  void datagramArrivesAfterUplinkPlusDownlinkDelayWithSenderAddress() {
    Network net = Network.withSeed(1);
    Host a = net.addHost("a", net.internet(), "203.0.113.1");
    Host b = net.addHost("b", net.internet(), "203.0.113.2");
    a.link(LinkConfig.builder().delayMillis(10).build());
    b.link(LinkConfig.builder().delayMillis(5).build());
    Recorder ra = new Recorder();
    Recorder rb = new Recorder();
    Binding ba = a.bind(6881, ra);
    Binding bb = b.bind(6882, rb);

    ra.queue(bb.localAddress(), "hello");
    net.wake(ba);
    net.runFor(Duration.ofMillis(100));

    assertThat(rb.received).hasSize(1);
    assertThat(rb.received.get(0).text()).isEqualTo("hello");
    assertThat(rb.received.get(0).from()).isEqualTo(new InetSocketAddress("203.0.113.1", 6881));
    assertThat(rb.received.get(0).atNanos()).isEqualTo(15_000_000L);
    assertThat(net.nowNanos()).isEqualTo(100_000_000L);
    assertThat(net.stats().sent()).isEqualTo(1);
    assertThat(net.stats().delivered()).isEqualTo(1);
    assertThat(net.stats().droppedTotal()).isZero();
  }

  @Test
  void timerFiresAtPollTimeoutAndRunUntilStopsAtCondition() {
    Network net = Network.withSeed(1);
    Host a = net.addHost("a", net.internet(), "203.0.113.1");
    Recorder r = new Recorder();
    r.deadline = 2_500_000_000L;
    a.bind(1000, r);

    boolean met = net.runUntil(() -> r.timeouts > 0, Duration.ofSeconds(10));

    assertThat(met).isTrue();
    assertThat(net.nowNanos()).isEqualTo(2_500_000_000L);
    assertThat(net.stats().timersFired()).isEqualTo(1);
    assertThat(net.runUntil(() -> r.timeouts > 1, Duration.ofSeconds(1))).isFalse();
    assertThat(net.nowNanos()).isEqualTo(3_500_000_000L);
  }

  @Test
  void unboundPortAndUnknownAddressAreCountedDrops() {
    Network net = Network.withSeed(1);
    Host a = net.addHost("a", net.internet(), "203.0.113.1");
    net.addHost("b", net.internet(), "203.0.113.2");
    Recorder r = new Recorder();
    Binding ba = a.bind(1000, r);
    r.queue(new InetSocketAddress("203.0.113.2", 9), "x");
    r.queue(new InetSocketAddress("198.51.100.7", 9), "y");
    r.queue(InetSocketAddress.createUnresolved("example.invalid", 9), "z");
    r.queue(new InetSocketAddress("2001:db8::1", 9), "v6 from a v4-only host");
    net.wake(ba);
    net.runFor(Duration.ofSeconds(1));

    assertThat(net.stats().dropped(DropReason.NO_BINDING)).isEqualTo(1);
    assertThat(net.stats().dropped(DropReason.NO_ROUTE)).isEqualTo(1);
    assertThat(net.stats().dropped(DropReason.BAD_DESTINATION)).isEqualTo(2);
    assertThat(net.stats().delivered()).isZero();
  }

  @Test
  void ipv6HostsTalkOverIpv6AndDualStackPicksTheDestinationFamily() {
    Network net = Network.withSeed(1);
    Host a = net.addHost("a", net.internet(), "203.0.113.1", "2001:db8::1");
    Host b = net.addHost("b", net.internet(), "2001:db8::2");
    Recorder ra = new Recorder();
    Recorder rb = new Recorder();
    Binding ba = a.bind(7000, ra);
    Binding bb = b.bind(7000, rb);
    assertThat(bb.localAddress()).isEqualTo(new InetSocketAddress("2001:db8::2", 7000));

    ra.queue(bb.localAddress(), "over v6");
    net.wake(ba);
    net.runFor(Duration.ofMillis(1));

    assertThat(rb.received).hasSize(1);
    assertThat(rb.received.get(0).from()).isEqualTo(new InetSocketAddress("2001:db8::1", 7000));
  }
}
