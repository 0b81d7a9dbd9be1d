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
 * connection moving N MiB (default 500) over 127.0.0.1, side by side in each round: natswarm µTP
 * memory to memory (packets of at most 1472 bytes: 1452 of payload and the 20-byte µTP header),
 * libtorrent 2.0.8's µTP, the JDK UDP ceiling and TCP. Rates are payload MiB/s from the first byte
 * received to the last; medians of R rounds (default 3). A failed run of any side fails the
 * benchmark (exit status 1, no RESULT line): no failure is absorbed into a median.
 *
 * <p><b>The ceiling</b> is the best a JDK socket does on this machine: two connected {@link
 * DatagramChannel}s, datagrams of the size natswarm put on the wire in the same round, each counted
 * as that size less the 20-byte µTP header, so that {@code ratio_vs_ceiling} compares equal payload
 * per datagram. Each round runs it twice, with a receiver that busy-polls a non-blocking channel
 * and with one that blocks in {@code read}, and the ceiling is the faster of the two (on an idle
 * machine busy polling wins; on a loaded one a thread that never sleeps loses the core to the
 * others). The sender stays a bounded number of datagrams ahead of the receiver (an in-process
 * counter) so that the kernel never drops; a datagram lost all the same fails the run.
 *
 * <p><b>libtorrent</b> ({@code bench/src/test/resources/utp-loopback/lt_raw.py}) is made as close
 * to a raw transfer as its Python bindings allow: storage on tmpfs ({@code /dev/shm}, no disk I/O;
 * the bindings do not expose libtorrent's disabled storage), 4 MiB pieces, the seeder checked once
 * before the rounds (no hashing while it sends), hash checks disabled on the leecher, both sessions
 * on {@code high_performance_seed()} with 4 MiB socket buffers, completion from alerts (Python only
 * waits). Differences that remain, all extra work on libtorrent's side: the BitTorrent peer wire
 * (16 KiB blocks, each requested and framed), copies through mmap'd files in tmpfs at both ends,
 * and a fresh leeching session per round (its connection set-up is outside the timing, which starts
 * at the first block). natswarm's µTP moves a raw byte stream between two channels of one JVM.
 * {@code ratio_vs_libtorrent} is therefore not a like-for-like protocol comparison; the comparison
 * on equal work is the swarm benchmark of the swarm-node issue.
 *
 * <p>CPU seconds per GiB counts every thread of this JVM during the natswarm runs (both ends of the
 * connection); libtorrent's, the Python process (both sessions).
 */
public final class UtpLoopbackBench {
  private static final int UTP_HEADER = 20;
  private static final int BLAST_WINDOW = 1500;
  private static final long CEILING_STALL_NANOS = TimeUnit.SECONDS.toNanos(2);
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
    double[] udpBusy = new double[runs];
    double[] udpBlocking = new double[runs];
    double[] tcp = new double[runs];
    double[] lt = new double[runs];
    double[] ltCpu = new double[runs];
    java.util.Arrays.fill(lt, Double.NaN);
    java.util.Arrays.fill(ltCpu, Double.NaN);
    // Without libtorrent (python3-libtorrent missing) the benchmark fails unless --no-libtorrent.
    LibtorrentRunner ltRunner = libtorrent ? new LibtorrentRunner(mib, runs) : null;
    try {
      // Interleaved, so that every system sees the same machine load in each round.
      for (int r = 0; r < runs; r++) {
        double[] n = natswarmRun(bytes);
        nat[r] = n[0];
        natCpu[r] = n[1];
        natAlloc[r] = n[2];
        natAcks[r] = n[3];
        int datagram = (int) n[4];
        if (ltRunner != null) {
          double[] l = ltRunner.run();
          lt[r] = l[0];
          ltCpu[r] = l[1];
        }
        udpBusy[r] = udpRun(bytes, datagram, datagram - UTP_HEADER, true);
        udpBlocking[r] = udpRun(bytes, datagram, datagram - UTP_HEADER, false);
        udp[r] = Math.max(udpBusy[r], udpBlocking[r]);
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
    row(rep, "JDK UDP, busy-polling receiver", udpBusy, Double.NaN);
    row(rep, "JDK UDP, blocking receiver", udpBlocking, Double.NaN);
    row(rep, "JDK UDP ceiling (the better)", udp, Double.NaN);
    row(rep, "TCP", tcp, Double.NaN);
    double natM = BenchReport.median(nat);
    double ltM = BenchReport.median(lt);
    double udpM = BenchReport.median(udp);
    rep.result("natswarm_mibps", natM)
        .result("udp_ceiling_mibps", udpM)
        .result("ratio_vs_ceiling", natM / udpM)
        .result("tcp_mibps", BenchReport.median(tcp))
        .result("udp_busy_poll_mibps", BenchReport.median(udpBusy))
        .result("udp_blocking_mibps", BenchReport.median(udpBlocking));
    if (ltRunner != null) {
      rep.result("libtorrent_mibps", ltM)
          .result("ratio_vs_libtorrent", natM / ltM)
          .result("libtorrent_cpu_seconds_per_gib", BenchReport.median(ltCpu));
    }
    rep.result("cpu_seconds_per_gib", BenchReport.median(natCpu))
        .result("loop_alloc_bytes_per_datagram", BenchReport.median(natAlloc))
        .result("natswarm_acks_per_data_datagram", BenchReport.median(natAcks))
        .result("natswarm_largest_datagram_bytes", largestDatagram)
        .result("mib", mib)
        .result("runs", runs);
    if (ltRunner != null) {
      System.out.println(
          "libtorrent moves BitTorrent pieces through tmpfs files (see the class comment):"
              + " ratio_vs_libtorrent is not a like-for-like protocol comparison.");
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

  /**
   * natswarm µTP: returns {MiB/s, process CPU seconds per GiB, loop bytes allocated per datagram,
   * acks per data datagram, largest datagram sent}.
   */
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
      int largest = ub.stats().largestDatagramSent();
      largestDatagram = Math.max(largestDatagram, largest);
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
        acksPerData,
        largest
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
   * One JDK UDP run: {@code datagram}-byte datagrams from one connected {@link DatagramChannel} to
   * another, each counted as {@code payload} bytes. With {@code busyPoll} the receiver spins on its
   * non-blocking channel (never sleeps) and the sender spins while it is ahead; without, the
   * receiver blocks in {@code read} and the sender parks. The sender stays at most {@value
   * #BLAST_WINDOW} datagrams (and a quarter of the receive buffer) ahead of the receiver, so that
   * the kernel never drops; a datagram lost all the same fails the run.
   */
  static double udpRun(long bytes, int datagram, int payload, boolean busyPoll) throws Exception {
    try (DatagramChannel rx = DatagramChannel.open();
        DatagramChannel tx = DatagramChannel.open()) {
      rx.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
      tx.setOption(StandardSocketOptions.SO_SNDBUF, 4 << 20);
      rx.bind(new InetSocketAddress(LOOPBACK, 0));
      tx.bind(new InetSocketAddress(LOOPBACK, 0));
      rx.connect(tx.getLocalAddress());
      tx.connect(rx.getLocalAddress());
      // The kernel charges a loopback datagram about twice its size to the receive buffer.
      int rcvbuf = rx.getOption(StandardSocketOptions.SO_RCVBUF);
      long window = Math.max(16, Math.min(BLAST_WINDOW, rcvbuf / (4L * datagram)));
      long count = bytes / payload;
      AtomicLong received = new AtomicLong();
      Thread sender =
          new Thread(
              () -> {
                ByteBuffer b = ByteBuffer.allocateDirect(datagram);
                try {
                  for (long i = 0; i < count; i++) {
                    while (i - received.get() > window) {
                      if (busyPoll) {
                        Thread.onSpinWait();
                      } else {
                        LockSupport.parkNanos(20_000);
                      }
                    }
                    b.clear();
                    tx.write(b);
                  }
                } catch (IOException e) {
                  // the receiver gave up and closed: it reports why
                }
              },
              "udp-ceiling-send");
      // A datagram lost after all would leave the receiver waiting: the watchdog closes it.
      AtomicLong progressAt = new AtomicLong(System.nanoTime());
      Thread watchdog =
          new Thread(
              () -> {
                while (received.get() < count) {
                  if (System.nanoTime() - progressAt.get() > CEILING_STALL_NANOS) {
                    try {
                      rx.close();
                    } catch (IOException e) {
                      // closing is all we wanted
                    }
                    return;
                  }
                  LockSupport.parkNanos(100_000_000L);
                }
              },
              "udp-ceiling-watchdog");
      watchdog.setDaemon(true);
      ByteBuffer in = ByteBuffer.allocateDirect(65_536);
      rx.configureBlocking(!busyPoll);
      long n = 0;
      long first = 0;
      long last = 0;
      sender.start();
      watchdog.start();
      try {
        while (n < count) {
          in.clear();
          int r = rx.read(in);
          if (r <= 0) {
            if (!rx.isOpen()) {
              break;
            }
            Thread.onSpinWait();
            continue;
          }
          if (r != datagram) {
            throw new IOException("UDP run: a datagram of " + r + " bytes, sent " + datagram);
          }
          last = System.nanoTime();
          progressAt.lazySet(last);
          if (first == 0) {
            first = last;
          }
          received.lazySet(++n);
        }
      } catch (java.nio.channels.ClosedChannelException e) {
        // the watchdog closed it: reported below
      } finally {
        received.set(Long.MAX_VALUE / 2);
        sender.join(10_000);
      }
      if (n < count) {
        throw new IOException(
            "UDP run ("
                + (busyPoll ? "busy poll" : "blocking")
                + "): nothing for 2 s after "
                + n
                + " of "
                + count
                + " datagrams; one was lost, and the ceiling must be lossless");
      }
      return mibps(n * payload, (last - first) / 1e9); // as natswarm's: first arrival to last
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
        if (got != bytes) {
          throw new IOException("TCP received " + got + " of " + bytes + " bytes");
        }
        return mibps(got, (end - first) / 1e9);
      }
    }
  }

  /**
   * lt_raw.py: it makes the torrent and checks the seeder once, then does one fresh leeching
   * session per {@link #run()}, so that libtorrent's runs interleave with ours.
   */
  static final class LibtorrentRunner implements AutoCloseable {
    private final Process p;
    private final BufferedReader out;
    private final java.io.Writer in;
    private final Path work;
    private final int mib;

    LibtorrentRunner(int mib, int runs) throws IOException {
      Path script = Path.of("bench/src/test/resources/utp-loopback/lt_raw.py").toAbsolutePath();
      if (!Files.exists(script)) {
        throw new IOException("missing " + script + " (run from the repository root)");
      }
      this.mib = mib;
      Path shm = Path.of("/dev/shm");
      this.work =
          Files.isDirectory(shm) && Files.isWritable(shm)
              ? Files.createTempDirectory(shm, "natswarm-lt-bench")
              : Files.createTempDirectory("natswarm-lt-bench");
      this.p =
          new ProcessBuilder(
                  "/usr/bin/python3",
                  "-u",
                  script.toString(),
                  "" + mib,
                  "4",
                  work.toString(),
                  "" + RUN_LIMIT_NANOS / 1_000_000_000L)
              .directory(script.getParent().toFile())
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .start();
      this.out =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      this.in = new java.io.OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8);
      String ready = out.readLine();
      if (ready == null || !ready.contains("ready")) {
        close();
        throw new IOException(
            "libtorrent (lt_raw.py, needs python3-libtorrent; or pass --no-libtorrent) did not get"
                + " ready: "
                + ready);
      }
    }

    /** One run: {MiB/s, CPU seconds per GiB of the python process (both sessions)}. */
    double[] run() throws IOException {
      in.write("run\n");
      in.flush();
      String line = out.readLine();
      if (line == null || line.contains("\"error\"")) {
        throw new IOException("libtorrent run failed, so the benchmark fails: " + line);
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
