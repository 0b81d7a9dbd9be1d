package io.natswarm.netsim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LinkTest {
  private static final long MS = 1_000_000L;

  private Network net;
  private Pacer sender;
  private Pacer receiver;

  /** a sends {@code count} datagrams of {@code size} bytes to b, one per {@code intervalMs}. */
  private void scenario(long seed, LinkConfig aUplink, int count, int size, double intervalMs) {
    net = Network.withSeed(seed);
    Host a = net.addHost("a", net.internet(), "203.0.113.1");
    Host b = net.addHost("b", net.internet(), "203.0.113.2");
    a.uplink(aUplink);
    receiver = new Pacer(null, 0, 0, 0);
    Binding bb = b.bind(2000, receiver);
    sender = new Pacer(bb.localAddress(), count, size, (long) (intervalMs * MS));
    Binding ba = a.bind(1000, sender);
    sender.start();
    net.wake(ba);
    net.runFor(Duration.ofMinutes(10));
  }

  @Test
  void jitterVariesDelayWithinBoundsButKeepsOrder() {
    scenario(7, LinkConfig.builder().delayMillis(20).jitterMillis(5).build(), 1000, 100, 10);
    assertThat(receiver.receivedSeq).hasSize(1000);
    List<Long> delays = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      assertThat(receiver.receivedSeq.get(i)).isEqualTo(i);
      delays.add(receiver.receivedAt.get(i) - i * 10L * MS);
    }
    assertThat(delays).allMatch(d -> d >= 15 * MS && d <= 25 * MS);
    assertThat(delays.stream().distinct().count()).isGreaterThan(100);
    double mean = delays.stream().mapToLong(Long::longValue).average().orElseThrow();
    assertThat(mean / MS).isCloseTo(20.0, within(0.5));
  }

  @Test
  void bandwidthSerializesAndTheQueueBuildsDelayThenTailDrops() {
    // 1 Mbit/s: a 1222-byte payload is 1250 bytes on the wire with its 28 bytes of IPv4 and UDP
    // header and takes 10 ms. The queue holds 5000 bytes (4 datagrams).
    LinkConfig c =
        LinkConfig.builder()
            .delayMillis(5)
            .bandwidthBitsPerSecond(1_000_000)
            .queueBytes(5000)
            .build();
    scenario(1, c, 10, 1222, 0);
    assertThat(receiver.receivedAt).containsExactly(15 * MS, 25 * MS, 35 * MS, 45 * MS);
    assertThat(net.stats().dropped(DropReason.QUEUE)).isEqualTo(6);
    Link up = net.node("a").uplink();
    assertThat(up.queueDrops()).isEqualTo(6);
    assertThat(up.maxQueueDelayNanos()).isEqualTo(30 * MS);
  }

  @Test
  void bandwidthBelowTheOfferedLoadKeepsTheLinkBusyAtItsRate() {
    // 2 Mbit/s offered (1250 B on the wire every 5 ms) into 1 Mbit/s with a 20-datagram queue.
    LinkConfig c =
        LinkConfig.builder().bandwidthBitsPerSecond(1_000_000).queueBytes(25_000).build();
    scenario(1, c, 400, 1222, 5);
    int n = receiver.receivedAt.size();
    assertThat(n).isBetween(215, 225); // 2 s of sending at half the rate, plus the queue
    for (int i = 1; i < n; i++) {
      assertThat(receiver.receivedAt.get(i) - receiver.receivedAt.get(i - 1)).isEqualTo(10 * MS);
    }
    assertThat(net.stats().dropped(DropReason.QUEUE)).isEqualTo(400 - n);
  }

  @Test
  void theBandwidthIsChargedTheIpAndUdpHeadersOfEachFamily() {
    // 1 Mbit/s, 1000-byte payloads back to back: 1028 bytes on the wire over IPv4 (8.224 ms
    // each), 1048 over IPv6 (8.384 ms), as a real link carries them.
    LinkConfig c = LinkConfig.builder().bandwidthBitsPerSecond(1_000_000).build();
    for (boolean v6 : new boolean[] {false, true}) {
      net = Network.withSeed(1);
      Host a = net.addHost("a", net.internet(), v6 ? "2001:db8::1" : "203.0.113.1");
      Host b = net.addHost("b", net.internet(), v6 ? "2001:db8::2" : "203.0.113.2");
      a.uplink(c);
      receiver = new Pacer(null, 0, 0, 0);
      Binding bb = b.bind(2000, receiver);
      sender = new Pacer(bb.localAddress(), 3, 1000, 0);
      Binding ba = a.bind(1000, sender);
      sender.start();
      net.wake(ba);
      net.runFor(Duration.ofSeconds(1));
      long each = v6 ? 8_384_000L : 8_224_000L;
      assertThat(receiver.receivedAt).containsExactly(each, 2 * each, 3 * each);
      assertThat(net.node("a").uplink().bytes()).isEqualTo(3L * (v6 ? 1048 : 1028));
    }
  }

  @Test
  void randomLossRateIsWithinToleranceForTheSeed() {
    scenario(3, LinkConfig.builder().loss(0.1).build(), 20_000, 20, 1);
    long lost = net.stats().dropped(DropReason.LOSS);
    assertThat(lost).isBetween(1800L, 2200L);
    assertThat(receiver.receivedSeq).hasSize((int) (20_000 - lost));
  }

  @Test
  void burstLossComesInRunsOfTheConfiguredMeanLength() {
    // Gilbert-Elliott: enter 1 %, exit 25 %: ~3.8 % loss in bursts averaging 4 datagrams.
    scenario(5, LinkConfig.builder().burstLoss(0.01, 0.25).build(), 50_000, 20, 1);
    long lost = net.stats().dropped(DropReason.LOSS);
    assertThat((double) lost / 50_000).isCloseTo(0.0385, within(0.006));
    int runs = 0;
    int prev = -1;
    for (int s : receiver.receivedSeq) {
      if (s != prev + 1) {
        runs++;
      }
      prev = s;
    }
    double meanRun = (double) lost / runs;
    assertThat(meanRun).isBetween(3.3, 4.7);
  }

  @Test
  void reorderLetsLaterDatagramsOvertake() {
    scenario(
        9,
        LinkConfig.builder().delayMillis(10).reorder(0.05, Duration.ofMillis(25)).build(),
        2000,
        20,
        5);
    assertThat(receiver.receivedSeq).hasSize(2000);
    int late = 0;
    int max = -1;
    for (int seq : receiver.receivedSeq) {
      if (seq < max) {
        late++; // overtaken by a later datagram
      }
      max = Math.max(max, seq);
    }
    assertThat(net.stats().reordered()).isBetween(70L, 130L);
    assertThat(late).isEqualTo((int) net.stats().reordered());
  }

  @Test
  void duplicationDeliversSomeDatagramsTwice() {
    scenario(11, LinkConfig.builder().duplicate(0.05).build(), 4000, 20, 1);
    long dups = net.stats().duplicated();
    assertThat(dups).isBetween(150L, 250L);
    assertThat(receiver.receivedSeq).hasSize((int) (4000 + dups));
    assertThat(net.stats().delivered()).isEqualTo(4000 + dups);
    assertThat(receiver.receivedSeq.stream().distinct().count()).isEqualTo(4000);
  }

  @Test
  void changingTheConfigMidRunTakesEffectForLaterDatagrams() {
    net = Network.withSeed(1);
    Host a = net.addHost("a", net.internet(), "203.0.113.1");
    Host b = net.addHost("b", net.internet(), "203.0.113.2");
    receiver = new Pacer(null, 0, 0, 0);
    Binding bb = b.bind(2000, receiver);
    sender = new Pacer(bb.localAddress(), 10, 20, 100 * MS);
    Binding ba = a.bind(1000, sender);
    sender.start();
    net.wake(ba);
    net.runFor(Duration.ofMillis(450));
    a.uplink().configure(LinkConfig.builder().loss(1.0).build());
    net.runFor(Duration.ofSeconds(2));
    assertThat(receiver.receivedSeq).containsExactly(0, 1, 2, 3, 4);
    assertThat(net.stats().dropped(DropReason.LOSS)).isEqualTo(5);
  }

  /**
   * CoDel (RFC 8289): no drop while datagrams wait under 5 ms; above it, the first drop comes one
   * 100 ms interval after the wait first exceeded the target, then drops follow at intervals
   * shrinking as 100 ms / sqrt(count), until the wait falls back under the target.
   */
  @Test
  void codelDropsOnlyAfterAnIntervalAboveTargetThenFasterAndFaster() {
    // 10 Mbit/s: a 1222-byte payload is 1250 bytes on the wire, 1 ms of serialization.
    LinkConfig c = LinkConfig.builder().bandwidthBitsPerSecond(10_000_000).codel().build();
    Link under = new Link("under", new SimRandom(1));
    under.configure(c);
    long t = 0;
    for (int i = 0; i < 1000; i++, t += 1_100_000) { // 0.91 of the link: never a standing queue
      assertThat(under.admit(1250, t)).isPositive();
    }
    assertThat(under.codelDrops()).isZero();

    Link link = new Link("over", new SimRandom(1));
    link.configure(c);
    List<Long> dropDequeueTimes = new ArrayList<>();
    long firstAbove = -1;
    long busyUntil = 0; // the test's own model of when the link is free again
    t = 0;
    for (int i = 0; i < 3000; i++, t += 800_000) { // 1.25 times the link for 2.4 s
      long dequeue = Math.max(t, busyUntil);
      long before = link.codelDrops();
      long arrival = link.admit(1250, t);
      if (link.codelDrops() > before) {
        assertThat(arrival).isEqualTo(Link.DROPPED_QUEUE);
        dropDequeueTimes.add(dequeue);
        continue;
      }
      assertThat(arrival).isEqualTo(dequeue + MS);
      busyUntil = dequeue + MS;
      if (firstAbove < 0 && dequeue - t >= 5 * MS) {
        firstAbove = dequeue; // the first datagram whose wait reached the 5 ms target
      }
    }
    assertThat(firstAbove).isPositive();
    assertThat(dropDequeueTimes).hasSizeGreaterThan(10);
    // the first drop: a whole interval after the queue first held 5 ms
    assertThat(dropDequeueTimes.get(0) - firstAbove).isBetween(100 * MS, 102 * MS);
    long firstGap = dropDequeueTimes.get(1) - dropDequeueTimes.get(0);
    long laterGap =
        dropDequeueTimes.get(dropDequeueTimes.size() - 1)
            - dropDequeueTimes.get(dropDequeueTimes.size() - 2);
    assertThat(laterGap).isLessThan(firstGap);
    assertThat(link.queueDrops()).isEqualTo(link.codelDrops());
  }
}
