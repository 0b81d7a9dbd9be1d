package io.natswarm.bench;

import io.natswarm.datagram.UdpEndpoint;
import io.natswarm.utp.UtpSettings;
import io.natswarm.utp.stream.UtpChannel;
import io.natswarm.utp.stream.UtpServerSocket;
import io.natswarm.utp.stream.UtpSocket;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code bench/run utp-loopback [--mib N] [--runs R] [--no-libtorrent] [--utp-buffer-kib K]}: one
 * connection moving N MiB (default 500) over 127.0.0.1, side by side in one run: natswarm µTP
 * (packets of at most 1472 bytes), libtorrent 2.0.8 µTP (two sessions in a python3 subprocess, 4
 * MiB socket buffers), a raw JDK {@link DatagramChannel} blast of 1472-byte datagrams (the ceiling
 * for a JDK socket) and TCP. Rates are payload MiB/s from the first byte received to the last;
 * medians of R runs (default 3). CPU seconds per GiB counts every thread of this JVM during the
 * natswarm runs (both ends of the connection).
 */
public final class UtpLoopbackBench {
  private static final int DATAGRAM = 1472;
  private static final int BLAST_WINDOW = 1500;
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
  private static final long RUN_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(120);

  /** µTP send and receive buffer per connection (0: the core's defaults). */
  private static int utpBufferBytes;

  /** The largest datagram natswarm's sending endpoint put on the wire. */
  private static int largestDatagram;

  private UtpLoopbackBench() {}

  public static void main(String[] args) throws Exception {
    int mib = 500;
    int runs = 3;
    boolean libtorrent = true;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--mib" -> mib = Integer.parseInt(args[++i]);
        case "--runs" -> runs = Integer.parseInt(args[++i]);
        case "--no-libtorrent" -> libtorrent = false;
        case "--utp-buffer-kib" -> utpBufferBytes = Integer.parseInt(args[++i]) * 1024;
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    long bytes = (long) mib << 20;
    double[] nat = new double[runs];
    double[] natCpu = new double[runs];
    double[] natAlloc = new double[runs];
    double[] natAcks = new double[runs];
    double[] udp = new double[runs];
    double[] tcp = new double[runs];
    double[] lt = new double[runs];
    double[] ltCpu = new double[runs];
    java.util.Arrays.fill(lt, Double.NaN);
    java.util.Arrays.fill(ltCpu, Double.NaN);
    String ltNote = "";
    LibtorrentRunner ltRunner = null;
    if (libtorrent) {
      try {
        ltRunner = new LibtorrentRunner(mib, runs);
      } catch (IOException e) {
        ltNote = e.getMessage();
      }
    }
    try {
      // Interleaved, so that every system sees the same machine load in each round.
      for (int r = 0; r < runs; r++) {
        double[] n = natswarmRun(bytes);
        nat[r] = n[0];
        natCpu[r] = n[1];
        natAlloc[r] = n[2];
        natAcks[r] = n[3];
        if (ltRunner != null) {
          try {
            double[] l = ltRunner.run();
            lt[r] = l[0];
            ltCpu[r] = l[1];
          } catch (IOException e) {
            ltNote = e.getMessage();
          }
        }
        udp[r] = udpCeilingRun(bytes);
        tcp[r] = tcpRun(bytes);
        System.err.printf(
            Locale.ROOT,
            "run %d: natswarm %.1f MiB/s (cpu %.2f s/GiB, %.2f acks/data), udp %.1f, tcp %.1f,"
                + " libtorrent %.1f (cpu %.2f s/GiB)%n",
            r + 1,
            nat[r],
            natCpu[r],
            natAcks[r],
            udp[r],
            tcp[r],
            lt[r],
            ltCpu[r]);
      }
    } finally {
      if (ltRunner != null) {
        ltRunner.close();
      }
    }
    BenchReport rep = new BenchReport("utp-loopback");
    List<String> cols = new ArrayList<>(List.of("system (" + mib + " MiB, MiB/s)"));
    for (int r = 0; r < runs; r++) {
      cols.add("run " + (r + 1));
    }
    cols.add("median");
    cols.add("cpu s/GiB");
    rep.columns(cols.toArray(new String[0]));
    row(rep, "natswarm µTP", nat, BenchReport.median(natCpu));
    row(rep, "libtorrent µTP", lt, BenchReport.median(ltCpu));
    row(rep, "JDK UDP blast (ceiling)", udp, Double.NaN);
    row(rep, "TCP", tcp, Double.NaN);
    double natM = BenchReport.median(nat);
    double ltM = BenchReport.median(lt);
    double udpM = BenchReport.median(udp);
    rep.result("natswarm_mibps", natM)
        .result("libtorrent_mibps", ltM)
        .result("udp_ceiling_mibps", udpM)
        .result("tcp_mibps", BenchReport.median(tcp))
        .result("ratio_vs_libtorrent", natM / ltM)
        .result("ratio_vs_ceiling", natM / udpM)
        .result("cpu_seconds_per_gib", BenchReport.median(natCpu))
        .result("libtorrent_cpu_seconds_per_gib", BenchReport.median(ltCpu))
        .result("loop_alloc_bytes_per_datagram", BenchReport.median(natAlloc))
        .result("natswarm_acks_per_data_datagram", BenchReport.median(natAcks))
        .result("natswarm_largest_datagram_bytes", largestDatagram)
        .result("mib", mib)
        .result("runs", runs);
    if (!ltNote.isEmpty()) {
      System.out.println("libtorrent: " + ltNote);
    }
    rep.print(System.out);
  }

  private static void row(BenchReport rep, String name, double[] v, double cpu) {
    Object[] cells = new Object[v.length + 3];
    cells[0] = name;
    for (int i = 0; i < v.length; i++) {
      cells[i + 1] = v[i];
    }
    cells[v.length + 1] = BenchReport.median(v);
    cells[v.length + 2] = cpu;
    rep.row(cells);
  }

  /** natswarm µTP: returns {MiB/s, process CPU seconds per GiB}. */
  static double[] natswarmRun(long bytes) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try (UdpEndpoint ua = open("utp-recv");
        UdpEndpoint ub = open("utp-send");
        UtpSocket a = UtpSocket.open(ua, settings());
        UtpSocket b = UtpSocket.open(ub, settings())) {
      UtpServerSocket server = a.listen();
      Future<UtpChannel> acc = pool.submit(() -> server.accept(Duration.ofSeconds(10)));
      UtpChannel sender =
          b.connect(new InetSocketAddress(LOOPBACK, ua.port()), Duration.ofSeconds(10));
      UtpChannel receiver = acc.get(10, TimeUnit.SECONDS);
      receiver.setReadTimeout(Duration.ofSeconds(20));
      long cpu0 = processCpuNanos();
      long alloc0 = 0;
      long dgrams0 = 0;
      Future<?> send =
          pool.submit(
              () -> {
                ByteBuffer buf = ByteBuffer.allocate(1 << 20);
                new Random(1).nextBytes(buf.array());
                long left = bytes;
                while (left > 0) {
                  buf.clear().limit((int) Math.min(buf.capacity(), left));
                  left -= sender.write(buf);
                }
                sender.shutdownOutput();
                return null;
              });
      ByteBuffer in = ByteBuffer.allocate(1 << 20);
      long got = 0;
      long first = 0;
      long deadline = System.nanoTime() + RUN_LIMIT_NANOS;
      while (got < bytes) {
        int n = receiver.read(in.clear());
        if (n < 0) {
          break;
        }
        if (first == 0 && n > 0) {
          first = System.nanoTime();
        }
        if (got < bytes / 2 && got + n >= bytes / 2) {
          String mid =
              sender.inspect(
                  c ->
                      String.format(
                          Locale.ROOT,
                          "cwnd %d B, rtt %d us, packet %d B, retransmits %d, timeouts %d, losses %d",
                          c.congestionWindow(),
                          c.rttMicros(),
                          c.packetSize(),
                          c.stats().retransmits(),
                          c.stats().timeouts(),
                          c.stats().lossEvents()));
          System.err.println("natswarm sender at half way: " + mid);
        }
        if (got < bytes / 4 && got + n >= bytes / 4) {
          // steady state from here: buffers and pools have grown to their working size
          alloc0 = loopAllocatedBytes();
          dgrams0 = ua.stats().datagramsReceived() + ub.stats().datagramsReceived();
        }
        got += n;
        if (System.nanoTime() > deadline) {
          throw new IOException("natswarm run exceeded 120 s at " + got + " bytes");
        }
      }
      long end = System.nanoTime();
      long cpu = processCpuNanos() - cpu0;
      long alloc = loopAllocatedBytes() - alloc0;
      long dgrams = ua.stats().datagramsReceived() + ub.stats().datagramsReceived() - dgrams0;
      double acksPerData = ua.stats().datagramsSent() / (double) ua.stats().datagramsReceived();
      largestDatagram = Math.max(largestDatagram, ub.stats().largestDatagramSent());
      send.get(10, TimeUnit.SECONDS);
      if (got != bytes) {
        throw new IOException("natswarm received " + got + " of " + bytes + " bytes");
      }
      sender.close();
      receiver.close();
      double secs = (end - first) / 1e9;
      return new double[] {
        mibps(bytes, secs),
        cpu / 1e9 / (bytes / (double) (1L << 30)),
        alloc / (double) dgrams,
        acksPerData
      };
    } finally {
      pool.shutdownNow();
    }
  }

  private static UtpSettings settings() {
    UtpSettings d = UtpSettings.defaults();
    if (utpBufferBytes == 0) {
      return d;
    }
    return d.toBuilder().sendBufferBytes(utpBufferBytes).receiveBufferBytes(utpBufferBytes).build();
  }

  private static UdpEndpoint open(String name) throws IOException {
    return UdpEndpoint.builder().bind(new InetSocketAddress(LOOPBACK, 0)).threadName(name).open();
  }

  /**
   * The JDK ceiling: a blast of {@value #DATAGRAM}-byte datagrams from one {@link DatagramChannel}
   * to another, as fast as the sender can go while staying at most {@value #BLAST_WINDOW} datagrams
   * ahead of the receiver (an in-process counter, no datagrams spent on feedback), so that the
   * kernel never drops and the figure is the JDK's lossless send+receive rate.
   */
  static double udpCeilingRun(long bytes) throws Exception {
    try (DatagramChannel rx = DatagramChannel.open();
        DatagramChannel tx = DatagramChannel.open()) {
      rx.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
      tx.setOption(StandardSocketOptions.SO_SNDBUF, 4 << 20);
      rx.bind(new InetSocketAddress(LOOPBACK, 0));
      InetSocketAddress to = (InetSocketAddress) rx.getLocalAddress();
      long count = bytes / DATAGRAM;
      AtomicLong received = new AtomicLong();
      Thread sender =
          new Thread(
              () -> {
                ByteBuffer b = ByteBuffer.allocateDirect(DATAGRAM);
                try {
                  for (long i = 0; i < count; i++) {
                    while (i - received.get() > BLAST_WINDOW) {
                      LockSupport.parkNanos(20_000);
                    }
                    b.clear();
                    tx.send(b, to);
                  }
                } catch (IOException e) {
                  // receiver closed
                }
              },
              "udp-blast");
      ByteBuffer in = ByteBuffer.allocateDirect(65_536);
      rx.configureBlocking(false);
      long got = 0;
      long n = 0;
      long first = 0;
      long last = 0;
      try (Selector sel = Selector.open()) {
        rx.register(sel, SelectionKey.OP_READ);
        sender.start();
        // an event loop like natswarm's: sleep in select, then read until drained
        while (n < count) {
          if (sel.select(500) == 0) {
            break; // a datagram was lost after all; report what arrived
          }
          sel.selectedKeys().clear();
          while (true) {
            in.clear();
            if (rx.receive(in) == null) {
              break;
            }
            last = System.nanoTime();
            if (first == 0) {
              first = last;
            }
            got += in.position();
            received.lazySet(++n);
          }
        }
      }
      received.set(Long.MAX_VALUE / 2);
      sender.join(10_000);
      return mibps(got, (last - first) / 1e9);
    }
  }

  static double tcpRun(long bytes) throws Exception {
    try (ServerSocketChannel ss = ServerSocketChannel.open()) {
      ss.bind(new InetSocketAddress(LOOPBACK, 0));
      Thread sender =
          new Thread(
              () -> {
                try (SocketChannel c = SocketChannel.open(ss.getLocalAddress())) {
                  ByteBuffer b = ByteBuffer.allocateDirect(1 << 20);
                  long left = bytes;
                  while (left > 0) {
                    b.clear().limit((int) Math.min(b.capacity(), left));
                    left -= c.write(b);
                  }
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              },
              "tcp-send");
      sender.start();
      try (SocketChannel c = ss.accept()) {
        ByteBuffer in = ByteBuffer.allocateDirect(1 << 20);
        long got = 0;
        long first = 0;
        int n;
        while ((n = c.read(in.clear())) >= 0) {
          if (first == 0 && n > 0) {
            first = System.nanoTime();
          }
          got += n;
        }
        long end = System.nanoTime();
        sender.join(10_000);
        return mibps(got, (end - first) / 1e9);
      }
    }
  }

  /**
   * lt_bench.py in its interactive mode: it makes the torrent once, then does one fresh
   * seeder-to-leecher run per {@link #run()}, so libtorrent's runs interleave with ours.
   */
  static final class LibtorrentRunner implements AutoCloseable {
    private final Process p;
    private final BufferedReader out;
    private final java.io.Writer in;
    private final Path work;
    private final int mib;

    LibtorrentRunner(int mib, int runs) throws IOException {
      Path script = Path.of("utp/src/test/resources/interop/lt_bench.py").toAbsolutePath();
      if (!Files.exists(script)) {
        throw new IOException("missing " + script + " (run from the repository root)");
      }
      this.mib = mib;
      this.work = Files.createTempDirectory("natswarm-lt-bench");
      this.p =
          new ProcessBuilder(
                  "/usr/bin/python3",
                  "-u",
                  script.toString(),
                  "" + mib,
                  "0",
                  "" + (120 + runs * 90),
                  work.toString())
              .directory(script.getParent().toFile())
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .start();
      this.out =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      this.in = new java.io.OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8);
      String ready = out.readLine();
      if (ready == null || !ready.contains("ready")) {
        close();
        throw new IOException("lt_bench.py did not get ready: " + ready);
      }
    }

    /** One run: {MiB/s, CPU seconds per GiB of the python process (both sessions)}. */
    double[] run() throws IOException {
      in.write("run\n");
      in.flush();
      String line = out.readLine();
      if (line == null || line.contains("\"error\"")) {
        throw new IOException("libtorrent run failed: " + line);
      }
      return new double[] {field(line, "mibps"), field(line, "cpu_seconds") / (mib / 1024.0)};
    }

    @Override
    public void close() throws IOException {
      try {
        p.getOutputStream().close();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroy();
          if (!p.waitFor(5, TimeUnit.SECONDS)) {
            p.destroyForcibly();
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
      } finally {
        try (Stream<Path> s = Files.walk(work)) {
          s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
      }
    }
  }

  private static double field(String json, String name) {
    Matcher m = Pattern.compile("\"" + name + "\": (-?[0-9.eE+-]+)").matcher(json);
    if (!m.find()) {
      throw new IllegalArgumentException("no " + name + " in " + json);
    }
    return Double.parseDouble(m.group(1));
  }

  private static double mibps(long bytes, double secs) {
    return bytes / (double) (1 << 20) / secs;
  }

  /** Bytes allocated by the two event-loop threads (named utp-recv and utp-send). */
  private static long loopAllocatedBytes() {
    com.sun.management.ThreadMXBean tm =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long sum = 0;
    for (java.lang.management.ThreadInfo ti : tm.getThreadInfo(tm.getAllThreadIds())) {
      if (ti != null
          && (ti.getThreadName().equals("utp-recv") || ti.getThreadName().equals("utp-send"))) {
        sum += tm.getThreadAllocatedBytes(ti.getThreadId());
      }
    }
    return sum;
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }
}
