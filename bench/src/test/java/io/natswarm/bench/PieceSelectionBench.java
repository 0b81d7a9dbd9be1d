package io.natswarm.bench;

import io.natswarm.node.bt.PieceSelectionTrial;
import java.util.Locale;

/**
 * {@code bench/run piece-selection [--runs R]}: the cost of one piece selection, Bt 1.10's default
 * rarest-first selector against natswarm's {@code LazyRarestFirstSelector}, on one thread, in
 * swarm-node's simulated download ({@code PieceSelectionTrial}: 32 pieces in flight per peer, as
 * {@code EngineTuning.measured()}; one seeder, or one seeder and 7 partial peers with have messages
 * arriving). Torrents of 1,024 pieces (the swarm-loopback benchmark's 256 MiB in 256 KiB pieces)
 * and of 16,384. The two selectors alternate, R rounds each (default 7) after two warm-up rounds;
 * medians of nanoseconds per call. RESULT keys: {@code bt_ns_<pieces>x<peers>}, {@code
 * lazy_ns_<pieces>x<peers>} and {@code speedup_<pieces>x<peers>} (Bt's time over ours).
 */
public final class PieceSelectionBench {
  private PieceSelectionBench() {}

  public static void main(String[] args) {
    int runs = 7;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--runs")) {
        runs = Integer.parseInt(args[++i]);
      } else {
        throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    BenchReport rep = new BenchReport("piece-selection");
    rep.columns("pieces x peers", "selector", "calls", "median ns/call", "min", "max");
    for (int pieces : new int[] {1024, 16384}) {
      for (int peers : new int[] {1, 8}) {
        double[] bt = new double[runs];
        double[] lazy = new double[runs];
        long calls = 0;
        for (int r = -2; r < runs; r++) {
          long seed = 1000L + r;
          long[] b =
              PieceSelectionTrial.run(PieceSelectionTrial.bt(pieces), pieces, peers, 32, seed);
          long[] l = PieceSelectionTrial.run(PieceSelectionTrial.lazy(), pieces, peers, 32, seed);
          if (r >= 0) {
            bt[r] = (double) b[0] / b[1];
            lazy[r] = (double) l[0] / l[1];
            calls = b[1];
          }
        }
        String key = pieces + "x" + peers;
        double mb = BenchReport.median(bt);
        double ml = BenchReport.median(lazy);
        rep.row(key, "Bt randomized rarest", calls, mb, min(bt), max(bt));
        rep.row(key, "natswarm lazy rarest", calls, ml, min(lazy), max(lazy));
        rep.result("bt_ns_" + key, mb)
            .result("lazy_ns_" + key, ml)
            .result("speedup_" + key, mb / ml);
      }
    }
    System.out.printf(
        Locale.ROOT, "machine: %d cores%n", Runtime.getRuntime().availableProcessors());
    rep.print(System.out);
  }

  private static double min(double[] v) {
    double m = Double.MAX_VALUE;
    for (double d : v) {
      m = Math.min(m, d);
    }
    return m;
  }

  private static double max(double[] v) {
    double m = 0;
    for (double d : v) {
      m = Math.max(m, d);
    }
    return m;
  }
}
