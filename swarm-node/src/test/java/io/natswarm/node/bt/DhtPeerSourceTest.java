package io.natswarm.node.bt;

import static org.assertj.core.api.Assertions.assertThat;

import bt.metainfo.TorrentId;
import bt.net.Peer;
import io.natswarm.datagram.UdpEndpoint;
import io.natswarm.dht.DhtConfig;
import io.natswarm.dht.DhtNode;
import io.natswarm.dht.DhtPort;
import io.natswarm.dht.routing.NodeId;
import io.natswarm.node.dht.DhtService;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The DHT peer source hands peers on as each get_peers answer brings them, not when the lookup
 * ends: on loopback, the asking node's lookup also waits on a node that has gone silent (until its
 * query times out, 3 s), yet the peer that the bootstrap node's answer names reaches the node's
 * candidate list while that lookup is still running.
 */
@Timeout(60)
class DhtPeerSourceTest {
  private final Deque<AutoCloseable> open = new ArrayDeque<>();

  /** A DHT node on its own loopback socket. */
  private record Node(UdpEndpoint udp, DhtService dht) {}

  private Node start(List<InetSocketAddress> bootstrap, long seed) throws Exception {
    UdpEndpoint udp =
        UdpEndpoint.builder()
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .open();
    open.push(udp);
    DhtService dht =
        DhtService.start(
            udp,
            DhtConfig.builder().loopback().seed(seed).bootstrapNodes(bootstrap).build(),
            DhtPort.NONE);
    open.push(dht);
    if (!bootstrap.isEmpty()) {
      dht.bootstrap().get(10, TimeUnit.SECONDS);
    }
    return new Node(udp, dht);
  }

  @AfterEach
  void closeAll() throws Exception {
    while (!open.isEmpty()) {
      open.pop().close();
    }
  }

  @Test
  void peersReachTheCandidatesBeforeTheLookupEnds() throws Exception {
    Node a = start(List.of(), 1);
    List<InetSocketAddress> viaA = List.of(a.udp().localAddress());
    Node silent = start(viaA, 2);
    Node announcer = start(viaA, 3);
    byte[] hash = new byte[20];
    hash[0] = 42;
    // stored by the nodes the announcer knows: the bootstrap node and the soon-silent one
    announcer.dht().announce(NodeId.of(hash), 7777).get(10, TimeUnit.SECONDS);

    Node asker = start(viaA, 4);
    int known = asker.dht().inspect((DhtNode n) -> n.routingTable().size());
    assertThat(known)
        .as("the asker knows the bootstrap node, the announcer and the soon-silent node")
        .isEqualTo(3);
    DirectPeers candidates = new DirectPeers();
    TorrentId torrent = TorrentId.fromBytes(hash);
    try (DhtPeerSource source =
        new DhtPeerSource(asker.dht(), asker.udp().localAddress(), candidates, null)) {
      silent.dht().close(); // still in the asker's table, but it answers nothing from now on
      silent.udp().close();
      Runnable stop = source.announce(torrent);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (candidates.snapshot(torrent).isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      int lookupsRunning = asker.dht().inspect(DhtNode::activeLookups);

      assertThat(candidates.snapshot(torrent))
          .extracting(Peer::getInetAddress, Peer::getPort)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple(InetAddress.getLoopbackAddress(), 7777));
      assertThat(lookupsRunning)
          .as("the announce's lookup, still waiting for the silent node")
          .isEqualTo(1);
      stop.run();
    }
  }
}
