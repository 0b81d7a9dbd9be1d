package io.natswarm.node.demo;

import io.natswarm.datagram.UdpEndpoint;
import io.natswarm.dht.DhtConfig;
import io.natswarm.dht.LookupResult;
import io.natswarm.dht.routing.NodeId;
import io.natswarm.node.dht.DhtService;
import io.natswarm.node.net.NodeSocket;
import io.natswarm.node.net.NodeSocketSettings;
import io.natswarm.utp.stream.UtpChannel;
import io.natswarm.utp.stream.UtpServerSocket;
import io.natswarm.utp.stream.UtpSocket;
import java.io.Closeable;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A private DHT of nodes on loopback, each node one UDP socket shared by its DHT and its µTP: one
 * node announces a torrent's info-hash, another finds it with a get_peers lookup and then dials the
 * peer it found over µTP on that very socket.
 */
public final class DhtSwarmDemo {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private DhtSwarmDemo() {}

  /** One demo node: a socket, its µTP and its DHT. */
  private record DemoNode(UdpEndpoint udp, UtpSocket utp, DhtService dht) {}

  /** Runs the demo with {@code count} nodes; returns whether the peer was found and reached. */
  public static boolean run(int count, PrintStream out)
      throws IOException, InterruptedException, ExecutionException, TimeoutException {
    Deque<Closeable> open = new ArrayDeque<>();
    try {
      List<DemoNode> nodes = new ArrayList<>();
      InetSocketAddress first = null;
      for (int i = 0; i < count; i++) {
        UdpEndpoint udp =
            UdpEndpoint.builder()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .threadName("demo-node-" + i)
                .open();
        open.push(udp);
        DhtConfig.Builder config = DhtConfig.builder().loopback().seed(i);
        if (first != null) {
          config.bootstrapNodes(List.of(first));
        }
        // The production composition: µTP and the DHT on one demultiplexer, built in one place.
        NodeSocket socket =
            NodeSocket.open(udp, NodeSocketSettings.utpOnly().withDhtV4(config.build()));
        UtpSocket utp = UtpSocket.over(udp, socket.utp(), UtpSocket.DEFAULT_STREAM_BUFFER_BYTES);
        open.push(utp);
        DhtService dht = DhtService.over(udp, socket.dhtV4());
        open.push(dht);
        nodes.add(new DemoNode(udp, utp, dht));
        if (first == null) {
          first = udp.localAddress();
        }
      }
      out.printf(
          "  %d nodes on loopback, each one UDP socket for its DHT and its µTP; all bootstrap from %s%n",
          count, first);
      List<CompletableFuture<LookupResult>> joins = new ArrayList<>();
      for (DemoNode n : nodes.subList(1, nodes.size())) {
        joins.add(n.dht().bootstrap());
      }
      CompletableFuture.allOf(joins.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
      // A second round lets the early joiners learn about the late ones.
      List<CompletableFuture<LookupResult>> refresh = new ArrayList<>();
      for (DemoNode n : nodes) {
        refresh.add(n.dht().bootstrap());
      }
      CompletableFuture.allOf(refresh.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
      int tableSizes = 0;
      for (DemoNode n : nodes) {
        tableSizes += n.dht().inspect(d -> d.routingTable().size());
      }
      out.printf(
          "  joined: %.1f nodes in each routing table on average%n", (double) tableSizes / count);

      NodeId infoHash = NodeId.of(sha1("natswarm demo torrent"));
      DemoNode seeder = nodes.get(count / 3);
      DemoNode leecher = nodes.get(count - 2);
      UtpServerSocket server = seeder.utp().listen();
      LookupResult announced = seeder.dht().announce(infoHash, 0).get(30, TimeUnit.SECONDS);
      out.printf(
          "  node %s announced info-hash %s... to %d nodes (%d queries, %.0f ms)%n",
          seeder.udp().localAddress(),
          infoHash.toString().substring(0, 12),
          announced.announced(),
          announced.queries(),
          announced.durationNanos() / 1e6);
      LookupResult found = leecher.dht().getPeers(infoHash).get(30, TimeUnit.SECONDS);
      out.printf(
          Locale.ROOT,
          "  node %s looked it up: %d peer(s) %s after %d queries in %.0f ms%n",
          leecher.udp().localAddress(),
          found.peers().size(),
          found.peers(),
          found.queries(),
          found.durationNanos() / 1e6);
      if (!found.peers().contains(seeder.udp().localAddress())) {
        out.println("  the announced peer was NOT found");
        return false;
      }
      try (UtpChannel dialed = leecher.utp().connect(seeder.udp().localAddress(), TIMEOUT);
          UtpChannel accepted = server.accept(TIMEOUT)) {
        dialed.write(ByteBuffer.wrap("hello from the DHT".getBytes(StandardCharsets.UTF_8)));
        dialed.shutdownOutput();
        ByteBuffer got = ByteBuffer.allocate(64);
        while (accepted.read(got) >= 0 && got.hasRemaining()) {
          // read until the sender's FIN
        }
        got.flip();
        out.printf(
            "  and dialed it over µTP on the same socket: it received \"%s\"%n",
            StandardCharsets.UTF_8.decode(got));
      }
      return true;
    } finally {
      while (!open.isEmpty()) {
        open.pop().close();
      }
    }
  }

  private static byte[] sha1(String s) {
    try {
      return MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-1", e);
    }
  }
}
