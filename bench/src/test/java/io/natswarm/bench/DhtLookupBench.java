package io.natswarm.bench;

import io.natswarm.dht.DhtConfig;
import io.natswarm.dht.DhtNode;
import io.natswarm.dht.DhtPort;
import io.natswarm.dht.LookupResult;
import io.natswarm.dht.routing.NodeId;
import io.natswarm.netsim.Binding;
import io.natswarm.netsim.Host;
import io.natswarm.netsim.LinkConfig;
import io.natswarm.netsim.Network;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * {@code bench/run dht-lookup [nodes] [lookups] [alpha] [loss] [extendedBuckets]}: a netsim
 * population of DHT nodes (default 10,000, alpha 8, no extended buckets) with 20-300 ms round trips
 * and 5 % loss per datagram; 100 info-hashes are announced, then 1,000 get_peers lookups from
 * random nodes look them up. Reports lookup time in round trips (divided by the median RTT between
 * two hosts), messages per lookup and the share of lookups that found the announcer. Virtual time;
 * the wall time is a few minutes at most.
 *
 * <p>Netsim hosts each {@link DhtNode} directly (it is a {@code DatagramCore}). Since issue 7 the
 * nodes' token secrets come from {@code SecureRandom}, no longer from each node's seeded generator,
 * which therefore skips the draws the secrets used to take (two at start, one per rotation). Ids,
 * transaction ids and every figure of the default run stayed the same; only refresh targets drawn
 * after a node's start come from a shifted stream.
 */
public final class DhtLookupBench {
  private static final int PORT = 6881;

  /** One simulated host and the DHT node netsim hosts on it (no adapter: a DhtNode is a core). */
  private static final class Member {
    final Host host;
    final InetSocketAddress address;
    final double oneWay;
    DhtNode node;
    Binding binding;

    Member(Host host, double oneWay) {
      this.host = host;
      this.oneWay = oneWay;
      this.address = new InetSocketAddress(host.addresses().get(0), PORT);
    }
  }

  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int lookups = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
    int alpha = args.length > 2 ? Integer.parseInt(args[2]) : 8;
    double loss = args.length > 3 ? Double.parseDouble(args[3]) : 0.05;
    boolean extended = args.length > 4 && Boolean.parseBoolean(args[4]);
    long wall0 = System.nanoTime();
    Random random = new Random(2026);
    Network net = Network.withSeed(2026);
    // per access-link direction, so that one datagram (two links) is lost with probability loss
    double perLink = 1 - Math.sqrt(1 - loss);
    List<Member> members = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String ip = (20 + (i >>> 16)) + "." + ((i >>> 8) & 255) + "." + (i & 255) + ".1";
      Host h = net.addHost("n" + i, net.internet(), ip);
      double d = 5 + random.nextDouble() * 70;
      h.link(LinkConfig.builder().delayMillis(d).loss(perLink).build());
      members.add(new Member(h, d));
    }
    Duration spread = Duration.ofSeconds(n / 100 + 20);
    long step = spread.toNanos() / n;
    for (int i = 0; i < n; i++) {
      int j = i;
      net.schedule(
          Duration.ofNanos(step * i),
          () -> {
            Member m = members.get(j);
            List<InetSocketAddress> boot = new ArrayList<>();
            for (int t = 0; j > 0 && t < 3; t++) {
              boot.add(members.get(random.nextInt(j)).address);
            }
            m.node =
                new DhtNode(
                    DhtConfig.builder()
                        .seed(j)
                        .alpha(alpha)
                        .extendedBuckets(extended)
                        .bootstrapNodes(boot)
                        .build(),
                    DhtPort.NONE,
                    net.nowNanos());
            m.binding = m.host.bind(PORT, m.node);
            m.node.bootstrap(net.nowNanos(), r -> {});
            net.wake(m.binding);
          });
    }
    net.runFor(spread.plusSeconds(60));
    long joinedWall = System.nanoTime();

    int hashes = Math.max(1, lookups / 10);
    NodeId[] infoHashes = new NodeId[hashes];
    InetSocketAddress[] announcers = new InetSocketAddress[hashes];
    for (int h = 0; h < hashes; h++) {
      infoHashes[h] = NodeId.random(random);
      Member m = members.get(random.nextInt(n));
      announcers[h] = new InetSocketAddress(m.address.getAddress(), 10_000 + h);
      int port = 10_000 + h;
      NodeId ih = infoHashes[h];
      m.node.announce(ih, port, net.nowNanos(), r -> {});
      net.wake(m.binding);
      net.runFor(Duration.ofMillis(50));
    }
    net.runFor(Duration.ofSeconds(20));

    double[] rtts = new double[2001];
    for (int i = 0; i < rtts.length; i++) {
      Member a = members.get(random.nextInt(n));
      Member b = members.get(random.nextInt(n));
      rtts[i] = 2 * (a.oneWay + b.oneWay);
    }
    double medianRtt = BenchReport.median(rtts);

    double[] ms = new double[lookups];
    double[] firstPeerMs = new double[lookups];
    double[] msgs = new double[lookups];
    double[] hops = new double[lookups];
    int found = 0;
    int timedOut = 0;
    for (int i = 0; i < lookups; i++) {
      int h = i % hashes;
      Member m = members.get(random.nextInt(n));
      LookupResult[] out = new LookupResult[1];
      m.node.getPeers(infoHashes[h], net.nowNanos(), r -> out[0] = r);
      net.wake(m.binding);
      net.runUntil(() -> out[0] != null, Duration.ofSeconds(60));
      LookupResult r = out[0];
      ms[i] = r.durationNanos() / 1e6;
      firstPeerMs[i] = r.firstPeerAt() < 0 ? Double.NaN : (r.firstPeerAt() - r.startedAt()) / 1e6;
      msgs[i] = r.queries();
      hops[i] = r.hops();
      found += r.peers().contains(announcers[h]) ? 1 : 0;
      timedOut += r.timedOut() ? 1 : 0;
    }
    double[] firstFound = Arrays.stream(firstPeerMs).filter(x -> !Double.isNaN(x)).toArray();
    double medianMs = BenchReport.median(ms);
    double p95Ms = BenchReport.percentile(ms, 95);
    double wallS = (System.nanoTime() - wall0) / 1e9;
    BenchReport rep = new BenchReport("dht-lookup");
    rep.columns("figure", "value");
    rep.row("nodes", (double) n);
    rep.row("lookups (get_peers, random origin)", (double) lookups);
    rep.row("alpha", (double) alpha);
    rep.row("loss per datagram", loss);
    rep.row("extended far buckets", extended ? "yes" : "no");
    rep.row("median RTT between hosts, ms", medianRtt);
    rep.row("lookup time median, ms", medianMs);
    rep.row("lookup time p95, ms", p95Ms);
    rep.row("lookup time median, RTTs", medianMs / medianRtt);
    rep.row("lookup time p95, RTTs", p95Ms / medianRtt);
    rep.row("time to first peer median, ms", BenchReport.median(firstFound));
    rep.row("time to first peer median, RTTs", BenchReport.median(firstFound) / medianRtt);
    rep.row("messages per lookup, mean", Arrays.stream(msgs).average().orElse(0));
    rep.row("messages per lookup, median", BenchReport.median(msgs));
    rep.row("hops to the closest nodes, median", BenchReport.median(hops));
    rep.row("found the announcer", (double) found / lookups);
    rep.row("timed out", (double) timedOut);
    rep.row("wall time join, s", (joinedWall - wall0) / 1e9);
    rep.row("wall time total, s", wallS);
    rep.result("median_lookup_rtts", medianMs / medianRtt);
    rep.result("p95_lookup_rtts", p95Ms / medianRtt);
    rep.result("median_ms", medianMs);
    rep.result("messages_per_lookup", Arrays.stream(msgs).average().orElse(0));
    rep.result("found_rate", (double) found / lookups);
    rep.print(System.out);
  }
}
