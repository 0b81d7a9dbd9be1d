package io.natswarm.bench;

import io.natswarm.netsim.Binding;
import io.natswarm.netsim.Host;
import io.natswarm.netsim.Link;
import io.natswarm.netsim.LinkConfig;
import io.natswarm.netsim.Network;
import io.natswarm.netsim.traffic.BulkFlow;
import io.natswarm.netsim.traffic.Congestion;
import io.natswarm.utp.UtpConnection;
import io.natswarm.utp.UtpConnectionListener;
import io.natswarm.utp.UtpSettings;
import io.natswarm.utp.UtpStack;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.SplittableRandom;

/**
 * LEDBAT in netsim (issue 3, {@code bench/run utp-ledbat}): a 20 Mbit/s bottleneck with a 200 ms
 * drop-tail queue on the sender's uplink, 20 ms one-way delay on each side (40 ms path).
 *
 * <ul>
 *   <li>alone: one µTP bulk flow; utilisation of the bottleneck and the queuing delay it adds (mean
 *       queue delay sampled every 10 ms), measured from 10 s to 40 s;
 *   <li>vs TCP: the µTP flow runs, a NewReno (and, separately, a CUBIC) flow joins at 5 s from the
 *       same host; µTP's share of the delivered bytes from 20 s to 50 s;
 *   <li>lossy: 1 % random loss on the data path; utilisation from 10 s to 60 s.
 * </ul>
 *
 * Each scenario runs with three seeds; the RESULT line gives medians (the loss-free scenarios draw
 * no random numbers, so their seeds agree). {@code LEDBAT_TRACE=RENO} (or CUBIC) prints the µTP
 * window and delay estimate once a virtual second in the competing-flow scenario. Virtual time
 * only: the whole benchmark takes seconds of wall time.
 */
public final class UtpLedbatBench {
  private static final double LINK_BPS = 20e6;
  private static final long QUEUE_BYTES = (long) (LINK_BPS / 8 * 0.2);

  /** One scenario's network: hosts s (sender) and r (receiver), a µTP bulk flow s -> r. */
  private static final class Scenario {
    final Network net;
    final Host s;
    final Host r;
    final Link bottleneck;
    long utpReceived;
    UtpConnection client;
    private final ByteBuffer chunk = ByteBuffer.allocate(256 * 1024);
    private final ByteBuffer sink = ByteBuffer.allocate(256 * 1024);
    double queueDelaySum;
    long queueSamples;

    Scenario(long seed, double loss) {
      net = Network.withSeed(seed);
      s = net.addHost("s", net.internet(), "203.0.113.1");
      r = net.addHost("r", net.internet(), "203.0.113.2");
      s.uplink(
          LinkConfig.builder()
              .delayMillis(20)
              .bandwidthBitsPerSecond((long) LINK_BPS)
              .queueBytes(QUEUE_BYTES)
              .loss(loss)
              .build());
      s.downlink(LinkConfig.builder().delayMillis(0).build());
      r.downlink(LinkConfig.builder().delayMillis(20).build());
      r.uplink(LinkConfig.builder().delayMillis(0).build());
      bottleneck = s.uplink();
      UtpStack a = new UtpStack(UtpSettings.defaults(), new SplittableRandom(seed));
      UtpStack b = new UtpStack(UtpSettings.defaults(), new SplittableRandom(~seed));
      b.setListening(true);
      Binding ba = s.bind(6881, a);
      Binding bb = r.bind(6881, b);
      b.setAcceptListener(
          () -> {
            UtpConnection c = b.pollAccepted();
            if (c != null) {
              c.setListener(
                  new UtpConnectionListener() {
                    @Override
                    public void onReadable(UtpConnection conn) {
                      int n;
                      while ((n = conn.read(sink.clear(), net.nowNanos())) > 0) {
                        utpReceived += n;
                      }
                    }
                  });
            }
          });
      UtpConnection c = a.connect(bb.localAddress(), net.nowNanos());
      client = c;
      UtpConnectionListener filler =
          new UtpConnectionListener() {
            @Override
            public void onConnected(UtpConnection conn) {
              fill(conn);
            }

            @Override
            public void onWritable(UtpConnection conn) {
              fill(conn);
            }
          };
      c.setListener(filler);
      fill(c);
      net.wake(ba);
    }

    void fill(UtpConnection c) {
      while (c.write(chunk.clear(), net.nowNanos()) > 0) {
        // keep the send buffer full
      }
    }

    void sampleQueue(long fromNanos, long untilNanos) {
      long period = Duration.ofMillis(10).toNanos();
      for (long t = fromNanos; t < untilNanos; t += period) {
        long at = t;
        net.schedule(
            Duration.ofNanos(at - net.nowNanos()),
            () -> {
              queueDelaySum += bottleneck.backlogBytes(net.nowNanos()) * 8 / LINK_BPS;
              queueSamples++;
            });
      }
    }

    void runUntil(double seconds) {
      net.runFor(Duration.ofNanos((long) (seconds * 1e9) - net.nowNanos()));
    }
  }

  private static double[] alone(long seed) {
    Scenario sc = new Scenario(seed, 0);
    sc.sampleQueue(Duration.ofSeconds(10).toNanos(), Duration.ofSeconds(40).toNanos());
    sc.runUntil(10);
    long start = sc.utpReceived;
    sc.runUntil(40);
    double util = (sc.utpReceived - start) * 8 / (LINK_BPS * 30);
    double delayMs = sc.queueDelaySum / sc.queueSamples * 1000;
    return new double[] {util, delayMs};
  }

  private static double[] versusTcp(long seed, Congestion congestion) {
    Scenario sc = new Scenario(seed, 0);
    BulkFlow tcp =
        BulkFlow.start(sc.s, 7000, sc.r, 7001, congestion, Long.MAX_VALUE, Duration.ofSeconds(5));
    if (congestion.name().equals(System.getenv("LEDBAT_TRACE"))) {
      for (int t = 1; t <= 50; t++) {
        sc.runUntil(t);
        System.out.printf(
            "t=%d cwnd=%d qdelay=%dms utp=%d tcp=%d tcpcwnd=%.1f stats=%s%n",
            t,
            sc.client.congestionWindow(),
            sc.client.queuingDelayMicros() / 1000,
            sc.utpReceived,
            tcp.receiver().bytesDelivered(),
            tcp.sender().cwnd(),
            sc.client.stats());
      }
    }
    sc.runUntil(20);
    long u0 = sc.utpReceived;
    long t0 = tcp.receiver().bytesDelivered();
    sc.runUntil(50);
    double utp = sc.utpReceived - u0;
    double tcpBytes = tcp.receiver().bytesDelivered() - t0;
    return new double[] {utp / (utp + tcpBytes), (utp + tcpBytes) * 8 / (LINK_BPS * 30)};
  }

  private static double lossy(long seed) {
    Scenario sc = new Scenario(seed, 0.01);
    sc.runUntil(10);
    long start = sc.utpReceived;
    sc.runUntil(60);
    return (sc.utpReceived - start) * 8 / (LINK_BPS * 50);
  }

  public static void main(String[] args) {
    long wallStart = System.nanoTime();
    long[] seeds = {1, 2, 3};
    double[] util = new double[seeds.length];
    double[] delay = new double[seeds.length];
    double[] share = new double[seeds.length];
    double[] shared = new double[seeds.length];
    double[] lossyUtil = new double[seeds.length];
    double[] shareCubic = new double[seeds.length];
    BenchReport report = new BenchReport("utp-ledbat");
    report.columns(
        "seed",
        "alone_util",
        "added_delay_ms",
        "share_vs_tcp",
        "link_util_with_tcp",
        "share_vs_cubic",
        "lossy_util");
    for (int i = 0; i < seeds.length; i++) {
      double[] a = alone(seeds[i]);
      double[] v = versusTcp(seeds[i], Congestion.RENO);
      shareCubic[i] = versusTcp(seeds[i], Congestion.CUBIC)[0];
      util[i] = a[0];
      delay[i] = a[1];
      share[i] = v[0];
      shared[i] = v[1];
      lossyUtil[i] = lossy(seeds[i]);
      report.row(seeds[i], util[i], delay[i], share[i], shared[i], shareCubic[i], lossyUtil[i]);
    }
    report.row(
        "median",
        BenchReport.median(util),
        BenchReport.median(delay),
        BenchReport.median(share),
        BenchReport.median(shared),
        BenchReport.median(shareCubic),
        BenchReport.median(lossyUtil));
    report.row("goal", ">=0.90", "~100", "<=0.20", "", "<=0.20", ">=0.50");
    report.result("alone_utilisation", BenchReport.median(util));
    report.result("share_vs_tcp", BenchReport.median(share));
    report.result("added_delay_ms", BenchReport.median(delay));
    report.result("lossy_utilisation", BenchReport.median(lossyUtil));
    report.result("share_vs_cubic", BenchReport.median(shareCubic));
    report.result("wall_seconds", (System.nanoTime() - wallStart) / 1e9);
    report.print(System.out);
  }
}
