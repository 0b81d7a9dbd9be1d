package io.natswarm.bench;

import io.natswarm.node.EngineTuning;
import io.natswarm.node.PeerTransports;
import io.natswarm.node.SwarmNode;
import io.natswarm.node.SwarmNodeSettings;
import io.natswarm.node.Transfer;
import io.natswarm.node.TransferProgress;
import io.natswarm.node.interop.LibtorrentPeer;
import io.natswarm.node.interop.LibtorrentPeer.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * {@code bench/run swarm-loopback [--mib N] [--runs R] [--piece-kib K] [--peers P] [--no-heap]
 * [--no-transfers] [--heap-rounds H] [--network-buffer-kib K]}: issue 9's benchmark. A torrent of N
 * MiB (default 256, pieces of K KiB, default 256) seeded by libtorrent 2.0.8 on 127.0.0.1 in seed
 * mode with its {@code high_performance_seed()} settings plus LAB.md's loopback settings (4 MiB
 * socket buffers, v1-only torrent, µTP-only or TCP-only: one seeder per transport, both alive for
 * the whole benchmark), downloaded in turn by natswarm and by a libtorrent leecher (default
 * settings plus the loopback ones), over µTP and over TCP, interleaved in each round: natswarm-utp,
 * libtorrent-utp, natswarm-tcp, libtorrent-tcp; R rounds (default 5: the 2-core machine is shared
 * by other builds, and single runs spread by ±50 %), medians. Rates are N MiB over the median time
 * from adding the torrent. {@code natswarm_utp_cpu_s} and {@code natswarm_tcp_cpu_s}: the median
 * CPU seconds the benchmark's JVM (natswarm's node: all its threads, GC included) spent per
 * download, a figure the machine's other load disturbs much less than the times do.
 *
 * <p>Each time runs from adding the torrent (the seeder's address given at once) to every piece
 * verified on disk: for natswarm from {@link SwarmNode#download} to {@link Transfer#completion()};
 * for libtorrent from {@code add_torrent} to {@code is_seeding} (its helper polls every 10 ms).
 * Neither includes starting the node or the session. natswarm runs at its shipped defaults ({@link
 * SwarmNodeSettings#loopback()}: the configuration's defaults on the loopback address) except that
 * it dials only the transport under test ({@link PeerTransports#UTP_ONLY} or {@link
 * PeerTransports#TCP_ONLY}, as the libtorrent leecher is switched to one transport); each run has a
 * fresh node or session and an empty directory, and each download is compared byte for byte (by
 * SHA-256) with the seeded file afterwards, outside the timing. Before the rounds, one libtorrent
 * download from each seeder, not counted: in seed mode libtorrent hashes each piece the first time
 * it sends it, and that cost should fall on no one measured.
 *
 * <p>{@code heap_kib_per_peer}: see {@link IdlePeerHeap}; measured first (before any transfer in
 * this JVM), in H rounds ({@code --heap-rounds}, default 3) alternating µTP and TCP with a fresh
 * node each; the key is the larger of the two transports' medians, and {@code
 * heap_kib_per_peer_utp}, {@code heap_kib_per_peer_tcp} and {@code heap_kib_per_peer_max} (the
 * largest single round: the first µTP round of a JVM also carries one-time allocations) are printed
 * with it. Direct-buffer memory per peer is printed too ({@code direct_kib_per_peer_*}: not heap,
 * but memory each connection holds all the same).
 *
 * <p>Where natswarm's time went, 2026-12-03 (JFR, Java samples every 2 ms and native samples every
 * 5 ms, over a run of 3 rounds with {@code --no-heap}; the machine's 2 cores were saturated by
 * other builds for the whole run, load average 15–20, and this JVM got 15–25 % of the machine): of
 * the node's Java samples, 36 % on Bt's message dispatcher, most of them in piece selection ({@code
 * RequestProducer.produce} → {@code RarestFirstSelector.getNextPieces}: piece counts and orderings
 * rebuilt in hash maps on every dispatcher turn); 33 % on Bt's single data worker (SHA-1 itself a
 * small share: most in {@code ReadWriteDataRange}/{@code BlockRange.getSubrange} and {@code
 * OpenFileCache} per block; each piece is written, then read back with {@code pread} to be hashed);
 * 15 % on the UDP/µTP thread. Native samples show the node's I/O threads almost always waiting in
 * {@code epoll_wait} (UDP thread 590 of 662), so no natswarm thread was the bottleneck on its own:
 * the download waited on CPU share and on the seeder. Bt's own {@code SharedSelector} receive
 * thread still runs (idle) beside ours. Closing a node right after completion interrupts Bt's
 * {@code fsync} of the file ({@code ClosedByInterruptException} logged at ERROR by Bt); the data is
 * written and verified by then (this benchmark's SHA-256 check passes).
 *
 * <p>Any failed run (a timeout, an incomplete download, a byte that differs, fewer idle peers than
 * 90 % reported connected) ends the benchmark with an exception: exit status 1, no RESULT line.
 */
public final class SwarmLoopbackBench {
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
  private static final int RUN_LIMIT_SECONDS = 300;

  private SwarmLoopbackBench() {}

  /**
   * One download: seconds from adding the torrent, and from the first payload byte, to done; and
   * the CPU seconds this JVM spent meanwhile (natswarm's runs only: all its threads, GC included).
   */
  record Run(double seconds, double fromFirstByteSeconds, double cpuSeconds) {
    Run(double seconds, double fromFirstByteSeconds) {
      this(seconds, fromFirstByteSeconds, 0);
    }
  }

  /** {@code --network-buffer-kib}: each connection's buffers, for an A/B; 0 = the default. */
  private static int networkBufferKib;

  /** The node's settings: the loopback defaults, with {@code --network-buffer-kib} if given. */
  static SwarmNodeSettings nodeSettings() {
    SwarmNodeSettings s = SwarmNodeSettings.loopback();
    if (networkBufferKib == 0) {
      return s;
    }
    EngineTuning t = s.tuning();
    return s.withTuning(
        new EngineTuning(
            t.maxSimultaneouslyAssignedPieces(),
            t.maxOutstandingRequests(),
            t.maxPieceReceivingTime(),
            t.hashingThreads(),
            networkBufferKib * 1024,
            t.maxMessageProcessingInterval()));
  }

  public static void main(String[] args) throws Exception {
    int mib = 256;
    int runs = 5;
    int pieceKib = 256;
    int peers = 100;
    int heapRounds = 3;
    boolean heap = true;
    boolean transfers = true;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--mib" -> mib = Integer.parseInt(args[++i]);
        case "--runs" -> runs = Integer.parseInt(args[++i]);
        case "--piece-kib" -> pieceKib = Integer.parseInt(args[++i]);
        case "--peers" -> peers = Integer.parseInt(args[++i]);
        case "--heap-rounds" -> heapRounds = Integer.parseInt(args[++i]);
        case "--no-heap" -> heap = false;
        case "--no-transfers" -> transfers = false;
        case "--network-buffer-kib" -> networkBufferKib = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    String why = LibtorrentPeer.unavailableReason();
    if (transfers && why != null) {
      throw new IllegalStateException("swarm-loopback needs libtorrent: " + why);
    }
    String loadAtStart = loadAverage();
    Path dir = Files.createTempDirectory("swarm-loopback");
    BenchReport rep = new BenchReport("swarm-loopback");
    try {
      // The heap first, in a JVM that has run no transfer yet.
      double[] h = heap ? heap(dir, peers, heapRounds) : null;
      if (transfers) {
        transfers(rep, dir, mib, runs, pieceKib * 1024);
      }
      if (h != null) {
        heapTable(heapRows, peers);
        rep.result("heap_kib_per_peer", Math.max(h[0], h[1]))
            .result("heap_kib_per_peer_utp", h[0])
            .result("heap_kib_per_peer_tcp", h[1])
            .result("direct_kib_per_peer_utp", h[2])
            .result("direct_kib_per_peer_tcp", h[3])
            .result("heap_kib_per_peer_max", heapMax)
            .result("idle_peers", idlePeers);
      }
    } finally {
      deleteTree(dir);
    }
    System.out.printf(
        Locale.ROOT,
        "machine: %d cores; load average (1 5 15 min) %s at the start, %s at the end%n",
        Runtime.getRuntime().availableProcessors(),
        loadAtStart,
        loadAverage());
    rep.print(System.out);
  }

  private static void transfers(BenchReport rep, Path dir, int mib, int runs, int piece)
      throws Exception {
    long bytes = (long) mib << 20;
    Path seedDir = Files.createDirectories(dir.resolve("seed"));
    Path data = writePayload(seedDir.resolve("payload.bin"), bytes);
    String sha = sha256(data);
    Path utpTorrent = dir.resolve("utp.torrent");
    Path tcpTorrent = dir.resolve("tcp.torrent");
    int lifetime = runs * 4 * RUN_LIMIT_SECONDS + 600;
    double[] natUtp = new double[runs];
    double[] ltUtp = new double[runs];
    double[] natTcp = new double[runs];
    double[] ltTcp = new double[runs];
    double[][] firstByte = new double[4][runs];
    double[][] cpu = new double[2][runs];
    try (LibtorrentPeer utpSeed =
            LibtorrentPeer.highPerformanceSeed(data, piece, utpTorrent, Transport.UTP, lifetime);
        LibtorrentPeer tcpSeed =
            LibtorrentPeer.highPerformanceSeed(data, piece, tcpTorrent, Transport.TCP, lifetime)) {
      int utpPort = port(utpSeed);
      int tcpPort = port(tcpSeed);
      System.err.printf(
          Locale.ROOT,
          "seeders: µTP on %d, TCP on %d; %d MiB, %d KiB pieces%n",
          utpPort,
          tcpPort,
          mib,
          piece / 1024);
      Run w1 = libtorrent(utpTorrent, utpPort, Transport.UTP, dir, sha);
      Run w2 = libtorrent(tcpTorrent, tcpPort, Transport.TCP, dir, sha);
      System.err.printf(
          Locale.ROOT,
          "warm-up (seed mode hashes each piece once, not counted): libtorrent µTP %.2f s,"
              + " TCP %.2f s%n",
          w1.seconds(),
          w2.seconds());
      for (int r = 0; r < runs; r++) {
        Run a = natswarm(utpTorrent, utpPort, Transport.UTP, dir, sha);
        Run b = libtorrent(utpTorrent, utpPort, Transport.UTP, dir, sha);
        Run c = natswarm(tcpTorrent, tcpPort, Transport.TCP, dir, sha);
        Run d = libtorrent(tcpTorrent, tcpPort, Transport.TCP, dir, sha);
        natUtp[r] = a.seconds();
        ltUtp[r] = b.seconds();
        natTcp[r] = c.seconds();
        ltTcp[r] = d.seconds();
        firstByte[0][r] = a.fromFirstByteSeconds();
        firstByte[1][r] = b.fromFirstByteSeconds();
        firstByte[2][r] = c.fromFirstByteSeconds();
        firstByte[3][r] = d.fromFirstByteSeconds();
        cpu[0][r] = a.cpuSeconds();
        cpu[1][r] = c.cpuSeconds();
        System.err.printf(
            Locale.ROOT,
            "round %d (s from add): natswarm-utp %.2f, libtorrent-utp %.2f, natswarm-tcp %.2f,"
                + " libtorrent-tcp %.2f%n",
            r + 1,
            a.seconds(),
            b.seconds(),
            c.seconds(),
            d.seconds());
      }
    }
    List<String> cols = new ArrayList<>(List.of("download of " + mib + " MiB (s from add)"));
    for (int r = 0; r < runs; r++) {
      cols.add("run " + (r + 1));
    }
    cols.add("median s");
    cols.add("MiB/s");
    cols.add("median s from 1st byte");
    rep.columns(cols.toArray(new String[0]));
    row(rep, "natswarm µTP", natUtp, mib, firstByte[0]);
    row(rep, "libtorrent µTP", ltUtp, mib, firstByte[1]);
    row(rep, "natswarm TCP", natTcp, mib, firstByte[2]);
    row(rep, "libtorrent TCP", ltTcp, mib, firstByte[3]);
    double nu = BenchReport.median(natUtp);
    double lu = BenchReport.median(ltUtp);
    double nt = BenchReport.median(natTcp);
    double lt = BenchReport.median(ltTcp);
    rep.result("utp_ratio", nu / lu)
        .result("tcp_ratio", nt / lt)
        .result("natswarm_utp_mibps", mib / nu)
        .result("libtorrent_utp_mibps", mib / lu)
        .result("natswarm_tcp_mibps", mib / nt)
        .result("libtorrent_tcp_mibps", mib / lt)
        .result("natswarm_utp_cpu_s", BenchReport.median(cpu[0]))
        .result("natswarm_tcp_cpu_s", BenchReport.median(cpu[1]));
    System.out.printf(
        Locale.ROOT,
        "natswarm CPU seconds per download (this JVM, all threads): µTP %s, TCP %s%n",
        Arrays.toString(cpu[0]),
        Arrays.toString(cpu[1]));
  }

  private static double processCpuSeconds() {
    var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.OperatingSystemMXBean sun
        ? sun.getProcessCpuTime() / 1e9
        : 0;
  }

  private static void row(BenchReport rep, String name, double[] v, int mib, double[] first) {
    Object[] cells = new Object[v.length + 4];
    cells[0] = name;
    for (int i = 0; i < v.length; i++) {
      cells[i + 1] = v[i];
    }
    double m = BenchReport.median(v);
    cells[v.length + 1] = m;
    cells[v.length + 2] = mib / m;
    cells[v.length + 3] = BenchReport.median(first);
    rep.row(cells);
  }

  /**
   * {@code rounds} heap measurements per transport, alternating µTP and TCP, each with a fresh
   * node; prints each and returns the medians in KiB per peer: µTP heap, TCP heap, µTP direct, TCP
   * direct.
   */
  private static double[] heap(Path dir, int peers, int rounds) throws Exception {
    double[][] kib = new double[4][rounds];
    int least = Integer.MAX_VALUE;
    for (int r = 0; r < rounds; r++) {
      IdlePeerHeap.Figure utp = IdlePeerHeap.measure("utp", peers, dir);
      IdlePeerHeap.Figure tcp = IdlePeerHeap.measure("tcp", peers, dir);
      kib[0][r] = utp.heapKibPerPeer();
      kib[1][r] = tcp.heapKibPerPeer();
      kib[2][r] = utp.directKibPerPeer();
      kib[3][r] = tcp.directKibPerPeer();
      for (IdlePeerHeap.Figure f : List.of(utp, tcp)) {
        least = Math.min(least, f.connected());
        System.err.printf(
            Locale.ROOT,
            "heap round %d, idle peers over %s: %d handshaken, %d reported connected by the node;"
                + " used heap after GC %.1f -> %.1f MiB (%.1f KiB per peer); direct buffers %.1f"
                + " -> %.1f MiB (%.1f KiB per peer)%n",
            r + 1,
            f.transport(),
            f.handshaken(),
            f.connected(),
            f.heapBeforeBytes() / 1048576.0,
            f.heapAfterBytes() / 1048576.0,
            f.heapKibPerPeer(),
            f.directBeforeBytes() / 1048576.0,
            f.directAfterBytes() / 1048576.0,
            f.directKibPerPeer());
      }
    }
    heapRows = kib;
    idlePeers = least;
    heapMax =
        Math.max(Arrays.stream(kib[0]).max().orElse(0), Arrays.stream(kib[1]).max().orElse(0));
    return new double[] {
      BenchReport.median(kib[0]),
      BenchReport.median(kib[1]),
      BenchReport.median(kib[2]),
      BenchReport.median(kib[3])
    };
  }

  /** The heap rounds' figures (µTP heap, TCP heap, µTP direct, TCP direct), KiB per peer. */
  private static double[][] heapRows;

  /** The largest heap figure of any round and transport, KiB per peer. */
  private static double heapMax;

  /** The fewest connections the node reported in any heap round. */
  private static int idlePeers;

  private static void heapTable(double[][] kib, int peers) {
    BenchReport t = new BenchReport("swarm-loopback-heap");
    List<String> cols = new ArrayList<>(List.of(peers + " idle peers, KiB per peer"));
    for (int r = 0; r < kib[0].length; r++) {
      cols.add("round " + (r + 1));
    }
    cols.add("median");
    t.columns(cols.toArray(new String[0]));
    String[] names = {"heap, µTP", "heap, TCP", "direct buffers, µTP", "direct buffers, TCP"};
    for (int i = 0; i < 4; i++) {
      Object[] cells = new Object[kib[i].length + 2];
      cells[0] = names[i];
      for (int r = 0; r < kib[i].length; r++) {
        cells[r + 1] = kib[i][r];
      }
      cells[kib[i].length + 1] = BenchReport.median(kib[i]);
      t.row(cells);
    }
    t.printTable(System.out);
  }

  /**
   * natswarm at its defaults, dialling only {@code transport}, downloads into a fresh directory.
   */
  private static Run natswarm(Path torrent, int port, Transport transport, Path dir, String sha)
      throws Exception {
    SwarmNodeSettings settings =
        nodeSettings()
            .withTransports(
                transport == Transport.UTP ? PeerTransports.UTP_ONLY : PeerTransports.TCP_ONLY);
    Path down =
        Files.createDirectories(
            dir.resolve("natswarm-" + transport.name().toLowerCase(Locale.ROOT)));
    try (SwarmNode node = SwarmNode.start(settings)) {
      AtomicLong end = new AtomicLong();
      double cpuStart = processCpuSeconds();
      long start = System.nanoTime();
      Transfer t = node.download(torrent, down);
      var unused = t.completion().whenComplete((p, e) -> end.compareAndSet(0, System.nanoTime()));
      t.connect(new InetSocketAddress(LOOPBACK, port));
      long firstByte = 0;
      int maxUtp = 0;
      int maxTcp = 0;
      long deadline = start + TimeUnit.SECONDS.toNanos(RUN_LIMIT_SECONDS);
      while (!t.completion().isDone()) {
        TransferProgress p = t.progress();
        if (firstByte == 0 && p.downloadedBytes() > 0) {
          firstByte = System.nanoTime();
        }
        maxUtp = Math.max(maxUtp, p.utpPeers());
        maxTcp = Math.max(maxTcp, p.tcpPeers());
        if (System.nanoTime() - deadline > 0) {
          throw new IOException(
              "natswarm over " + transport + " not done after " + RUN_LIMIT_SECONDS + " s: " + p);
        }
        Thread.sleep(5);
      }
      TransferProgress done = t.completion().get(10, TimeUnit.SECONDS);
      long stop = end.get() != 0 ? end.get() : System.nanoTime();
      double cpuSeconds = processCpuSeconds() - cpuStart;
      if (!done.complete()) {
        throw new IOException("natswarm completed without every piece: " + done);
      }
      if ((transport == Transport.UTP ? maxTcp : maxUtp) > 0) {
        throw new IOException(
            "natswarm over " + transport + " had a connection of the other transport: " + done);
      }
      check(down, sha, "natswarm over " + transport);
      if (firstByte == 0) {
        firstByte = start;
      }
      return new Run((stop - start) / 1e9, (stop - firstByte) / 1e9, cpuSeconds);
    } finally {
      deleteTree(down);
    }
  }

  /** A libtorrent leecher at its defaults downloads into a fresh directory. */
  private static Run libtorrent(Path torrent, int port, Transport transport, Path dir, String sha)
      throws Exception {
    Path down =
        Files.createDirectories(
            dir.resolve("libtorrent-" + transport.name().toLowerCase(Locale.ROOT)));
    try (LibtorrentPeer leech =
        LibtorrentPeer.defaultLeech(torrent, down, port, transport, RUN_LIMIT_SECONDS)) {
      leech.nextLine(30_000);
      String end = leech.nextLine((RUN_LIMIT_SECONDS + 30) * 1000L);
      if (!LibtorrentPeer.boolField(end, "finished")) {
        throw new IOException(
            "libtorrent leecher over " + transport + " failed: " + end + "\n" + leech.stderr());
      }
      check(down, sha, "libtorrent over " + transport);
      return new Run(
          LibtorrentPeer.doubleField(end, "seconds"),
          LibtorrentPeer.doubleField(end, "first_byte_seconds"));
    } finally {
      deleteTree(down);
    }
  }

  private static int port(LibtorrentPeer seed) throws IOException {
    // The seeder hashes the whole file to make its torrent before it prints its port.
    return (int) LibtorrentPeer.longField(seed.nextLine(300_000), "port");
  }

  private static void check(Path down, String sha, String what) throws IOException {
    Path file = down.resolve("payload.bin");
    if (!Files.isRegularFile(file) || !sha256(file).equals(sha)) {
      throw new IOException(what + ": the downloaded file differs from the seeded one");
    }
  }

  private static Path writePayload(Path file, long bytes) throws IOException {
    SplittableRandom r = new SplittableRandom(9);
    byte[] chunk = new byte[1 << 20];
    try (OutputStream out = Files.newOutputStream(file)) {
      for (long left = bytes; left > 0; left -= chunk.length) {
        for (int i = 0; i < chunk.length; i += 8) {
          long v = r.nextLong();
          for (int k = 0; k < 8; k++) {
            chunk[i + k] = (byte) (v >>> (8 * k));
          }
        }
        out.write(chunk, 0, (int) Math.min(left, chunk.length));
      }
    }
    return file;
  }

  private static String sha256(Path file) throws IOException {
    MessageDigest d;
    try {
      d = MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    byte[] buf = new byte[1 << 20];
    try (InputStream in = Files.newInputStream(file)) {
      int n;
      while ((n = in.read(buf)) > 0) {
        d.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(d.digest());
  }

  /** The first three fields of /proc/loadavg, or "n/a". */
  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ", -1);
      return f.length >= 3 ? f[0] + " " + f[1] + " " + f[2] : "n/a";
    } catch (IOException e) {
      return "n/a";
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
