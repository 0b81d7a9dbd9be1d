package io.natswarm.dht.sim;

import io.natswarm.dht.LookupResult;
import io.natswarm.dht.routing.NodeId;
import io.natswarm.dht.routing.NodeStatus;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/**
 * A DHT population on netsim: joins, churn, then lookups whose results are checked against the true
 * closest online nodes.
 */
public final class SwarmScenario {
  public final DhtSwarm swarm;
  private final Random random;
  private int restarts;

  public SwarmScenario(
      long seed, int n, double lossPerLink, Consumer<io.natswarm.dht.DhtConfig.Builder> tune) {
    // 5..75 ms each way: 20..300 ms round trips between two hosts
    this.swarm = new DhtSwarm(seed, n, 5, 75, lossPerLink, tune);
    this.random = new Random(seed + 1);
  }

  /** Starts every node over {@code spread}, each bootstrapping from up to 3 nodes already up. */
  public void join(Duration spread) {
    int n = swarm.members.size();
    swarm.start(0, List.of(), seedFor(0));
    long step = spread.toNanos() / n;
    for (int i = 1; i < n; i++) {
      int j = i;
      swarm.net.schedule(
          Duration.ofNanos(step * i), () -> swarm.start(j, bootstrapFor(j), seedFor(j)));
    }
    swarm.net.runFor(spread);
  }

  private long seedFor(int i) {
    return 7919L * i + 31L * restarts + 1;
  }

  private List<InetSocketAddress> bootstrapFor(int i) {
    List<InetSocketAddress> boot = new ArrayList<>();
    for (int t = 0; t < 20 && boot.size() < 3; t++) {
      DhtSwarm.Member m = swarm.members.get(random.nextInt(Math.max(1, i)));
      if (m.online() && m.index != i) {
        boot.add(m.address);
      }
    }
    return boot;
  }

  /** Replaces {@code fraction} of the nodes by fresh ones (new ids), spread over {@code over}. */
  public void churn(double fraction, Duration over) {
    int n = swarm.members.size();
    int count = (int) (n * fraction);
    long step = over.toNanos() / Math.max(1, count);
    restarts++;
    for (int c = 0; c < count; c++) {
      int victim = 1 + random.nextInt(n - 1);
      swarm.net.schedule(
          Duration.ofNanos(step * c),
          () -> {
            swarm.stop(victim);
            swarm.start(victim, bootstrapFor(n), seedFor(victim) + 104729L * restarts);
          });
    }
    swarm.net.runFor(over);
  }

  public DhtSwarm.Member randomOnline() {
    while (true) {
      DhtSwarm.Member m = swarm.members.get(random.nextInt(swarm.members.size()));
      if (m.online()) {
        return m;
      }
    }
  }

  /** The ids of the k online nodes closest to {@code target}. */
  public List<NodeId> trueClosest(NodeId target, int k) {
    List<NodeId> ids = new ArrayList<>();
    for (DhtSwarm.Member m : swarm.members) {
      if (m.online()) {
        ids.add(m.node.selfId());
      }
    }
    ids.sort(target::compareDistance);
    return ids.subList(0, Math.min(k, ids.size()));
  }

  /** Runs one lookup to completion (virtual time) and returns its result. */
  public LookupResult run(DhtSwarm.Member from, Consumer<Consumer<LookupResult>> start) {
    LookupResult[] out = new LookupResult[1];
    start.accept(r -> out[0] = r);
    swarm.net.wake(from.binding);
    swarm.net.runUntil(() -> out[0] != null, Duration.ofSeconds(60));
    return out[0];
  }

  public NodeId randomId() {
    return NodeId.random(random);
  }

  public Random random() {
    return random;
  }

  /** Health of the routing tables of online nodes. */
  public record Health(double avgSize, double goodFraction, double badFraction, int emptyTables) {}

  public Health health() {
    long size = 0;
    long good = 0;
    long bad = 0;
    int online = 0;
    int empty = 0;
    long now = swarm.net.nowNanos();
    for (DhtSwarm.Member m : swarm.members) {
      if (!m.online()) {
        continue;
      }
      online++;
      Map<NodeStatus, Integer> c = m.node.routingTable().statusCounts(now);
      int s = m.node.routingTable().size();
      size += s;
      good += c.get(NodeStatus.GOOD);
      bad += c.get(NodeStatus.BAD);
      if (s == 0) {
        empty++;
      }
    }
    return new Health(
        (double) size / online,
        (double) good / Math.max(1, size),
        (double) bad / Math.max(1, size),
        empty);
  }
}
