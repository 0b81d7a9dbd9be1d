package io.natswarm.bench;

import io.natswarm.datagram.Deadlines;
import io.natswarm.datagram.Transmit;
import io.natswarm.dht.DhtConfig;
import io.natswarm.dht.DhtCounters;
import io.natswarm.dht.DhtNode;
import io.natswarm.dht.DhtPort;
import io.natswarm.dht.krpc.KrpcMethod;
import io.natswarm.dht.krpc.KrpcWriter;
import io.natswarm.dht.routing.NodeId;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code bench/run dht-throughput [seconds] [window]}: KRPC queries answered per second by one
 * {@link DhtNode} driven by one thread over a loopback {@link DatagramChannel}; the load comes from
 * a second JVM (started here, killed in finally) that keeps {@code window} queries in flight, a mix
 * of ping, find_node and get_peers from 256 node ids. The per-source rate limit is turned off for
 * this measurement (it would hold one source to 50 queries a second). Reports the median of
 * one-second windows after a warm-up.
 */
public final class DhtThroughputBench {
  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("generator")) {
      Generator.run(args);
      return;
    }
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 12;
    int window = args.length > 1 ? Integer.parseInt(args[1]) : 128;
    int warmup = 3;

    DhtNode node =
        new DhtNode(
            DhtConfig.builder().seed(1).loopback().queriesPerSecond(0, 1).build(),
            DhtPort.NONE,
            System.nanoTime());
    DatagramChannel ch = DatagramChannel.open();
    ch.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
    ch.setOption(StandardSocketOptions.SO_SNDBUF, 4 << 20);
    ch.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    int port = ((InetSocketAddress) ch.getLocalAddress()).getPort();
    AtomicLong answered = new AtomicLong();
    Thread loop = new Thread(() -> serve(node, ch, answered), "dht-loop");
    loop.start();

    String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    Process gen =
        new ProcessBuilder(
                java,
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                DhtThroughputBench.class.getName(),
                "generator",
                Integer.toString(port),
                Integer.toString(seconds + 1),
                Integer.toString(window))
            .redirectErrorStream(true)
            .start();
    List<Double> perSecond = new ArrayList<>();
    String genOut;
    try {
      long last = answered.get();
      long t = System.nanoTime();
      for (int s = 0; s < seconds; s++) {
        Thread.sleep(1000);
        long now = System.nanoTime();
        long a = answered.get();
        if (s >= warmup) {
          perSecond.add((a - last) / ((now - t) / 1e9));
        }
        last = a;
        t = now;
      }
      gen.waitFor(10, TimeUnit.SECONDS); // it stops by itself one second later
      genOut = gen.isAlive() ? "(still running; killed)" : readAll(gen);
    } finally {
      if (gen.isAlive()) {
        ProcessHandle.of(gen.pid()).ifPresent(ProcessHandle::destroyForcibly);
        gen.waitFor(5, TimeUnit.SECONDS);
      }
      ch.close();
      loop.join(5000);
    }
    double[] v = perSecond.stream().mapToDouble(Double::doubleValue).toArray();
    BenchReport rep = new BenchReport("dht-throughput");
    rep.columns("figure", "value");
    rep.row("window (queries in flight)", (double) window);
    rep.row("one-second samples", (double) v.length);
    rep.row("queries/s median", BenchReport.median(v));
    rep.row("queries/s min", Arrays.stream(v).min().orElse(0));
    rep.row("queries/s max", Arrays.stream(v).max().orElse(0));
    DhtCounters counters = node.counters(); // the loop thread has ended: no race
    rep.row("node: queries in", (double) counters.queriesIn());
    rep.row("node: datagrams out", (double) counters.datagramsOut());
    rep.row("node: bad datagrams", (double) counters.badDatagrams());
    rep.row("node: routing table size", (double) node.routingTable().size());
    rep.row("generator", genOut.strip().replace('\n', ' '));
    rep.result("queries_per_second", BenchReport.median(v));
    rep.print(System.out);
  }

  private static String readAll(Process p) throws IOException {
    StringBuilder sb = new StringBuilder();
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        sb.append(line).append('\n');
      }
    }
    return sb.toString();
  }

  /**
   * The node's event loop: one thread, blocking receive, drain the node's output through one reused
   * {@link Transmit}. The answered count is published from a counter snapshot at most once a
   * millisecond (a snapshot per datagram would add an allocation per packet to what is measured).
   */
  private static void serve(DhtNode node, DatagramChannel ch, AtomicLong answered) {
    ByteBuffer in = ByteBuffer.allocateDirect(65_536);
    Transmit out = Transmit.heap();
    long published = System.nanoTime();
    try {
      while (true) {
        in.clear();
        InetSocketAddress from = (InetSocketAddress) ch.receive(in);
        in.flip();
        long now = System.nanoTime();
        node.handleDatagram(in, from, now);
        while (true) {
          out.clear();
          if (!node.pollTransmit(out, now)) {
            break;
          }
          ByteBuffer b = out.buffer();
          b.flip();
          ch.send(b, out.destination());
        }
        if (Deadlines.isDue(node.pollTimeout(), now)) {
          node.handleTimeout(now);
        }
        if (now - published >= 1_000_000L) {
          published = now;
          DhtCounters c = node.counters();
          answered.lazySet(c.queriesIn() - c.rateLimited());
        }
      }
    } catch (ClosedChannelException e) {
      // the benchmark is over
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The load generator: a separate JVM keeping a window of queries in flight. */
  static final class Generator {
    private Generator() {}

    static void run(String[] args) throws IOException {
      int port = Integer.parseInt(args[1]);
      long until = System.nanoTime() + Long.parseLong(args[2]) * 1_000_000_000L;
      int window = Integer.parseInt(args[3]);
      Random random = new Random(7);
      byte[][] ids = new byte[256][];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = NodeId.random(random).toBytes();
      }
      List<ByteBuffer> templates = new ArrayList<>();
      for (int i = 0; i < 1024; i++) {
        ByteBuffer b = ByteBuffer.allocateDirect(512);
        KrpcWriter.beginQuery(b, ids[i % ids.length]);
        KrpcMethod m =
            switch (i % 3) {
              case 0 -> KrpcMethod.PING;
              case 1 -> KrpcMethod.FIND_NODE;
              default -> KrpcMethod.GET_PEERS;
            };
        if (m == KrpcMethod.FIND_NODE) {
          KrpcWriter.target(b, NodeId.random(random).toBytes());
        } else if (m == KrpcMethod.GET_PEERS) {
          KrpcWriter.infoHash(b, NodeId.random(random).toBytes());
        }
        KrpcWriter.endQuery(b, m, false, i);
        b.flip();
        templates.add(b);
      }
      DatagramChannel ch = DatagramChannel.open();
      ch.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
      ch.setOption(StandardSocketOptions.SO_SNDBUF, 4 << 20);
      ch.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      ch.configureBlocking(false);
      ByteBuffer rx = ByteBuffer.allocateDirect(65_536);
      long sent = 0;
      long received = 0;
      int outstanding = 0;
      long lastProgress = System.nanoTime();
      int next = 0;
      while (System.nanoTime() < until) {
        while (outstanding < window) {
          ByteBuffer t = templates.get(next++ & 1023);
          t.rewind();
          if (ch.write(t) == 0) {
            break;
          }
          outstanding++;
          sent++;
        }
        boolean progress = false;
        while (true) {
          rx.clear();
          int n = ch.read(rx);
          if (n <= 0) {
            break;
          }
          received++;
          outstanding = Math.max(0, outstanding - 1);
          progress = true;
        }
        long now = System.nanoTime();
        if (progress) {
          lastProgress = now;
        } else if (now - lastProgress > 20_000_000L) {
          outstanding = 0; // lost datagrams: refill the window
          lastProgress = now;
        }
      }
      System.out.println("sent=" + sent + " received=" + received);
    }
  }
}
