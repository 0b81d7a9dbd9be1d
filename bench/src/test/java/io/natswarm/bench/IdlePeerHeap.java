package io.natswarm.bench;

import io.natswarm.node.SharedTorrent;
import io.natswarm.node.SwarmNode;
import io.natswarm.node.SwarmNodeSettings;
import io.natswarm.node.Transfer;
import io.natswarm.node.TransferProgress;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The heap a natswarm node spends on idle peer connections: a node at its shipped defaults ({@link
 * SwarmNodeSettings#loopback()}) seeds a 1 MiB torrent; the used heap after {@link System#gc()} is
 * taken with no peer, then with {@code peers} idle peers of one transport connected ({@link
 * IdlePeerHerd}, in a JVM of its own so that its memory is not counted here), and the difference is
 * divided by the connections the node itself reports ({@link TransferProgress#utpPeers()} or {@link
 * TransferProgress#tcpPeers()}). Direct buffers (outside the heap) are reported alongside.
 */
final class IdlePeerHeap {
  /** How long the node has to report every idle peer as connected. */
  private static final long CONNECT_LIMIT_MILLIS = 60_000;

  /**
   * One measurement.
   *
   * @param transport "utp" or "tcp"
   * @param handshaken connections the idle peers completed the handshake on
   * @param connected connections the node reported for this transport when measured
   * @param heapBeforeBytes used heap after GC with no peer
   * @param heapAfterBytes used heap after GC with the peers connected
   * @param directBeforeBytes direct buffers with no peer
   * @param directAfterBytes direct buffers with the peers connected
   */
  record Figure(
      String transport,
      int handshaken,
      int connected,
      long heapBeforeBytes,
      long heapAfterBytes,
      long directBeforeBytes,
      long directAfterBytes) {
    double heapKibPerPeer() {
      return (heapAfterBytes - heapBeforeBytes) / 1024.0 / connected;
    }

    double directKibPerPeer() {
      return (directAfterBytes - directBeforeBytes) / 1024.0 / connected;
    }
  }

  private IdlePeerHeap() {}

  /** Measures {@code peers} idle connections over {@code transport} ("utp" or "tcp"). */
  static Figure measure(String transport, int peers, Path dir) throws Exception {
    Path file = dir.resolve("idle-" + transport + ".bin");
    byte[] data = new byte[1 << 20];
    new Random(7).nextBytes(data);
    Files.write(file, data);
    try (SwarmNode node = SwarmNode.start(SwarmLoopbackBench.nodeSettings())) {
      SharedTorrent shared = node.share(file);
      Transfer t = shared.transfer();
      t.completion().get(30, TimeUnit.SECONDS);
      long heap0 = usedHeapAfterGc();
      long direct0 = directBytes();
      List<String> cmd =
          List.of(
              Path.of(System.getProperty("java.home"), "bin", "java").toString(),
              "-Xmx512m",
              "-cp",
              System.getProperty("java.class.path"),
              IdlePeerHerd.class.getName(),
              transport,
              node.listenAddress().getAddress().getHostAddress(),
              Integer.toString(node.listenAddress().getPort()),
              shared.infoHash(),
              Integer.toString(peers));
      Process herd = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      try {
        String line = firstLine(herd, CONNECT_LIMIT_MILLIS);
        if (line == null || !line.startsWith("handshaken ")) {
          throw new IOException("idle peers (" + transport + ") said " + line);
        }
        String rest = line.substring("handshaken ".length());
        int handshaken = Integer.parseInt(rest.substring(0, rest.indexOf(' ')));
        long deadline = System.currentTimeMillis() + CONNECT_LIMIT_MILLIS;
        while (count(t, transport) < handshaken && System.currentTimeMillis() < deadline) {
          Thread.sleep(50);
        }
        // Lets the node finish what each new connection starts (its bitfield, extended handshake).
        Thread.sleep(2000);
        int before = count(t, transport);
        long heap1 = usedHeapAfterGc();
        long direct1 = directBytes();
        int after = count(t, transport);
        int connected = Math.min(before, after);
        if (connected < peers * 9 / 10) {
          throw new IOException(
              "the node reported "
                  + before
                  + " then "
                  + after
                  + " "
                  + transport
                  + " connections of "
                  + peers
                  + " idle peers ("
                  + handshaken
                  + " handshaken): "
                  + t.progress());
        }
        return new Figure(transport, handshaken, connected, heap0, heap1, direct0, direct1);
      } finally {
        herd.getOutputStream().close();
        if (!herd.waitFor(10, TimeUnit.SECONDS)) {
          herd.destroyForcibly();
          herd.waitFor(5, TimeUnit.SECONDS);
        }
      }
    } finally {
      Files.deleteIfExists(file);
    }
  }

  private static int count(Transfer t, String transport) {
    TransferProgress p = t.progress();
    return transport.equals("utp") ? p.utpPeers() : p.tcpPeers();
  }

  private static String firstLine(Process p, long timeoutMillis) throws Exception {
    BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<String> line =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return r.readLine();
              } catch (IOException e) {
                return null;
              }
            });
    return line.get(timeoutMillis, TimeUnit.MILLISECONDS);
  }

  /** The least used heap seen over five full collections (other threads allocate in between). */
  static long usedHeapAfterGc() throws InterruptedException {
    long least = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      Thread.sleep(100);
      least = Math.min(least, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }
    return least;
  }

  private static long directBytes() {
    long sum = 0;
    for (BufferPoolMXBean b : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
      if (b.getName().equals("direct")) {
        sum += b.getMemoryUsed();
      }
    }
    return sum;
  }
}
