package io.natswarm.netsim;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Same seed, same trace: a scenario with every kind of randomness run twice. */
class DeterminismTest {

  private static final class Run {
    final long hash;
    final long count;
    final List<String> events;
    final String stats;

    Run(Network net) {
      this.hash = net.trace().hash();
      this.count = net.trace().count();
      this.events = net.trace().events();
      this.stats = net.stats().toString();
    }
  }

  private static Run scenario(long seed) {
    Network net = Network.withSeed(seed);
    net.trace().record(true);
    LinkConfig rough =
        LinkConfig.builder()
            .delayMillis(15)
            .jitterMillis(10)
            .loss(0.05)
            .burstLoss(0.02, 0.3)
            .duplicate(0.02)
            .reorder(0.05)
            .bandwidthMbps(2)
            .queueBytes(20_000)
            .build();
    Host s = net.addHost("server", net.internet(), "203.0.113.1");
    s.link(rough);
    Binding sb = s.bind(3478, new Rendezvous());
    NatBox cgn = net.addNat("cgn", net.internet(), "203.0.113.50", NatConfig.symmetric());
    NatBox r1 = net.addNat("r1", cgn.inside(), "100.64.0.2", NatConfig.restrictedCone());
    NatBox r2 = net.addNat("r2", net.internet(), "198.51.100.2", NatConfig.symmetric());
    r1.link(rough);
    r2.link(rough);
    Host h1 = net.addHost("h1", r1.inside(), "10.0.0.2");
    Host h2 = net.addHost("h2", r2.inside(), "10.0.0.2");
    Puncher a = new Puncher(0, sb.localAddress(), 0, 3);
    Puncher b = new Puncher(1, sb.localAddress(), 300_000_000L, 0);
    h1.bind(5000, a);
    h2.bind(5000, b);
    // Background traffic across the rough links.
    Host x = net.addHost("x", r1.inside(), "10.0.0.3");
    Pacer sink = new Pacer(null, 0, 0, 0);
    Binding sinkB = s.bind(9000, sink);
    Pacer flood = new Pacer(sinkB.localAddress(), 1500, 600, 2_000_000L);
    Binding fb = x.bind(7000, flood);
    flood.start();
    net.wake(fb);
    net.runFor(Duration.ofSeconds(8));
    return new Run(net);
  }

  @Test
  void sameSeedGivesTheSameTraceAndDifferentSeedsDiffer() {
    Run first = scenario(42);
    Run second = scenario(42);
    Run other = scenario(43);

    assertThat(first.count).isGreaterThan(3000);
    assertThat(first.events).hasSize((int) first.count);
    assertThat(second.events).isEqualTo(first.events);
    assertThat(second.hash).isEqualTo(first.hash);
    assertThat(second.stats).isEqualTo(first.stats);
    assertThat(other.hash).isNotEqualTo(first.hash);
    assertThat(other.events).isNotEqualTo(first.events);
  }

  @Test
  void disablingTheTraceStopsHashingWithoutChangingTheRun() {
    Network net = Network.withSeed(1);
    net.trace().setEnabled(false);
    Host a = net.addHost("a", net.internet(), "203.0.113.1");
    Host b = net.addHost("b", net.internet(), "203.0.113.2");
    Pacer rx = new Pacer(null, 0, 0, 0);
    Binding bb = b.bind(1, rx);
    Pacer tx = new Pacer(bb.localAddress(), 10, 10, 1000);
    Binding ba = a.bind(1, tx);
    tx.start();
    net.wake(ba);
    net.runFor(Duration.ofSeconds(1));
    assertThat(rx.receivedSeq).hasSize(10);
    assertThat(net.trace().count()).isZero();
  }
}
