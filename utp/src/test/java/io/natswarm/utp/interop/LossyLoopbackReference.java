package io.natswarm.utp.interop;

import io.natswarm.datagram.UdpEndpoint;
import io.natswarm.utp.stream.UtpChannel;
import io.natswarm.utp.stream.UtpServerSocket;
import io.natswarm.utp.stream.UtpSocket;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Our µTP to our µTP on loopback, the natswarm half of the lossy-loopback reference figures (issue
 * 8: "under the same 1 % silent loss on loopback: our µTP to our µTP about 30 MiB/s, libtorrent to
 * libtorrent about 3.8 MiB/s"). Run by {@code utp/src/test/resources/interop/lossy-reference.sh},
 * which starts it inside a fresh network namespace whose input hook drops UDP at random; run alone
 * it measures a clean loopback.
 *
 * <p>usage: {@code LossyLoopbackReference SIZE_MIB RUNS}. Each run: fresh endpoints and sockets on
 * 127.0.0.1, one connection, SIZE_MIB of random bytes, every byte compared; the rate is taken from
 * the first payload byte received to the last (as {@code lt_bench.py} takes libtorrent's). Prints
 * one line per run and {@code RESULT natswarm ... median_mibps=...}; exits 1 if a run fails.
 */
public final class LossyLoopbackReference {
  private LossyLoopbackReference() {}

  public static void main(String[] args) throws Exception {
    int sizeMib = args.length > 0 ? Integer.parseInt(args[0]) : 32;
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    byte[] data = new byte[sizeMib << 20];
    new Random(29).nextBytes(data);
    double[] rates = new double[runs];
    ExecutorService pool = Executors.newCachedThreadPool();
    try {
      for (int run = 0; run < runs; run++) {
        rates[run] = oneRun(pool, data);
        System.out.printf(Locale.ROOT, "run %d: %.2f MiB/s%n", run, rates[run]);
      }
    } catch (IOException | RuntimeException e) {
      System.out.println("RESULT natswarm failed=" + e);
      System.exit(1);
    } finally {
      pool.shutdownNow();
    }
    double[] sorted = rates.clone();
    Arrays.sort(sorted);
    System.out.printf(
        Locale.ROOT,
        "RESULT natswarm size_mib=%d runs=%d median_mibps=%.2f min_mibps=%.2f max_mibps=%.2f%n",
        sizeMib,
        runs,
        sorted[runs / 2],
        sorted[0],
        sorted[runs - 1]);
  }

  private static double oneRun(ExecutorService pool, byte[] data) throws Exception {
    InetSocketAddress lo = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    try (UdpEndpoint ua = UdpEndpoint.builder().bind(lo).open();
        UdpEndpoint ub = UdpEndpoint.builder().bind(lo).open();
        UtpSocket a = UtpSocket.open(ua);
        UtpSocket b = UtpSocket.open(ub)) {
      UtpServerSocket server = b.listen();
      Future<long[]> reader =
          pool.submit(
              () -> {
                try (UtpChannel in = server.accept(Duration.ofSeconds(30))) {
                  in.setReadTimeout(Duration.ofSeconds(30));
                  ByteBuffer buf = ByteBuffer.allocate(1 << 16);
                  long first = 0;
                  long got = 0;
                  int n;
                  while (got < data.length && (n = in.read(buf.clear())) >= 0) {
                    if (got == 0 && n > 0) {
                      first = System.nanoTime();
                    }
                    for (int i = 0; i < n; i++) {
                      if (buf.get(i) != data[(int) got + i]) {
                        throw new IOException("byte " + (got + i) + " differs");
                      }
                    }
                    got += n;
                  }
                  return new long[] {got, first, System.nanoTime()};
                }
              });
      try (UtpChannel out =
          a.connect(
              new InetSocketAddress(InetAddress.getLoopbackAddress(), ub.port()),
              Duration.ofSeconds(30))) {
        out.write(ByteBuffer.wrap(data));
        long[] r = reader.get(300, TimeUnit.SECONDS);
        if (r[0] != data.length) {
          throw new IOException("received " + r[0] + " of " + data.length + " bytes");
        }
        System.out.println(
            "  sender: "
                + out.inspect(
                    c -> c.stats() + " cwnd=" + c.congestionWindow() + " rtt_us=" + c.rttMicros()));
        return data.length / (double) (1 << 20) / ((r[2] - r[1]) / 1e9);
      }
    }
  }
}
