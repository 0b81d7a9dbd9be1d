package io.natswarm.netsim.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import io.natswarm.netsim.Host;
import io.natswarm.netsim.LinkConfig;
import io.natswarm.netsim.NatBox;
import io.natswarm.netsim.NatConfig;
import io.natswarm.netsim.Network;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class BulkFlowTest {
  private static final long MBIT = 1_000_000;

  /**
   * Hosts a and c behind one router whose uplink is the bottleneck (10 Mbit/s, 62.5 kB queue, 10
   * ms); b on the internet 5 ms away. Base RTT 30 ms plus 1.1 ms serialization.
   */
  private static final class Bottleneck {
    final Network net;
    final Host a;
    final Host c;
    final Host b;
    final NatBox router;

    Bottleneck(long seed, LinkConfig extra) {
      net = Network.withSeed(seed);
      net.trace().setEnabled(false);
      router = net.addNat("router", net.internet(), "203.0.113.10", NatConfig.fullCone());
      router.uplink(
          extra.toBuilder()
              .delayMillis(10)
              .bandwidthBitsPerSecond(10 * MBIT)
              .queueBytes(62_500)
              .build());
      router.downlink(LinkConfig.builder().delayMillis(10).build());
      a = net.addHost("a", router.inside(), "10.0.0.2");
      c = net.addHost("c", router.inside(), "10.0.0.3");
      b = net.addHost("b", net.internet(), "203.0.113.2");
      b.link(LinkConfig.builder().delayMillis(5).build());
    }
  }

  @Test
  void renoFillsABottleneckAndBuildsQueueingDelay() {
    Bottleneck t = new Bottleneck(1, LinkConfig.PERFECT);
    BulkFlow f =
        BulkFlow.start(t.a, 7000, t.b, 7001, Congestion.RENO, Long.MAX_VALUE, Duration.ZERO);
    // Without SACK, NewReno repairs slow start's burst of drops one hole per RTT: skip that.
    t.net.runFor(Duration.ofSeconds(8));
    long before = f.receiver().bytesDelivered();
    t.net.runFor(Duration.ofSeconds(10));
    double mbps = (f.receiver().bytesDelivered() - before) * 8 / 10.0 / 1e6;
    // 1383 of 1400 bytes are payload: at most ~9.88 Mbit/s of goodput.
    assertThat(mbps).isBetween(8.5, 9.9);
    assertThat(f.sender().fastRetransmits()).isPositive(); // the queue overflowed now and then
    assertThat(t.router.uplink().queueDrops()).isPositive();
    assertThat(t.router.uplink().meanQueueDelayNanos()).isGreaterThan(5_000_000);
    assertThat(f.sender().srttNanos()).isGreaterThan(f.sender().minRttNanos());
    assertThat(f.sender().minRttNanos()).isBetween(31_000_000L, 31_200_000L);
  }

  @Test
  void twoRenoFlowsShareTheBottleneck() {
    Bottleneck t = new Bottleneck(2, LinkConfig.PERFECT);
    BulkFlow f1 =
        BulkFlow.start(t.a, 7000, t.b, 7001, Congestion.RENO, Long.MAX_VALUE, Duration.ZERO);
    BulkFlow f2 =
        BulkFlow.start(
            t.c, 7000, t.b, 7002, Congestion.RENO, Long.MAX_VALUE, Duration.ofMillis(700));
    t.net.runFor(Duration.ofSeconds(15));
    long before1 = f1.receiver().bytesDelivered();
    long before2 = f2.receiver().bytesDelivered();
    t.net.runFor(Duration.ofSeconds(30));
    double share1 = f1.receiver().bytesDelivered() - before1;
    double share2 = f2.receiver().bytesDelivered() - before2;
    double total = (share1 + share2) * 8 / 30 / 1e6;
    assertThat(total).isBetween(8.5, 9.9);
    assertThat(share1 / (share1 + share2)).isBetween(0.35, 0.65);
  }

  @Test
  void cubicFillsTheBottleneckToo() {
    Bottleneck t = new Bottleneck(3, LinkConfig.PERFECT);
    BulkFlow f =
        BulkFlow.start(t.a, 7000, t.b, 7001, Congestion.CUBIC, Long.MAX_VALUE, Duration.ZERO);
    // Without SACK, NewReno repairs slow start's burst of drops one hole per RTT: skip that.
    t.net.runFor(Duration.ofSeconds(8));
    long before = f.receiver().bytesDelivered();
    t.net.runFor(Duration.ofSeconds(10));
    double mbps = (f.receiver().bytesDelivered() - before) * 8 / 10.0 / 1e6;
    assertThat(mbps).isBetween(8.5, 9.9);
    assertThat(f.sender().congestion()).isEqualTo(Congestion.CUBIC);
  }

  @Test
  void aFiniteTransferCompletesExactlyDespiteRandomLoss() {
    Bottleneck t = new Bottleneck(4, LinkConfig.builder().loss(0.02).build());
    long total = 2_000_000;
    BulkFlow f = BulkFlow.start(t.a, 7000, t.b, 7001, Congestion.RENO, total, Duration.ZERO);
    boolean done = t.net.runUntil(() -> f.sender().finished(), Duration.ofSeconds(60));
    assertThat(done).isTrue();
    int payload = BulkFlow.DEFAULT_SEGMENT_BYTES - 17;
    long segments = (total + payload - 1) / payload;
    assertThat(f.receiver().bytesDelivered()).isEqualTo(segments * payload);
    assertThat(f.receiver().nextExpected()).isEqualTo(segments);
    assertThat(f.sender().retransmits()).isPositive();
    assertThat(f.sender().bytesAcked()).isEqualTo(segments * payload);
  }

  @Test
  void stopEndsTheFlowAfterInFlightDataIsRecovered() {
    Bottleneck t = new Bottleneck(5, LinkConfig.PERFECT);
    BulkFlow f =
        BulkFlow.start(t.a, 7000, t.b, 7001, Congestion.RENO, Long.MAX_VALUE, Duration.ZERO);
    t.net.runFor(Duration.ofSeconds(2));
    f.stop();
    t.net.runFor(Duration.ofSeconds(5));
    long delivered = f.receiver().bytesDelivered();
    assertThat(f.sender().finished()).isTrue();
    t.net.runFor(Duration.ofSeconds(5));
    assertThat(f.receiver().bytesDelivered()).isEqualTo(delivered);
    assertThat(t.net.stats().timersFired()).isLessThan(1000);
  }
}
