package io.natswarm.dht.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.natswarm.dht.LookupResult;
import io.natswarm.dht.routing.NodeId;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A get_peers lookup in a 300-node netsim DHT hands its peers to its {@link
 * io.natswarm.dht.FoundPeers} as each answer brings them: the first peers are heard while the
 * lookup still waits for the rest of the k closest nodes, each peer once, all before the result.
 */
class PeersAsFoundTest {
  @Test
  void peersArriveAnswerByAnswerBeforeTheLookupEnds() {
    int n = 300;
    DhtSwarm s = new DhtSwarm(3, n, 10, 75, 0.0, b -> {});
    List<InetSocketAddress> boot = List.of(s.members.get(0).address);
    s.start(0, List.of(), 1000);
    for (int i = 1; i < n; i++) {
      int j = i;
      s.net.schedule(Duration.ofMillis(20L * i), () -> s.start(j, boot, 1000 + j));
    }
    s.net.runFor(Duration.ofSeconds(30));

    NodeId infoHash = NodeId.random(new Random(9));
    List<InetSocketAddress> announced = new ArrayList<>();
    for (int i : new int[] {17, 101, 222}) {
      AtomicReference<LookupResult> ann = new AtomicReference<>();
      int port = 7000 + i;
      DhtSwarm.Member m = s.members.get(i);
      s.act(m, node -> node.announce(infoHash, port, s.net.nowNanos(), ann::set));
      assertThat(s.net.runUntil(() -> ann.get() != null, Duration.ofSeconds(30))).isTrue();
      announced.add(new InetSocketAddress(m.address.getAddress(), port));
    }
    s.net.runFor(Duration.ofSeconds(2));

    List<InetSocketAddress> heard = new ArrayList<>();
    List<Long> heardAt = new ArrayList<>();
    AtomicReference<LookupResult> result = new AtomicReference<>();
    List<String> order = new ArrayList<>();
    DhtSwarm.Member asker = s.members.get(280);
    s.act(
        asker,
        node ->
            node.getPeers(
                infoHash,
                s.net.nowNanos(),
                peers -> {
                  order.add("peers");
                  heard.addAll(peers);
                  heardAt.add(s.net.nowNanos());
                },
                r -> {
                  order.add("done");
                  result.set(r);
                }));
    assertThat(s.net.runUntil(() -> result.get() != null, Duration.ofSeconds(30))).isTrue();
    LookupResult r = result.get();

    assertThat(heard).containsAll(announced);
    assertThat(heard).doesNotHaveDuplicates().containsExactlyElementsOf(r.peers());
    assertThat(order.get(order.size() - 1)).isEqualTo("done");
    assertThat(order).containsOnlyOnce("done");
    assertThat(heardAt.get(0)).isEqualTo(r.firstPeerAt());
    // the first peers came at least one round trip (>= 40 ms here) before the lookup ended
    assertThat(r.endedAt() - heardAt.get(0))
        .as("nanos between the first peers and the lookup's end")
        .isGreaterThanOrEqualTo(40_000_000L);
    System.out.printf(
        "first peers after %.0f ms, lookup ended after %.0f ms, %d deliveries%n",
        (heardAt.get(0) - r.startedAt()) / 1e6, r.durationNanos() / 1e6, heardAt.size());
  }
}
