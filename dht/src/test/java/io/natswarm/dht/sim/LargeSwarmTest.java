package io.natswarm.dht.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.natswarm.dht.LookupResult;
import io.natswarm.dht.routing.NodeId;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 4's deterministic test: a DHT population with 20-300 ms round trips, 5 % loss and 20 %
 * churn. Lookups must converge on the true closest online nodes, announces must be found, and the
 * routing tables must stay healthy. 1,000 nodes for a quick run, 10,000 for the full one.
 */
class LargeSwarmTest {
  @ParameterizedTest
  @ValueSource(ints = {1_000, 10_000})
  void lookupsConvergeAnnouncesAreFoundAndTablesStayHealthyUnderChurnAndLoss(int n) {
    long t0 = System.nanoTime();
    SwarmScenario sc = new SwarmScenario(11, n, 0.0253, b -> {});
    sc.join(Duration.ofSeconds(n / 100 + 20));
    sc.swarm.net.runFor(Duration.ofSeconds(30));
    sc.churn(0.20, Duration.ofSeconds(60));
    sc.swarm.net.runFor(Duration.ofSeconds(30));

    SwarmScenario.Health h = sc.health();
    System.out.println("n=" + n + " health " + h);

    int lookups = 50;
    int exact = 0;
    int atLeast6 = 0;
    for (int i = 0; i < lookups; i++) {
      NodeId target = sc.randomId();
      DhtSwarm.Member from = sc.randomOnline();
      LookupResult r = sc.run(from, cb -> from.node.findNode(target, sc.swarm.net.nowNanos(), cb));
      List<NodeId> truth = sc.trueClosest(target, 8);
      Set<NodeId> found = new HashSet<>();
      r.closest().forEach(x -> found.add(x.id()));
      int hit = (int) truth.stream().filter(found::contains).count();
      exact += hit == 8 ? 1 : 0;
      atLeast6 += hit >= 6 ? 1 : 0;
    }
    System.out.println("n=" + n + " exact=" + exact + " atLeast6=" + atLeast6);
    assertThat(atLeast6)
        .as("lookups finding >= 6 of the true 8 closest")
        .isGreaterThanOrEqualTo(lookups * 9 / 10);
    assertThat(exact)
        .as("lookups finding exactly the true 8 closest")
        .isGreaterThanOrEqualTo(lookups * 7 / 10);

    assertThat(h.emptyTables()).isZero();
    assertThat(h.avgSize()).isGreaterThan(30);
    assertThat(h.goodFraction()).isGreaterThan(0.8);
    assertThat(h.badFraction()).isLessThan(0.10);

    int announces = 20;
    List<NodeId> hashes = new ArrayList<>();
    List<InetSocketAddress> announcers = new ArrayList<>();
    for (int i = 0; i < announces; i++) {
      NodeId ih = sc.randomId();
      DhtSwarm.Member m = sc.randomOnline();
      int port = 4000 + i;
      LookupResult r = sc.run(m, cb -> m.node.announce(ih, port, sc.swarm.net.nowNanos(), cb));
      assertThat(r.announced()).isGreaterThan(0);
      hashes.add(ih);
      announcers.add(new InetSocketAddress(m.address.getAddress(), port));
    }
    sc.swarm.net.runFor(Duration.ofSeconds(5));
    int found = 0;
    for (int i = 0; i < announces; i++) {
      NodeId ih = hashes.get(i);
      DhtSwarm.Member m = sc.randomOnline();
      LookupResult r = sc.run(m, cb -> m.node.getPeers(ih, sc.swarm.net.nowNanos(), cb));
      found += r.peers().contains(announcers.get(i)) ? 1 : 0;
    }
    assertThat(found).isEqualTo(announces);
    System.out.println(
        "n="
            + n
            + " wall ms="
            + (System.nanoTime() - t0) / 1_000_000
            + " events/stats "
            + sc.swarm.net.stats());
  }
}
