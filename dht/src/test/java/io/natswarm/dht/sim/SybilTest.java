package io.natswarm.dht.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.natswarm.dht.DhtConfig;
import io.natswarm.dht.DhtNode;
import io.natswarm.dht.DhtPort;
import io.natswarm.dht.LookupResult;
import io.natswarm.dht.routing.NodeEntry;
import io.natswarm.dht.routing.NodeId;
import io.natswarm.netsim.Host;
import io.natswarm.netsim.LinkConfig;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A Sybil attacker with 200 hosts in one /24, all with ids next to the victim's, floods the victim
 * with queries and answers its pings. The per-/24 bucket cap keeps it to at most two nodes per
 * bucket, and the victim's lookups still reach honest nodes.
 */
class SybilTest {
  @Test
  void oneSubnetCannotTakeOverABucket() {
    SwarmScenario sc = new SwarmScenario(5, 300, 0.0, b -> {});
    sc.join(Duration.ofSeconds(10));
    DhtSwarm.Member victim = sc.swarm.members.get(1);
    NodeId vid = victim.node.selfId();
    Random r = new Random(99);
    List<DhtSwarm.Member> sybils = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      Host h = sc.swarm.net.addHost("sybil" + i, sc.swarm.net.internet(), "6.6.6." + (i + 1));
      h.link(LinkConfig.builder().delayMillis(5).build());
      DhtSwarm.Member m =
          new DhtSwarm.Member(1000 + i, h, new InetSocketAddress(h.addresses().get(0), 6881), 5);
      // ids sharing 12 to 30 leading bits with the victim: aimed at its closest buckets
      NodeId id = vid.randomWithPrefix(12 + r.nextInt(19), r);
      m.node =
          new DhtNode(
              DhtConfig.builder()
                  .nodeId(id)
                  .seed(i)
                  .bootstrapNodes(List.of(victim.address))
                  .build(),
              DhtPort.NONE,
              sc.swarm.net.nowNanos());
      m.binding = h.bind(6881, m.node);
      sybils.add(m);
    }
    for (int round = 0; round < 5; round++) {
      for (DhtSwarm.Member m : sybils) {
        sc.swarm.act(m, n -> n.bootstrap(sc.swarm.net.nowNanos(), x -> {}));
      }
      sc.swarm.net.runFor(Duration.ofSeconds(5));
    }
    long sybilNodes = 0;
    for (int b = 0; b < victim.node.routingTable().bucketCount(); b++) {
      long inBucket =
          victim.node.routingTable().bucket(b).stream()
              .filter(e -> e.address().getAddress().getHostAddress().startsWith("6.6.6."))
              .count();
      assertThat(inBucket).as("sybil nodes in bucket %d", b).isLessThanOrEqualTo(2);
      sybilNodes += inBucket;
    }
    assertThat(sybilNodes).as("the attacker did reach the table").isPositive();
    // the victim's closest nodes to itself are still mostly honest
    NodeEntry[] closest = new NodeEntry[8];
    int n = victim.node.routingTable().closest(vid, closest, 8, sc.swarm.net.nowNanos());
    long honest =
        java.util.Arrays.stream(closest, 0, n)
            .filter(e -> !e.address().getAddress().getHostAddress().startsWith("6.6.6."))
            .count();
    assertThat(honest).isGreaterThanOrEqualTo(4);
    // and a lookup from the victim still finds the honest closest nodes of a random target
    NodeId target = sc.randomId();
    AtomicReference<LookupResult> res = new AtomicReference<>();
    sc.swarm.act(victim, v -> v.findNode(target, sc.swarm.net.nowNanos(), res::set));
    sc.swarm.net.runUntil(() -> res.get() != null, Duration.ofSeconds(30));
    List<NodeId> truth = sc.trueClosest(target, 8);
    long hits = res.get().closest().stream().filter(x -> truth.contains(x.id())).count();
    assertThat(hits).isGreaterThanOrEqualTo(6);
  }
}
