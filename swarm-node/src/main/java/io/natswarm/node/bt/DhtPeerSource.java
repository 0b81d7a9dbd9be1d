package io.natswarm.node.bt;

import bt.metainfo.TorrentId;
import bt.net.HandshakeHandler;
import bt.net.PeerConnection;
import bt.peer.IPeerRegistry;
import bt.protocol.Handshake;
import io.natswarm.dht.FoundPeers;
import io.natswarm.dht.LookupResult;
import io.natswarm.dht.routing.NodeId;
import io.natswarm.node.DaemonThreads;
import io.natswarm.node.dht.DhtService;
import io.natswarm.node.dht.RoutingTableFile;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DHT (BEP 5) as a peer source for Bt: joins once, announces each torrent when it starts (an
 * announce is a get_peers lookup followed by announce_peer, so it also finds peers) and again every
 * {@link #REANNOUNCE_SECONDS}, and pushes the peers found into Bt's registry and into the node's
 * own candidate list ({@link DirectPeers}), which re-feeds Bt at every discovery interval, so a
 * peer whose connection dropped is dialled again.
 *
 * <p>It is also Bt's handshake handler for the DHT bit (BEP 5: the last reserved bit) and the BEP 5
 * PORT message: it sets the bit in our handshakes, sends PORT to peers that set it, and pings the
 * DHT node a peer's PORT names (it may then join our routing table).
 *
 * <p>When the node keeps a routing-table file ({@link RoutingTableFile}), it was restored before
 * the join and is saved when this source closes (the node's close, SIGTERM for the command line).
 *
 * <p>Peers are pushed as each get_peers answer of the announce's lookup brings them ({@link
 * FoundPeers}), not when the lookup ends.
 *
 * <p>Threads: DHT lookups report peers and complete on the UDP event loop; the peers are handed to
 * this source's own thread before Bt is called (Bt's event bus fires listeners synchronously under
 * its monitor: never call Bt from the UDP loop). Handshake and message callbacks run on Bt's
 * threads and only call the DHT service, which queues work on the loop.
 */
final class DhtPeerSource implements HandshakeHandler, AutoCloseable {
  /** How often a running torrent is announced again (BEP 5 peers expire after about 30 min). */
  static final long REANNOUNCE_SECONDS = 15 * 60;

  private static final Logger LOG = LoggerFactory.getLogger(DhtPeerSource.class);

  private final DhtService dht;
  private final int port;
  private final InetSocketAddress self;
  private final DirectPeers candidates;
  private final ScheduledExecutorService worker;
  private final CompletableFuture<LookupResult> joined;
  private final RoutingTableFile table; // null: the table is not kept
  private final AtomicLong peersPushed = new AtomicLong();
  private volatile IPeerRegistry registry;

  DhtPeerSource(
      DhtService dht, InetSocketAddress self, DirectPeers candidates, RoutingTableFile table) {
    this.dht = dht;
    this.table = table;
    this.port = self.getPort();
    this.self = self;
    this.candidates = candidates;
    this.worker =
        Executors.newSingleThreadScheduledExecutor(
            DaemonThreads.named("natswarm-dht-peers-" + self.getPort()));
    this.joined = dht.bootstrap();
  }

  /** Bt's registry, once Bt's runtime exists. */
  void attach(IPeerRegistry registry) {
    this.registry = registry;
  }

  /** Peers handed to Bt so far. */
  long peersPushed() {
    return peersPushed.get();
  }

  DhtService service() {
    return dht;
  }

  /** Announces {@code torrent} now (after joining) and periodically until {@code stop}. */
  Runnable announce(TorrentId torrent) {
    NodeId target = NodeId.of(torrent.getBytes());
    // Peers are pushed as each get_peers answer brings them (on the loop, handed to our thread),
    // not when the whole lookup ends: the first peer is dialled while the lookup still waits for
    // the rest of the k closest nodes. The final result lists the same peers: nothing more to do.
    FoundPeers found = peers -> handOver(torrent, peers);
    Runnable once =
        () -> {
          var unused =
              joined
                  .handle((r, e) -> null)
                  .thenCompose(x -> dht.announce(target, port, found))
                  .whenComplete(
                      (r, e) -> {
                        if (e != null) {
                          LOG.debug("DHT announce of {} failed: {}", torrent, e.toString());
                        } else {
                          LOG.debug(
                              "DHT announce of {}: {} peer(s), {} queries",
                              torrent,
                              r.peers().size(),
                              r.queries());
                        }
                      });
        };
    once.run();
    var task =
        worker.scheduleWithFixedDelay(
            once, REANNOUNCE_SECONDS, REANNOUNCE_SECONDS, TimeUnit.SECONDS);
    return () -> task.cancel(false);
  }

  /** On the UDP event loop: hands {@code peers} to this source's thread (never to Bt here). */
  private void handOver(TorrentId torrent, List<InetSocketAddress> peers) {
    try {
      worker.execute(() -> push(torrent, peers));
    } catch (RejectedExecutionException e) {
      // closed: the node is going away
    }
  }

  /** On this source's thread: hands {@code peers} to Bt and to the candidate list. */
  private void push(TorrentId torrent, List<InetSocketAddress> peers) {
    IPeerRegistry r = registry;
    for (InetSocketAddress p : peers) {
      if (p.equals(self)) {
        continue;
      }
      candidates.add(torrent, p);
      if (r != null) {
        r.addPeer(torrent, DirectPeers.btPeer(p));
        peersPushed.incrementAndGet();
      }
    }
    LOG.debug("DHT: {} peer(s) for {}", peers.size(), torrent);
  }

  @Override
  public void processOutgoingHandshake(Handshake handshake) {
    handshake.setReservedBit(DhtPort.RESERVED_BIT);
  }

  @Override
  public void processIncomingHandshake(PeerConnection connection, Handshake peerHandshake) {
    if (peerHandshake.isReservedBitSet(DhtPort.RESERVED_BIT)) {
      try {
        connection.postMessage(new DhtPort(port));
      } catch (IOException | RuntimeException e) {
        LOG.debug("sending PORT to {}: {}", connection, e.toString());
      }
    }
  }

  /** Called by {@link DhtPortConsumer}: a peer's PORT names its DHT node; ping it. */
  void portReceived(InetSocketAddress dhtNode) {
    if (dhtNode.getPort() == 0) {
      return;
    }
    try {
      dht.ping(dhtNode);
    } catch (RuntimeException e) {
      LOG.debug("DHT ping after PORT: {}", e.toString());
    }
  }

  /** Stops pushing peers, saves the routing table (when kept) and stops the DHT node. */
  @Override
  public void close() {
    worker.shutdownNow();
    if (table != null) {
      try {
        table.saveFrom(dht);
      } catch (IOException | RuntimeException e) {
        LOG.warn("could not save the DHT routing table to {}: {}", table.path(), e.toString());
      }
      try {
        table.close();
      } catch (IOException e) {
        LOG.debug("releasing {}: {}", table.path(), e.toString());
      }
    }
    dht.close();
  }
}
