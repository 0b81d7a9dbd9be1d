package io.natswarm.dht.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.natswarm.dht.LookupResult;
import io.natswarm.dht.routing.NodeId;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class SmallSwarmTest {
  @Test
  void lookupsConvergeOnTheTrueClosestAndAnnouncesAreFound() {
    int n = 300;
    DhtSwarm s = new DhtSwarm(1, n, 10, 75, 0.0, b -> {});
    List<InetSocketAddress> boot = List.of(s.members.get(0).address);
    s.start(0, List.of(), 1000);
    for (int i = 1; i < n; i++) {
      int j = i;
      s.net.schedule(Duration.ofMillis(20L * i), () -> s.start(j, boot, 1000 + j));
    }
    s.net.runFor(Duration.ofSeconds(30));
    int total = 0;
    for (DhtSwarm.Member m : s.members) {
      total += m.node.routingTable().size();
    }
    assertThat(total / n).as("average table size").isGreaterThan(20);

    NodeId target = NodeId.random(new java.util.Random(5));
    AtomicReference<LookupResult> result = new AtomicReference<>();
    DhtSwarm.Member asker = s.members.get(123);
    s.act(asker, node -> node.findNode(target, s.net.nowNanos(), result::set));
    assertThat(s.net.runUntil(() -> result.get() != null, Duration.ofSeconds(30))).isTrue();
    List<NodeId> truth = new ArrayList<>();
    for (DhtSwarm.Member m : s.members) {
      truth.add(m.node.selfId());
    }
    truth.sort((a, b) -> target.compareDistance(a, b));
    List<NodeId> found = result.get().closest().stream().map(LookupResult.NodeRef::id).toList();
    assertThat(found).containsExactlyElementsOf(truth.subList(0, 8));

    // announce from one node, find from another
    NodeId infoHash = NodeId.random(new java.util.Random(6));
    AtomicReference<LookupResult> ann = new AtomicReference<>();
    s.act(s.members.get(7), node -> node.announce(infoHash, 5555, s.net.nowNanos(), ann::set));
    assertThat(s.net.runUntil(() -> ann.get() != null, Duration.ofSeconds(30))).isTrue();
    assertThat(ann.get().announced()).isEqualTo(8);
    s.net.runFor(Duration.ofSeconds(2));
    AtomicReference<LookupResult> get = new AtomicReference<>();
    s.act(s.members.get(250), node -> node.getPeers(infoHash, s.net.nowNanos(), get::set));
    assertThat(s.net.runUntil(() -> get.get() != null, Duration.ofSeconds(30))).isTrue();
    assertThat(get.get().peers())
        .contains(new InetSocketAddress(s.members.get(7).address.getAddress(), 5555));
    System.out.println(
        "lookup ms="
            + result.get().durationNanos() / 1e6
            + " queries="
            + result.get().queries()
            + " get ms="
            + get.get().durationNanos() / 1e6);
  }
}
