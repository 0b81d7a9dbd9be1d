package io.natswarm.bench;

import io.natswarm.dht.DhtConfig;
import io.natswarm.dht.DhtNode;
import io.natswarm.dht.DhtPort;
import io.natswarm.dht.LookupResult;
import io.natswarm.dht.routing.NodeId;
import io.natswarm.netsim.Binding;
import io.natswarm.netsim.Host;
import io.natswarm.netsim.LinkConfig;
import io.natswarm.netsim.NatBox;
import io.natswarm.netsim.NatConfig;
import io.natswarm.netsim.Network;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * {@code bench/run dht-lookup [nodes] [lookups] [alpha|-] [loss] [extendedBuckets|-]}: a netsim
 * population of DHT nodes (default 10,000) with 20-300 ms round trips and 5 % loss per datagram;
 * one info-hash per ten lookups is announced, then get_peers lookups (default 1,000) from random
 * nodes look them up. Every node runs with the module's shipped defaults ({@link
 * DhtConfig#builder()}: alpha and k are printed in the RESULT line) unless an argument overrides
 * one. Virtual time; a few minutes of wall time.
 *
 * <p>Three rows, each its own network built from the same seed:
 *
 * <ul>
 *   <li>{@code steady}: every node stays. Its figures keep the original RESULT keys.
 *   <li>{@code churn}: while the lookups run, 20 % of the nodes leave (their socket closes, their
 *       stored peers go with them) and as many new nodes join (a fresh id, bootstrapped from three
 *       live nodes), spread evenly over the lookups. Lookups start from live nodes.
 *   <li>{@code nat}: a quarter of the nodes sit behind a home NAT each (full cone, restricted cone,
 *       port-restricted cone and symmetric in turn); the access link's delay and loss are the NAT
 *       box's. An announce from behind a NAT is expected under the NAT's outside address.
 * </ul>
 *
 * <p>Per row: lookup time in units of the median round trip between two hosts ({@code
 * median_lookup_rtts}, {@code p95_lookup_rtts}), the round trips a lookup actually took ({@code
 * median_lookup_hops}: the longest chain query → answer → next query it waited on, {@link
 * LookupResult#rounds()}), queries per lookup, and the share of lookups that found the announcer.
 * Goals at the defaults: median ≤ 4 round trips, p95 ≤ 8, under 30 messages per lookup, every
 * announce found. The benchmark exits non-zero when a run fails (a lookup that never reports).
 */
public final class DhtLookupBench {
  private static final int PORT = 6881;

  /** One simulated host and the DHT node netsim hosts on it (no adapter: a DhtNode is a core). */
  private static final class Member {
    final Host host;
    final InetSocketAddress address;

    /** The address others see this node's datagrams come from (the NAT's outside address). */
    final InetAddress seenAs;

    /** Whether it sits behind a NAT (then no one can bootstrap from it). */
    final boolean natted;

    final double oneWay;
    DhtNode node;
    Binding binding;
    boolean live;

    Member(Host host, InetAddress seenAs, double oneWay, boolean natted) {
      this.host = host;
      this.natted = natted;
      this.oneWay = oneWay;
      this.seenAs = seenAs;
      this.address = new InetSocketAddress(host.addresses().get(0), PORT);
    }
  }

  /** What one row measured. */
  record Row(
      String name,
      double medianRtt,
      double medianMs,
      double p95Ms,
      double medianRounds,
      double p95Rounds,
      double medianHops,
      double firstPeerMs,
      double messages,
      double foundRate,
      int timedOut,
      int live,
      double wallSeconds) {}

  /** The row's shape. */
  private record Scenario(String name, double churnShare, double natShare) {}

  private final int n;
  private final int lookups;
  private final double loss;
  private final DhtConfig template;

  private DhtLookupBench(int n, int lookups, double loss, DhtConfig template) {
    this.n = n;
    this.lookups = lookups;
    this.loss = loss;
    this.template = template;
  }

  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int lookups = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
    DhtConfig defaults = DhtConfig.builder().build();
    int alpha = (args.length > 2 && !args[2].equals("-")) ? Integer.parseInt(args[2]) : -1;
    double loss = args.length > 3 ? Double.parseDouble(args[3]) : 0.05;
    Boolean extended =
        (args.length > 4 && !args[4].equals("-")) ? Boolean.parseBoolean(args[4]) : null;
    DhtConfig.Builder tb = DhtConfig.builder();
    if (alpha > 0) {
      tb.alpha(alpha);
    }
    if (extended != null) {
      tb.extendedBuckets(extended);
    }
    DhtConfig template = tb.build();
    boolean shipped =
        template.alpha() == defaults.alpha()
            && template.k() == defaults.k()
            && template.extendedBuckets() == defaults.extendedBuckets();
    DhtLookupBench bench = new DhtLookupBench(n, lookups, loss, template);
    List<Row> rows = new ArrayList<>();
    for (Scenario s :
        List.of(
            new Scenario("steady", 0, 0),
            new Scenario("churn", 0.2, 0),
            new Scenario("nat", 0, 0.25))) {
      Row r = bench.run(s);
      System.err.printf(
          Locale.ROOT,
          "dht-lookup %s: median %.2f RTTs, p95 %.2f, hops %.0f, %.1f messages, found %.4f, %.0f s%n",
          r.name,
          r.medianMs / r.medianRtt,
          r.p95Ms / r.medianRtt,
          r.medianRounds,
          r.messages,
          r.foundRate,
          r.wallSeconds);
      rows.add(r);
    }

    BenchReport rep = new BenchReport("dht-lookup");
    rep.columns(
        "row",
        "median RTT ms",
        "median ms",
        "p95 ms",
        "median RTTs",
        "p95 RTTs",
        "median hops",
        "p95 hops",
        "referral depth",
        "first peer RTTs",
        "messages",
        "found",
        "timed out",
        "live nodes",
        "wall s");
    for (Row r : rows) {
      rep.row(
          r.name,
          r.medianRtt,
          r.medianMs,
          r.p95Ms,
          r.medianMs / r.medianRtt,
          r.p95Ms / r.medianRtt,
          r.medianRounds,
          r.p95Rounds,
          r.medianHops,
          r.firstPeerMs / r.medianRtt,
          r.messages,
          r.foundRate,
          (double) r.timedOut,
          (double) r.live,
          r.wallSeconds);
    }
    Row steady = rows.get(0);
    rep.result("alpha", template.alpha())
        .result("k", template.k())
        .result("extended_buckets", template.extendedBuckets() ? "true" : "false")
        .result("shipped_defaults", shipped ? "true" : "false")
        .result("nodes", n)
        .result("loss", loss)
        .result("median_lookup_rtts", steady.medianMs / steady.medianRtt)
        .result("p95_lookup_rtts", steady.p95Ms / steady.medianRtt)
        .result("median_lookup_hops", steady.medianRounds)
        .result("median_ms", steady.medianMs)
        .result("messages_per_lookup", steady.messages)
        .result("found_rate", steady.foundRate);
    for (Row r : rows.subList(1, rows.size())) {
      rep.result(r.name + "_median_lookup_rtts", r.medianMs / r.medianRtt)
          .result(r.name + "_p95_lookup_rtts", r.p95Ms / r.medianRtt)
          .result(r.name + "_median_lookup_hops", r.medianRounds)
          .result(r.name + "_messages_per_lookup", r.messages)
          .result(r.name + "_found_rate", r.foundRate);
    }
    boolean goals =
        steady.medianMs / steady.medianRtt <= 4
            && steady.p95Ms / steady.medianRtt <= 8
            && steady.messages < 30
            && steady.foundRate == 1.0;
    rep.result("goals_met", goals ? "true" : "false");
    rep.print(System.out);
  }

  private DhtNode newNode(int seed, List<InetSocketAddress> boot, long now) {
    return new DhtNode(
        DhtConfig.builder()
            .seed(seed)
            .alpha(template.alpha())
            .k(template.k())
            .extendedBuckets(template.extendedBuckets())
            .bootstrapNodes(boot)
            .build(),
        DhtPort.NONE,
        now);
  }

  private void start(Network net, Member m, int seed, List<InetSocketAddress> boot) {
    m.node = newNode(seed, boot, net.nowNanos());
    m.binding = m.host.bind(PORT, m.node);
    m.live = true;
    m.node.bootstrap(net.nowNanos(), r -> {});
    net.wake(m.binding);
  }

  private Member addMember(
      Network net, Random random, int i, double natShare, NatConfig[] kinds, int[] nats) {
    String ip = (20 + (i >>> 16)) + "." + ((i >>> 8) & 255) + "." + (i & 255) + ".1";
    double d = 5 + random.nextDouble() * 70;
    // per access-link direction, so that one datagram (two links) is lost with probability loss
    LinkConfig link = LinkConfig.builder().delayMillis(d).loss(1 - Math.sqrt(1 - loss)).build();
    if (natShare > 0 && random.nextDouble() < natShare) {
      NatBox box = net.addNat("nat" + i, net.internet(), ip, kinds[nats[0]++ % kinds.length]);
      box.link(link);
      Host h = net.addHost("n" + i, box.inside(), "192.168.1.2");
      return new Member(h, box.addresses().get(0), d, true);
    }
    Host h = net.addHost("n" + i, net.internet(), ip);
    h.link(link);
    return new Member(h, h.addresses().get(0), d, false);
  }

  private Member pickLive(List<Member> members, Random random) {
    while (true) {
      Member m = members.get(random.nextInt(members.size()));
      if (m.live) {
        return m;
      }
    }
  }

  Row run(Scenario s) {
    long wall0 = System.nanoTime();
    Random random = new Random(2026);
    Network net = Network.withSeed(2026);
    NatConfig[] kinds = {
      NatConfig.fullCone(),
      NatConfig.restrictedCone(),
      NatConfig.portRestrictedCone(),
      NatConfig.symmetric()
    };
    int[] nats = {0};
    List<Member> members = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      members.add(addMember(net, random, i, s.natShare, kinds, nats));
    }
    Duration spread = Duration.ofSeconds(n / 100 + 20);
    long step = spread.toNanos() / n;
    for (int i = 0; i < n; i++) {
      int j = i;
      net.schedule(
          Duration.ofNanos(step * i),
          () -> {
            List<InetSocketAddress> boot = new ArrayList<>();
            for (int t = 0; j > 0 && t < 3; t++) {
              for (int attempt = 0; attempt < 100; attempt++) {
                Member b = members.get(random.nextInt(j));
                if (!b.natted) {
                  boot.add(b.address);
                  break;
                }
              }
            }
            start(net, members.get(j), j, boot);
          });
    }
    net.runFor(spread.plusSeconds(60));

    int hashes = Math.max(1, lookups / 10);
    NodeId[] infoHashes = new NodeId[hashes];
    InetSocketAddress[] announced = new InetSocketAddress[hashes];
    for (int h = 0; h < hashes; h++) {
      infoHashes[h] = NodeId.random(random);
      Member m = members.get(random.nextInt(n));
      announced[h] = new InetSocketAddress(m.seenAs, 10_000 + h);
      m.node.announce(infoHashes[h], 10_000 + h, net.nowNanos(), r -> {});
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

    // churn: departures and arrivals spread evenly over the lookups
    int churn = (int) Math.round(s.churnShare * n);
    double churnPerLookup = (double) churn / lookups;
    double churnDue = 0;
    int joined = 0;

    double[] ms = new double[lookups];
    double[] firstPeerMs = new double[lookups];
    double[] msgs = new double[lookups];
    double[] rounds = new double[lookups];
    double[] hops = new double[lookups];
    int found = 0;
    int timedOut = 0;
    for (int i = 0; i < lookups; i++) {
      churnDue += churnPerLookup;
      while (churnDue >= 1) {
        churnDue--;
        Member gone = pickLive(members, random);
        gone.binding.close();
        gone.live = false;
        int id = n + joined++;
        Member fresh = addMember(net, random, id, s.natShare, kinds, nats);
        members.add(fresh);
        List<InetSocketAddress> boot = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
          Member b = pickLive(members, random);
          if (!b.natted) {
            boot.add(b.address);
          }
        }
        start(net, fresh, id, boot);
      }
      int h = i % hashes;
      Member m = pickLive(members, random);
      LookupResult[] out = new LookupResult[1];
      m.node.getPeers(infoHashes[h], net.nowNanos(), r -> out[0] = r);
      net.wake(m.binding);
      net.runUntil(() -> out[0] != null, Duration.ofSeconds(60));
      LookupResult r = out[0];
      if (r == null) {
        throw new IllegalStateException(
            s.name + ": lookup " + i + " never reported within 60 virtual seconds");
      }
      ms[i] = r.durationNanos() / 1e6;
      firstPeerMs[i] = r.firstPeerAt() < 0 ? Double.NaN : (r.firstPeerAt() - r.startedAt()) / 1e6;
      msgs[i] = r.queries();
      rounds[i] = r.rounds();
      hops[i] = r.hops();
      found += r.peers().contains(announced[h]) ? 1 : 0;
      timedOut += r.timedOut() ? 1 : 0;
    }
    int live = 0;
    for (Member m : members) {
      live += m.live ? 1 : 0;
    }
    double[] firstFound = Arrays.stream(firstPeerMs).filter(x -> !Double.isNaN(x)).toArray();
    return new Row(
        s.name,
        medianRtt,
        BenchReport.median(ms),
        BenchReport.percentile(ms, 95),
        BenchReport.median(rounds),
        BenchReport.percentile(rounds, 95),
        BenchReport.median(hops),
        BenchReport.median(firstFound),
        Arrays.stream(msgs).average().orElse(0),
        (double) found / lookups,
        timedOut,
        live,
        (System.nanoTime() - wall0) / 1e9);
  }
}
