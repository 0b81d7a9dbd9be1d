package io.natswarm.bench;

import io.natswarm.datagram.DatagramKind;
import io.natswarm.datagram.Transmit;
import io.natswarm.datagram.UdpEndpoint;
import io.natswarm.dht.DhtConfig;
import io.natswarm.dht.DhtCounters;
import io.natswarm.dht.DhtNode;
import io.natswarm.dht.DhtPort;
import io.natswarm.dht.krpc.KrpcError;
import io.natswarm.dht.krpc.KrpcKind;
import io.natswarm.dht.krpc.KrpcMessage;
import io.natswarm.dht.krpc.KrpcMethod;
import io.natswarm.dht.krpc.KrpcParser;
import io.natswarm.dht.krpc.KrpcWriter;
import io.natswarm.dht.routing.NodeId;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * {@code bench/run dht-throughput [seconds] [window] [sources]}: KRPC responses per second that a
 * load generator receives from one {@link DhtNode} with the module's shipped defaults (the
 * per-source query limit of 50 a second included), hosted by the production {@link UdpEndpoint} on
 * 127.0.0.1.
 *
 * <p>Before the load, the node is made to look like a busy node's, through its wire protocol only:
 * 4,000 nodes on distinct /24s of 127.0.0.0/8 ping it and answer its confirming pings, which fills
 * its routing table as far as its buckets allow; 4,000 other sources announce 20,000 peers on 2,000
 * info-hashes (get_peers for a token, then announce_peer), which fills its peer store.
 *
 * <p>The load comes from a second JVM (started here, killed in finally) with {@code sources}
 * (default 2,048) connected UDP sockets bound to as many addresses across 127.0.0.0/8 (Linux routes
 * all of 127/8 to lo), round robin, keeping {@code window} (default 512) queries in flight: a mix
 * of ping, find_node and get_peers, a quarter of the get_peers for info-hashes the node stores
 * peers of. Each source stays well under the node's per-source limit at the goal's rate. The
 * generator counts the responses it receives each second; the figure is the median of those
 * one-second counts after a 3-second warm-up. Beside it, the node's queries answered per CPU-second
 * of its event-loop thread (the generator and the node share the machine's cores, so on a busy
 * machine this is the steadier figure). Goal: at least 50,000 responses per second. A failed run
 * (the generator dies, or no response arrives) exits non-zero.
 */
public final class DhtThroughputBench {
  static final int STORED_HASHES = 2_000;
  static final long HASH_SEED = 77;
  private static final int WARMUP = 3;

  private DhtThroughputBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("generator")) {
      Generator.run(args);
      return;
    }
    try {
      run(args);
    } catch (Exception | AssertionError e) {
      e.printStackTrace();
      System.exit(1);
    }
  }

  private static void run(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 12;
    int window = args.length > 1 ? Integer.parseInt(args[1]) : 512;
    int sources = args.length > 2 ? Integer.parseInt(args[2]) : 2048;

    DhtConfig config = DhtConfig.builder().seed(1).build(); // shipped defaults otherwise
    try (UdpEndpoint ep =
        UdpEndpoint.builder()
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .threadName("dht-throughput-node")
            .open()) {
      DhtNode node = new DhtNode(config, DhtPort.NONE, ep.clock().nanoTime());
      Population pop = Population.fill(node, ep.clock().nanoTime());
      ep.register(DatagramKind.KRPC, node);
      long queriesBefore = ep.call(() -> node.counters().queriesIn(), Duration.ofSeconds(5));
      ThreadMXBean threads = ManagementFactory.getThreadMXBean();
      long loopThread = -1;
      for (ThreadInfo ti : threads.getThreadInfo(threads.getAllThreadIds())) {
        if (ti != null && ti.getThreadName().equals("dht-throughput-node")) {
          loopThread = ti.getThreadId();
        }
      }
      long cpu0 = threads.getThreadCpuTime(loopThread);

      String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
      Process gen =
          new ProcessBuilder(
                  java,
                  "-Xmx512m",
                  "-XX:+UseParallelGC",
                  "-cp",
                  System.getProperty("java.class.path"),
                  DhtThroughputBench.class.getName(),
                  "generator",
                  Integer.toString(ep.port()),
                  Integer.toString(seconds),
                  Integer.toString(window),
                  Integer.toString(sources))
              .redirectErrorStream(true)
              .start();
      List<Long> perSecond = new ArrayList<>();
      List<String> other = new ArrayList<>();
      int exit;
      try (BufferedReader r =
          new BufferedReader(new InputStreamReader(gen.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          if (line.startsWith("second ")) {
            perSecond.add(Long.parseLong(line.substring(line.lastIndexOf(' ') + 1)));
          } else {
            other.add(line);
          }
        }
        if (!gen.waitFor(30, TimeUnit.SECONDS)) {
          throw new IllegalStateException("the generator did not end");
        }
        exit = gen.exitValue();
      } finally {
        if (gen.isAlive()) {
          gen.destroyForcibly();
          gen.waitFor(5, TimeUnit.SECONDS);
        }
      }
      DhtCounters c = ep.call(node::counters, Duration.ofSeconds(5));
      double loopCpuSeconds = (threads.getThreadCpuTime(loopThread) - cpu0) / 1e9;
      long answered = c.queriesIn() - queriesBefore - c.rateLimited();
      double perCpuSecond = answered / loopCpuSeconds;
      int tableSize = ep.call(() -> node.routingTable().size(), Duration.ofSeconds(5));
      double[] v = perSecond.stream().skip(WARMUP).mapToDouble(Long::doubleValue).toArray();
      BenchReport rep = new BenchReport("dht-throughput");
      rep.columns("figure", "value");
      rep.row("generator sources (addresses in 127/8)", (double) sources);
      rep.row("window (queries in flight)", (double) window);
      rep.row("routing table size before the load", (double) pop.tableSize);
      rep.row("routing table size after", (double) tableSize);
      rep.row("stored info-hashes / peers announced", pop.hashes + " / " + pop.announces);
      rep.row("one-second samples after warm-up", (double) v.length);
      rep.row("responses/s median", BenchReport.median(v));
      rep.row("responses/s min", Arrays.stream(v).min().orElse(0));
      rep.row("responses/s max", Arrays.stream(v).max().orElse(0));
      rep.row("node: queries answered under load", (double) answered);
      rep.row("node: event-loop CPU under load, s", loopCpuSeconds);
      rep.row("node: queries answered per loop CPU-second", perCpuSecond);
      rep.row("node: queries in (population included)", (double) c.queriesIn());
      rep.row("node: rate-limited", (double) c.rateLimited());
      rep.row("node: datagrams out", (double) c.datagramsOut());
      rep.row("node: bad datagrams", (double) c.badDatagrams());
      rep.row("generator", String.join(" ", other));
      rep.row("generator exit status", (double) exit);
      rep.result("responses_per_second", BenchReport.median(v))
          .result("answered_per_loop_cpu_second", perCpuSecond)
          .result("sources", sources)
          .result("routing_table", tableSize)
          .result("rate_limited", (double) c.rateLimited())
          .result("goal_met", BenchReport.median(v) >= 50_000 ? "true" : "false");
      rep.print(System.out);
      if (exit != 0 || v.length < Math.max(1, seconds - WARMUP - 1) || BenchReport.median(v) <= 0) {
        System.err.println(
            "dht-throughput: failed run (generator exit "
                + exit
                + ", "
                + v.length
                + " samples, median "
                + BenchReport.median(v)
                + ")");
        System.exit(1);
      }
    }
  }

  /** The info-hashes whose peers the node stores; the generator draws the same ones. */
  static byte[][] storedHashes() {
    Random r = new Random(HASH_SEED);
    byte[][] h = new byte[STORED_HASHES][];
    for (int i = 0; i < h.length; i++) {
      h[i] = NodeId.random(r).toBytes();
    }
    return h;
  }

  /** Fills a node's routing table and peer store through its wire protocol, before the load. */
  static final class Population {
    int tableSize;
    int hashes;
    int announces;

    private final DhtNode node;
    private final Transmit out = Transmit.heap();
    private final ByteBuffer q = ByteBuffer.allocate(1500);
    private final KrpcParser parser = new KrpcParser();
    private final KrpcMessage msg = new KrpcMessage();
    private final byte[] copy = new byte[2048];
    private int tx;

    private Population(DhtNode node) {
      this.node = node;
    }

    static Population fill(DhtNode node, long now) {
      Population p = new Population(node);
      Random random = new Random(5);
      // Routing table: nodes on distinct /24s ping us and answer our confirming ping.
      for (int i = 0; i < 4_000; i++) {
        InetSocketAddress from = address(64 + i / 250, i % 250, 1, 6881);
        byte[] id = NodeId.random(random).toBytes();
        p.query(id, KrpcMethod.PING, null, null, false, from, now);
        p.drain(
            now,
            (dest, m) -> {
              if (m.kind() == KrpcKind.QUERY && dest.equals(from)) {
                p.respond(id, m, from, now);
              }
            });
      }
      // Peer store: other sources announce, each with the token of its own get_peers.
      byte[][] hashes = storedHashes();
      int source = 0;
      for (int h = 0; h < hashes.length; h++) {
        int peers = 1 + random.nextInt(19);
        for (int j = 0; j < peers; j++, source++) {
          InetSocketAddress from = address(128 + (source % 4000) / 250, source % 250, 2, 6881);
          byte[] id = NodeId.random(random).toBytes();
          byte[][] token = new byte[1][];
          p.query(id, KrpcMethod.GET_PEERS, null, hashes[h], true, from, now);
          p.drain(
              now,
              (dest, m) -> {
                if (m.kind() == KrpcKind.RESPONSE && dest.equals(from) && m.tokenOff() >= 0) {
                  token[0] = Arrays.copyOfRange(m.buf(), m.tokenOff(), m.tokenOff() + m.tokenLen());
                }
              });
          if (token[0] == null) {
            throw new IllegalStateException("no token for an announce from " + from);
          }
          p.query(id, KrpcMethod.ANNOUNCE_PEER, token[0], hashes[h], true, from, now);
          p.drain(now, (dest, m) -> {});
          p.announces++;
        }
      }
      p.hashes = hashes.length;
      p.tableSize = node.routingTable().size();
      return p;
    }

    private static InetSocketAddress address(int b, int c, int d, int port) {
      try {
        return new InetSocketAddress(
            InetAddress.getByAddress(new byte[] {127, (byte) b, (byte) c, (byte) d}), port);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }

    private void query(
        byte[] id,
        KrpcMethod m,
        byte[] token,
        byte[] hash,
        boolean readOnly,
        InetSocketAddress from,
        long now) {
      q.clear();
      KrpcWriter.beginQuery(q, id);
      if (m == KrpcMethod.GET_PEERS || m == KrpcMethod.ANNOUNCE_PEER) {
        KrpcWriter.infoHash(q, hash);
      }
      if (m == KrpcMethod.ANNOUNCE_PEER) {
        KrpcWriter.port(q, 6881);
        KrpcWriter.token(q, token, 0, token.length);
      }
      KrpcWriter.endQuery(q, m, readOnly, tx++ & 0xffff);
      q.flip();
      node.handleDatagram(q, from, now);
    }

    private void respond(byte[] id, KrpcMessage query, InetSocketAddress to, long now) {
      q.clear();
      KrpcWriter.beginResponse(q, null, id);
      KrpcWriter.endResponse(q, query.buf(), query.txOff(), query.txLen());
      q.flip();
      node.handleDatagram(q, to, now);
    }

    interface Sink {
      void accept(InetSocketAddress destination, KrpcMessage m);
    }

    /** Takes everything the node has to send and shows each parsed datagram to {@code sink}. */
    private void drain(long now, Sink sink) {
      List<InetSocketAddress> dests = new ArrayList<>();
      List<byte[]> datagrams = new ArrayList<>();
      while (true) {
        out.clear();
        if (!node.pollTransmit(out, now)) {
          break;
        }
        ByteBuffer b = out.buffer();
        byte[] d = new byte[b.position()];
        b.get(0, d, 0, d.length);
        dests.add(out.destination());
        datagrams.add(d);
      }
      for (int i = 0; i < datagrams.size(); i++) {
        byte[] d = datagrams.get(i);
        System.arraycopy(d, 0, copy, 0, d.length);
        if (parser.parse(copy, 0, d.length, msg) == KrpcError.NONE) {
          sink.accept(dests.get(i), msg);
        }
      }
    }
  }

  /**
   * The load generator: a separate JVM with one connected socket per source address, keeping a
   * window of queries in flight and printing {@code second N received R} once a second.
   */
  static final class Generator {
    private Generator() {}

    static void run(String[] args) throws IOException {
      int port = Integer.parseInt(args[1]);
      int seconds = Integer.parseInt(args[2]);
      int window = Integer.parseInt(args[3]);
      int sourceCount = Integer.parseInt(args[4]);
      Random random = new Random(7);
      byte[][] stored = storedHashes();
      List<ByteBuffer> templates = new ArrayList<>();
      for (int i = 0; i < 4096; i++) {
        ByteBuffer b = ByteBuffer.allocateDirect(512);
        KrpcWriter.beginQuery(b, NodeId.random(random).toBytes());
        KrpcMethod m =
            switch (i % 3) {
              case 0 -> KrpcMethod.PING;
              case 1 -> KrpcMethod.FIND_NODE;
              default -> KrpcMethod.GET_PEERS;
            };
        if (m == KrpcMethod.FIND_NODE) {
          KrpcWriter.target(b, NodeId.random(random).toBytes());
        } else if (m == KrpcMethod.GET_PEERS) {
          KrpcWriter.infoHash(
              b,
              random.nextInt(4) == 0
                  ? stored[random.nextInt(stored.length)]
                  : NodeId.random(random).toBytes());
        }
        // ordinary (not read-only) queriers: the node considers each for its routing table
        KrpcWriter.endQuery(b, m, false, i);
        b.flip();
        templates.add(b);
      }
      InetSocketAddress node = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
      Selector selector = Selector.open();
      DatagramChannel[] channels = new DatagramChannel[sourceCount];
      for (int s = 0; s < sourceCount; s++) {
        DatagramChannel ch = DatagramChannel.open();
        ch.setOption(StandardSocketOptions.SO_RCVBUF, 256 << 10);
        ch.bind(
            new InetSocketAddress(
                InetAddress.getByAddress(
                    new byte[] {127, (byte) (1 + s / 250), (byte) (1 + s % 250), 9}),
                0));
        ch.connect(node);
        ch.configureBlocking(false);
        ch.register(selector, SelectionKey.OP_READ);
        channels[s] = ch;
      }
      ByteBuffer rx = ByteBuffer.allocateDirect(65_536);
      long sent = 0;
      long received = 0;
      long ignored = 0;
      long sendErrors = 0;
      int outstanding = 0;
      int nextSource = 0;
      int nextTemplate = 0;
      long start = System.nanoTime();
      long until = start + seconds * 1_000_000_000L;
      long tick = start + 1_000_000_000L;
      int second = 0;
      long receivedAtTick = 0;
      long lastProgress = start;
      while (true) {
        long now = System.nanoTime();
        if (now - tick >= 0) {
          second++;
          System.out.println("second " + second + " received " + (received - receivedAtTick));
          System.out.flush();
          receivedAtTick = received;
          tick += 1_000_000_000L;
          if (now - until >= 0) {
            break;
          }
        }
        while (outstanding < window) {
          ByteBuffer t = templates.get(nextTemplate++ & 4095);
          t.rewind();
          DatagramChannel ch = channels[nextSource];
          nextSource = nextSource + 1 == sourceCount ? 0 : nextSource + 1;
          int w;
          try {
            w = ch.write(t);
          } catch (IOException e) {
            sendErrors++;
            break;
          }
          if (w == 0) {
            break;
          }
          outstanding++;
          sent++;
        }
        boolean progress = false;
        if (selector.selectNow() > 0) {
          Iterator<SelectionKey> it = selector.selectedKeys().iterator();
          while (it.hasNext()) {
            DatagramChannel ch = (DatagramChannel) it.next().channel();
            it.remove();
            while (true) {
              rx.clear();
              int n;
              try {
                n = ch.read(rx);
              } catch (IOException e) {
                break;
              }
              if (n <= 0) {
                break;
              }
              // a bencoded message ends "1:y1:?e" with its kind: r (response), e (error), q
              // (a query of the node's own, e.g. a confirming ping: not an answer)
              if (n >= 3 && rx.get(n - 2) == 'r') {
                received++;
                outstanding = Math.max(0, outstanding - 1);
                progress = true;
              } else if (n >= 3 && rx.get(n - 2) == 'e') {
                outstanding = Math.max(0, outstanding - 1);
                ignored++;
              } else {
                ignored++;
              }
            }
          }
        }
        if (progress) {
          lastProgress = now;
        } else if (now - lastProgress > 200_000_000L) {
          outstanding = 0; // nothing for 200 ms: the window was lost, refill it
          lastProgress = now;
        }
      }
      System.out.println(
          "sent="
              + sent
              + " received="
              + received
              + " other="
              + ignored
              + " send_errors="
              + sendErrors);
      for (DatagramChannel ch : channels) {
        ch.close();
      }
      selector.close();
    }
  }
}
