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
 *   <li>latecomer: TCP first, µTP joining at 5 s into the queue TCP filled; with the 200 ms queue,
 *       a shallow 20 ms one, and the 200 ms one managed by CoDel (RFC 8289, 5 ms target);
 *   <li>after TCP left: µTP's utilisation over 10 s from 2 s after a competing TCP flow (joining at
 *       5 s with 40 MB) delivered its last byte: yielding must end when the competitor leaves;
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
      this(seed, loss, QUEUE_BYTES, 0);
    }

    Scenario(long seed, double loss, long queueBytes, double utpStartSeconds) {
      this(seed, loss, queueBytes, utpStartSeconds, false);
    }

    Scenario(long seed, double loss, long queueBytes, double utpStartSeconds, boolean codel) {
      net = Network.withSeed(seed);
      s = net.addHost("s", net.internet(), "203.0.113.1");
      r = net.addHost("r", net.internet(), "203.0.113.2");
      LinkConfig.Builder up =
          LinkConfig.builder()
              .delayMillis(20)
              .bandwidthBitsPerSecond((long) LINK_BPS)
              .queueBytes(queueBytes)
              .loss(loss);
      s.uplink((codel ? up.codel() : up).build());
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
      Runnable dial =
          () -> {
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
          };
      if (utpStartSeconds <= 0) {
        dial.run();
      } else {
        net.schedule(Duration.ofNanos((long) (utpStartSeconds * 1e9)), dial);
      }
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
    return versusTcp(seed, congestion, QUEUE_BYTES, false, false);
  }

  private static double[] versusTcp(
      long seed, Congestion congestion, long queueBytes, boolean latecomer) {
    return versusTcp(seed, congestion, queueBytes, latecomer, false);
  }

  /**
   * µTP's share beside a TCP flow from 20 s to 50 s, and the link's utilisation: µTP first and TCP
   * joining at 5 s, or ({@code latecomer}) TCP first and µTP joining at 5 s, into a queue TCP has
   * already filled; {@code codel} puts CoDel (RFC 8289) in front of the bottleneck's queue.
   */
  private static double[] versusTcp(
      long seed, Congestion congestion, long queueBytes, boolean latecomer, boolean codel) {
    Scenario sc = new Scenario(seed, 0, queueBytes, latecomer ? 5 : 0, codel);
    BulkFlow tcp =
        BulkFlow.start(
            sc.s,
            7000,
            sc.r,
            7001,
            congestion,
            Long.MAX_VALUE,
            Duration.ofSeconds(latecomer ? 0 : 5));
    boolean trace =
        (congestion.name()
                + (latecomer ? "-LATE" : "")
                + (queueBytes != QUEUE_BYTES ? "-" + queueBytes : "")
                + (codel ? "-CODEL" : ""))
            .equals(System.getenv("LEDBAT_TRACE"));
    long u0 = 0;
    long t0 = 0;
    for (int t = 1; t <= 50; t++) {
      sc.runUntil(t);
      if (t == 20) {
        u0 = sc.utpReceived;
        t0 = tcp.receiver().bytesDelivered();
      }
      if (trace) {
        System.out.printf(
            "t=%d cwnd=%d qdelay=%dms utp=%d tcp=%d tcpcwnd=%.1f tcpTimeouts=%d tcpFastRetx=%d"
                + " stats=%s%n",
            t,
            sc.client == null ? 0 : sc.client.congestionWindow(),
            sc.client == null ? 0 : sc.client.queuingDelayMicros() / 1000,
            sc.utpReceived,
            tcp.receiver().bytesDelivered(),
            tcp.sender().cwnd(),
            tcp.sender().timeouts(),
            tcp.sender().fastRetransmits(),
            sc.client == null ? "-" : sc.client.stats());
      }
    }
    double utp = sc.utpReceived - u0;
    double tcpBytes = tcp.receiver().bytesDelivered() - t0;
    return new double[] {utp / (utp + tcpBytes), (utp + tcpBytes) * 8 / (LINK_BPS * 30)};
  }

  /**
   * µTP's utilisation of the link once a competing TCP flow has left: TCP from 0 s with 40 MB to
   * send, µTP joining at 5 s (so it has had to detect TCP and yield); measured over the 10 s
   * starting 2 s after TCP's last byte, so a window that stays in its yielding mode long after the
   * competitor left shows.
   */
  private static double afterTcpLeaves(long seed, Congestion congestion) {
    Scenario sc = new Scenario(seed, 0, QUEUE_BYTES, 5);
    long tcpBytes = 40L << 20;
    BulkFlow tcp = BulkFlow.start(sc.s, 7000, sc.r, 7001, congestion, tcpBytes, Duration.ZERO);
    double t = 5;
    while (tcp.receiver().bytesDelivered() < tcpBytes) {
      t += 0.1;
      if (t > 200) {
        throw new IllegalStateException(congestion + " flow did not finish in 200 s");
      }
      sc.runUntil(t);
    }
    if (sc.client == null
        || sc.client.stats().yieldsToDisplacement() + sc.client.stats().yieldsToLoss() == 0) {
      throw new IllegalStateException("µTP never yielded to " + congestion + ": nothing measured");
    }
    sc.runUntil(t + 2);
    long u0 = sc.utpReceived;
    sc.runUntil(t + 12);
    return (sc.utpReceived - u0) * 8 / (LINK_BPS * 10);
  }

  private static double lossy(long seed) {
    Scenario sc = new Scenario(seed, 0.01);
    sc.runUntil(10);
    long start = sc.utpReceived;
    if (("LOSSY-" + seed).equals(System.getenv("LEDBAT_TRACE"))) {
      for (int t = 11; t <= 60; t++) {
        sc.runUntil(t);
        System.out.printf(
            "t=%d cwnd=%d qdelay=%dms utp=%d stats=%s%n",
            t,
            sc.client.congestionWindow(),
            sc.client.queuingDelayMicros() / 1000,
            sc.utpReceived,
            sc.client.stats());
      }
    }
    sc.runUntil(60);
    return (sc.utpReceived - start) * 8 / (LINK_BPS * 50);
  }

  public static void main(String[] args) {
    long wallStart = System.nanoTime();
    long[] seeds = {1, 2, 3};
    long shallow = (long) (LINK_BPS / 8 * 0.02);
    String[] names = {
      "alone_util",
      "added_delay_ms",
      "share_vs_tcp",
      "link_util_with_tcp",
      "share_vs_cubic",
      "late_vs_reno",
      "late_vs_cubic",
      "shallow_vs_reno",
      "shallow_vs_cubic",
      "codel_vs_reno",
      "codel_vs_cubic",
      "util_after_reno",
      "util_after_cubic",
      "lossy_util"
    };
    double[][] cols = new double[names.length][seeds.length];
    BenchReport report = new BenchReport("utp-ledbat");
    String[] header = new String[names.length + 1];
    header[0] = "seed";
    System.arraycopy(names, 0, header, 1, names.length);
    report.columns(header);
    for (int i = 0; i < seeds.length; i++) {
      long seed = seeds[i];
      double[] a = alone(seed);
      double[] v = versusTcp(seed, Congestion.RENO);
      double[] row = {
        a[0],
        a[1],
        v[0],
        v[1],
        versusTcp(seed, Congestion.CUBIC)[0],
        versusTcp(seed, Congestion.RENO, QUEUE_BYTES, true)[0],
        versusTcp(seed, Congestion.CUBIC, QUEUE_BYTES, true)[0],
        versusTcp(seed, Congestion.RENO, shallow, true)[0],
        versusTcp(seed, Congestion.CUBIC, shallow, true)[0],
        versusTcp(seed, Congestion.RENO, QUEUE_BYTES, true, true)[0],
        versusTcp(seed, Congestion.CUBIC, QUEUE_BYTES, true, true)[0],
        afterTcpLeaves(seed, Congestion.RENO),
        afterTcpLeaves(seed, Congestion.CUBIC),
        lossy(seed)
      };
      Object[] cells = new Object[row.length + 1];
      cells[0] = seed;
      for (int c = 0; c < row.length; c++) {
        cols[c][i] = row[c];
        cells[c + 1] = row[c];
      }
      report.row(cells);
    }
    Object[] med = new Object[names.length + 1];
    med[0] = "median";
    for (int c = 0; c < names.length; c++) {
      med[c + 1] = BenchReport.median(cols[c]);
    }
    report.row(med);
    report.row(
        "goal", ">=0.90", "<=120", "<=0.20", "", "<=0.20", "<=0.20", "<=0.20", "<=0.20", "<=0.20",
        "<=0.20", "<=0.20", ">=0.90", ">=0.90", ">=0.50");
    report.result("alone_utilisation", BenchReport.median(cols[0]));
    report.result("added_delay_ms", BenchReport.median(cols[1]));
    report.result("share_vs_tcp", BenchReport.median(cols[2]));
    report.result("share_vs_cubic", BenchReport.median(cols[4]));
    report.result("share_vs_reno_latecomer", BenchReport.median(cols[5]));
    report.result("share_vs_cubic_latecomer", BenchReport.median(cols[6]));
    report.result("share_vs_reno_shallow", BenchReport.median(cols[7]));
    report.result("share_vs_cubic_shallow", BenchReport.median(cols[8]));
    report.result("share_vs_reno_codel", BenchReport.median(cols[9]));
    report.result("share_vs_cubic_codel", BenchReport.median(cols[10]));
    report.result("utilisation_after_reno_left", BenchReport.median(cols[11]));
    report.result("utilisation_after_cubic_left", BenchReport.median(cols[12]));
    report.result("lossy_utilisation", BenchReport.median(cols[13]));
    report.result("wall_seconds", (System.nanoTime() - wallStart) / 1e9);
    report.print(System.out);
  }
}
