package io.natswarm.bench;

import io.natswarm.datagram.DatagramCore;
import io.natswarm.datagram.Transmit;
import io.natswarm.netsim.Binding;
import io.natswarm.netsim.Host;
import io.natswarm.netsim.LinkConfig;
import io.natswarm.netsim.NatBox;
import io.natswarm.netsim.NatConfig;
import io.natswarm.netsim.Network;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Locale;

/**
 * {@code bench/run netsim}: how fast the virtual network moves datagrams, on one thread.
 *
 * <p>10,000 hosts: 8,000 on the internet and 2,000 behind 200 NAT boxes of the four RFC 4787 kinds
 * (10 hosts each, one NAT in ten behind a carrier-grade NAT). Every host runs a ping-pong endpoint
 * that keeps 4 pings outstanding (64-byte payloads) to random public hosts and answers every ping;
 * a lost ping is replaced after its 1 s epoch. The trace hash is off except in its own row.
 *
 * <p><b>The headline</b> ({@code datagrams_per_wall_second}) is the wall-clock rate on a mix of
 * links: 5-45 ms delay; every second link with 1-8 ms of jitter; random loss of 0.1-2 %; every
 * third link limited to 2, 10 or 100 Mbit/s with a 64 KiB drop-tail queue (each datagram charged
 * with its 28 bytes of IPv4 and UDP headers); the NATs above. Beside it, the same run's rate per
 * CPU-second of the simulation thread ({@code datagrams_per_cpu_second}: the machine is shared, so
 * wall-clock time includes waiting for a core).
 *
 * <p>Other rows: the constant-delay fast path (every link 5-45 ms and 0.1 % loss, no jitter, no
 * bandwidth limit: {@code fast_path_*}), the same with the trace hash on, and the fast path on
 * 1,000 hosts, whose working set fits in the CPU caches (the gap to 10,000 hosts is memory
 * latency). Medians of 5 runs of about 2 CPU-seconds each after a warm-up; the heap retained per
 * simulated host right after the mixed network is built.
 */
public final class NetsimBench {
  private static final int PUBLIC_HOSTS = 8_000;
  private static final int NATS = 200;
  private static final int HOSTS_PER_NAT = 10;
  private static final int RUNS = 5;
  private static final long RUN_WALL_NANOS = 2_000_000_000L;

  private NetsimBench() {}

  public static void main(String[] args) {
    System.err.println("netsim bench: building and warming up...");
    double[] mixedWall = new double[RUNS];
    double[] mixedCpu = new double[RUNS];
    double[] rates = new double[RUNS];
    double[] ratesTraced = new double[RUNS];
    double[] ratesWall = new double[RUNS];
    double[] ratesSmall = new double[RUNS];
    double[] heapPerHost = new double[RUNS];
    long[] virtualNanos = new long[RUNS];
    long deadline = System.nanoTime() + 240_000_000_000L; // bound the whole bench to ~4 minutes
    warmUp();
    int runs = 0;
    for (int i = 0; i < RUNS && System.nanoTime() < deadline; i++) {
      { // its own scope: the next scenario gets the heap back
        long before = usedHeap();
        Scenario mixed = new Scenario(1000 + i, false, PUBLIC_HOSTS, NATS, true);
        long after = usedHeap();
        heapPerHost[i] = (double) (after - before) / mixed.hosts;
        mixed.net.runFor(Duration.ofSeconds(2)); // reach steady state
        Measured mm = mixed.measure(RUN_WALL_NANOS);
        mixedWall[i] = mm.datagramsPerWallSecond;
        mixedCpu[i] = mm.datagramsPerSecond;
      }
      Scenario s = new Scenario(1000 + i, false);
      s.net.runFor(Duration.ofSeconds(2)); // reach steady state
      Measured m = s.measure(RUN_WALL_NANOS);
      rates[i] = m.datagramsPerSecond;
      ratesWall[i] = m.datagramsPerWallSecond;
      virtualNanos[i] = m.virtualNanos;
      Scenario traced = new Scenario(1000 + i, true);
      traced.net.runFor(Duration.ofSeconds(2));
      ratesTraced[i] = traced.measure(RUN_WALL_NANOS).datagramsPerSecond;
      // The same traffic on 1,000 hosts: the engine's speed when its working set fits in cache.
      Scenario small = new Scenario(1000 + i, false, PUBLIC_HOSTS / 10, NATS / 10, false);
      small.net.runFor(Duration.ofSeconds(2));
      ratesSmall[i] = small.measure(RUN_WALL_NANOS).datagramsPerSecond;
      System.err.printf(
          Locale.ROOT,
          "run %d: mixed links %.0f datagrams per wall second (%.0f per CPU-second); fast path"
              + " %.0f per CPU-second (%.0f per wall second; trace hash on: %.0f),"
              + " %.0f heap bytes/host, %.2f virtual s%n",
          i + 1,
          mixedWall[i],
          mixedCpu[i],
          rates[i],
          ratesWall[i],
          ratesTraced[i],
          heapPerHost[i],
          virtualNanos[i] / 1e9);
      runs++;
    }
    mixedWall = java.util.Arrays.copyOf(mixedWall, runs);
    mixedCpu = java.util.Arrays.copyOf(mixedCpu, runs);
    rates = java.util.Arrays.copyOf(rates, runs);
    ratesTraced = java.util.Arrays.copyOf(ratesTraced, runs);
    heapPerHost = java.util.Arrays.copyOf(heapPerHost, runs);
    ratesWall = java.util.Arrays.copyOf(ratesWall, runs);
    ratesSmall = java.util.Arrays.copyOf(ratesSmall, runs);
    int hosts = PUBLIC_HOSTS + NATS * HOSTS_PER_NAT;
    BenchReport r = new BenchReport("netsim");
    // The machine is shared: the simulation thread's CPU time is the honest "one core" figure;
    // the wall-clock rate is reported beside it.
    r.columns(
        "configuration",
        "hosts",
        "datagrams/CPU-s (median)",
        "min",
        "max",
        "per wall-s (median)",
        "heap B/host");
    r.row(
        "mixed links (headline)",
        hosts,
        BenchReport.median(mixedCpu),
        BenchReport.percentile(mixedCpu, 0),
        BenchReport.percentile(mixedCpu, 100),
        BenchReport.median(mixedWall),
        BenchReport.median(heapPerHost));
    r.row(
        "fast path",
        hosts,
        BenchReport.median(rates),
        BenchReport.percentile(rates, 0),
        BenchReport.percentile(rates, 100),
        BenchReport.median(ratesWall),
        "-");
    r.row(
        "fast path, trace hash on",
        hosts,
        BenchReport.median(ratesTraced),
        BenchReport.percentile(ratesTraced, 0),
        BenchReport.percentile(ratesTraced, 100),
        "-",
        "-");
    r.row(
        "fast path, 1,000 hosts",
        hosts / 10,
        BenchReport.median(ratesSmall),
        BenchReport.percentile(ratesSmall, 0),
        BenchReport.percentile(ratesSmall, 100),
        "-",
        "-");
    r.result("datagrams_per_wall_second", (double) Math.round(BenchReport.median(mixedWall)));
    r.result("datagrams_per_cpu_second", (double) Math.round(BenchReport.median(mixedCpu)));
    r.result("fast_path_datagrams_per_cpu_second", (double) Math.round(BenchReport.median(rates)));
    r.result(
        "fast_path_datagrams_per_wall_second", (double) Math.round(BenchReport.median(ratesWall)));
    r.result(
        "fast_path_traced_datagrams_per_cpu_second",
        (double) Math.round(BenchReport.median(ratesTraced)));
    r.result(
        "fast_path_1000_hosts_datagrams_per_cpu_second",
        (double) Math.round(BenchReport.median(ratesSmall)));
    r.result("heap_bytes_per_host", (double) Math.round(BenchReport.median(heapPerHost)));
    r.result("hosts", hosts);
    r.result("runs", runs);
    r.print(System.out);
  }

  private static void warmUp() {
    new Scenario(1, false).measure(RUN_WALL_NANOS);
    new Scenario(1, false, PUBLIC_HOSTS, NATS, true).measure(RUN_WALL_NANOS);
  }

  private static long usedHeap() {
    MemoryMXBean mx = ManagementFactory.getMemoryMXBean();
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return mx.getHeapMemoryUsage().getUsed();
  }

  private static final class Measured {
    final double datagramsPerSecond;
    final double datagramsPerWallSecond;
    final long virtualNanos;

    Measured(double datagramsPerSecond, double datagramsPerWallSecond, long virtualNanos) {
      this.datagramsPerSecond = datagramsPerSecond;
      this.datagramsPerWallSecond = datagramsPerWallSecond;
      this.virtualNanos = virtualNanos;
    }
  }

  /** The 10,000-host network with its endpoints. */
  private static final class Scenario {
    final Network net;
    final int hosts;

    Scenario(long seed, boolean traced) {
      this(seed, traced, PUBLIC_HOSTS, NATS, false);
    }

    Scenario(long seed, boolean traced, int publicHosts, int nats, boolean mixed) {
      LinkConfig[] links = mixed ? MIXED : FAST;
      net = Network.withSeed(seed);
      net.trace().setEnabled(traced);
      InetSocketAddress[] targets = new InetSocketAddress[publicHosts];
      Host[] pub = new Host[publicHosts];
      for (int i = 0; i < publicHosts; i++) {
        pub[i] = net.addHost("p" + i, net.internet(), "198.18." + (i >> 8) + "." + (i & 255));
        pub[i].link(links[(i * 7) % links.length]);
      }
      NatConfig[] kinds = {
        NatConfig.fullCone(),
        NatConfig.restrictedCone(),
        NatConfig.portRestrictedCone(),
        NatConfig.symmetric()
      };
      NatBox cgn = net.addNat("cgn", net.internet(), "203.0.113.1", NatConfig.portRestrictedCone());
      Binding[] all = new Binding[publicHosts + nats * HOSTS_PER_NAT];
      int n = 0;
      for (int i = 0; i < publicHosts; i++) {
        all[n] = pub[i].bind(6881, new PingPong(targets, seed * 31 + i));
        targets[i] = all[n++].localAddress(); // as a test would: the address the network gave
      }
      for (int k = 0; k < nats; k++) {
        NatBox box =
            k % 10 == 9
                ? net.addNat(
                    "n" + k, cgn.inside(), "100.64." + (k >> 8) + "." + (k & 255), kinds[k % 4])
                : net.addNat(
                    "n" + k, net.internet(), "198.19." + (k >> 8) + "." + (k & 255), kinds[k % 4]);
        box.link(links[(k * 7) % links.length]);
        for (int j = 0; j < HOSTS_PER_NAT; j++) {
          Host h = net.addHost("n" + k + "h" + j, box.inside(), "10.0.0." + (j + 2));
          all[n++] = h.bind(6881, new PingPong(targets, seed * 131 + k * 16L + j));
        }
      }
      hosts = n;
      for (Binding b : all) {
        net.wake(b);
      }
    }

    /** The constant-delay fast path: 5-45 ms, 0.1 % loss. */
    private static final LinkConfig[] FAST = new LinkConfig[41];

    /**
     * The mix: 5-45 ms; jitter of 1-8 ms on every second link; loss 0.1-2 %; every third link at 2,
     * 10 or 100 Mbit/s with a 64 KiB queue.
     */
    private static final LinkConfig[] MIXED = new LinkConfig[123];

    private static final double[] LOSS = {0.001, 0.005, 0.01, 0.02};
    private static final double[] MBPS = {2, 10, 100};

    static {
      for (int d = 0; d < FAST.length; d++) {
        FAST[d] = LinkConfig.builder().delayMillis(5 + d).loss(0.001).build();
      }
      for (int i = 0; i < MIXED.length; i++) {
        LinkConfig.Builder b =
            LinkConfig.builder().delayMillis(5 + i % 41).loss(LOSS[(i / 3) % LOSS.length]);
        if (i % 2 == 1) {
          b.jitterMillis(1 + (i / 2) % 8);
        }
        if (i % 3 == 2) {
          b.bandwidthMbps(MBPS[(i / 3) % MBPS.length]).queueBytes(64 << 10);
        }
        MIXED[i] = b.build();
      }
    }

    Measured measure(long cpuNanos) {
      ThreadMXBean threads = ManagementFactory.getThreadMXBean();
      long d0 = net.stats().delivered();
      long v0 = net.nowNanos();
      long t0 = System.nanoTime();
      long c0 = threads.getCurrentThreadCpuTime();
      long c;
      do {
        net.runFor(Duration.ofMillis(100));
        c = threads.getCurrentThreadCpuTime();
      } while (c - c0 < cpuNanos && System.nanoTime() - t0 < 5 * cpuNanos);
      long t = System.nanoTime();
      double delivered = net.stats().delivered() - d0;
      return new Measured(
          delivered / ((c - c0) / 1e9), delivered / ((t - t0) / 1e9), net.nowNanos() - v0);
    }
  }

  /**
   * Keeps {@link #OUTSTANDING} pings in flight to random public hosts and answers every ping with a
   * pong. Each ping carries the parity of the 1-second epoch it was sent in; at each epoch's end
   * the pings of the epoch before that never came back are presumed lost and replaced.
   * Allocation-free per datagram.
   */
  private static final class PingPong implements DatagramCore {
    static final int OUTSTANDING = 4;
    static final long EPOCH_NANOS = 1_000_000_000L;
    private static final byte PING = 1;
    private static final byte PONG = 2;

    private final InetSocketAddress[] targets;
    private long rng;
    private int pingsToSend = OUTSTANDING;
    private final InetSocketAddress[] pongTo = new InetSocketAddress[16];
    private final byte[] pongEpoch = new byte[16];
    private int pongHead;
    private int pongCount;
    private final int[] sent = new int[2];
    private final int[] returned = new int[2];
    private int epoch;
    private long deadline = EPOCH_NANOS;

    PingPong(InetSocketAddress[] targets, long seed) {
      this.targets = targets;
      this.rng = seed * 0x9E3779B97F4A7C15L + 1;
    }

    @Override
    public boolean handleDatagram(ByteBuffer packet, InetSocketAddress from, long nowNanos) {
      if (packet.remaining() < 2) {
        return true;
      }
      byte type = packet.get(packet.position());
      byte e = packet.get(packet.position() + 1);
      if (type == PING && pongCount < pongTo.length) {
        int slot = (pongHead + pongCount++) & (pongTo.length - 1);
        pongTo[slot] = from;
        pongEpoch[slot] = e;
      } else if (type == PONG) {
        returned[e & 1]++;
        pingsToSend++;
      }
      return true;
    }

    @Override
    public boolean pollTransmit(Transmit out, long nowNanos) {
      ByteBuffer b = out.buffer();
      if (pongCount > 0) {
        InetSocketAddress to = pongTo[pongHead];
        b.put(PONG).put(pongEpoch[pongHead]);
        pongTo[pongHead] = null;
        pongHead = (pongHead + 1) & (pongTo.length - 1);
        pongCount--;
        b.position(64);
        out.setDestination(to);
        return true;
      }
      if (pingsToSend > 0) {
        pingsToSend--;
        sent[epoch & 1]++;
        rng ^= rng << 13;
        rng ^= rng >>> 7;
        rng ^= rng << 17;
        b.put(PING).put((byte) epoch);
        b.position(64);
        out.setDestination(targets[(int) Math.floorMod(rng, (long) targets.length)]);
        return true;
      }
      return false;
    }

    @Override
    public long pollTimeout() {
      return deadline;
    }

    @Override
    public void handleTimeout(long nowNanos) {
      int old = (epoch + 1) & 1; // the epoch before this one: its pings had a second to return
      pingsToSend += Math.max(0, sent[old] - returned[old]);
      sent[old] = 0;
      returned[old] = 0;
      epoch++;
      deadline = nowNanos + EPOCH_NANOS;
    }
  }
}
