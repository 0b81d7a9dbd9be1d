package io.natswarm.node.demo;

import io.natswarm.node.DhtSettings;
import io.natswarm.node.SharedTorrent;
import io.natswarm.node.SwarmNode;
import io.natswarm.node.SwarmNodeSettings;
import io.natswarm.node.Transfer;
import io.natswarm.node.TransferProgress;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * {@code natswarm demo}: a small swarm on loopback built on the public {@link SwarmNode} API alone.
 * It makes a file of random bytes, starts a DHT bootstrap node (a node with no torrent and no
 * bootstrap node of its own), a seeder that shares the file and announces it to the DHT, and
 * leechers given nothing but the magnet link: no peer address, no tracker. They find the seeder
 * (and each other) through the DHT (once connected, peer exchange may tell them of each other too),
 * fetch the metadata (BEP 9) and every piece, over µTP first (the default {@link
 * io.natswarm.node.PeerTransports#UTP_THEN_TCP}); every piece is verified against its SHA-1 (BEP 3)
 * and each downloaded file is compared with the original by SHA-256.
 *
 * <p>Nothing leaves the machine: every node is {@link SwarmNodeSettings#loopback()} (loopback
 * address, loopback trackers only) and the DHT's only bootstrap node is the demo's own, on
 * loopback; no public router is ever contacted.
 *
 * <p>Which transport carried the connections is read from each leecher's progress snapshots: the
 * most connections seen open at once over µTP and over TCP.
 */
public final class SwarmDemo {
  private static final Duration SAMPLE_EVERY = Duration.ofMillis(50);
  private static final Duration PLAIN_LINE_EVERY = Duration.ofMillis(500);
  private static final int BAR = 12;

  /**
   * What to run.
   *
   * @param mib size of the shared file in MiB
   * @param leechers how many leechers download it
   * @param timeout how long the leechers get to complete
   * @param workDir where the files go (a fresh temporary directory when null; deleted afterwards)
   */
  public record Options(int mib, int leechers, Duration timeout, Path workDir) {}

  /**
   * How one leecher did.
   *
   * @param name "leecher 1", ...
   * @param address the leecher's listen address
   * @param complete whether every piece was verified (SHA-1, BEP 3) before the timeout
   * @param piecesVerified pieces verified
   * @param piecesTotal pieces in the torrent (0 if the metadata never arrived)
   * @param sameBytes whether the downloaded file's SHA-256 equals the original's
   * @param seconds from the download's start to its completion (or the timeout)
   * @param maxUtpPeers most connections open at once over µTP
   * @param maxTcpPeers most connections open at once over TCP
   * @param uploadedBytes payload bytes it sent to other peers (the other leechers)
   * @param problem what went wrong, or null
   */
  public record LeecherResult(
      String name,
      InetSocketAddress address,
      boolean complete,
      int piecesVerified,
      int piecesTotal,
      boolean sameBytes,
      double seconds,
      int maxUtpPeers,
      int maxTcpPeers,
      long uploadedBytes,
      String problem) {

    /** Complete, verified piece by piece and byte-exact. */
    public boolean ok() {
      return complete && sameBytes && problem == null;
    }
  }

  /**
   * What the demo did.
   *
   * @param bootstrap the DHT bootstrap node's address (the only DHT node any other node was given)
   * @param seeder the seeder's address
   * @param magnetUri the magnet link the leechers were given
   * @param leechers each leecher's result
   */
  public record Report(
      InetSocketAddress bootstrap,
      InetSocketAddress seeder,
      String magnetUri,
      List<LeecherResult> leechers) {

    /** Every leecher complete, verified and byte-exact. */
    public boolean ok() {
      return !leechers.isEmpty() && leechers.stream().allMatch(LeecherResult::ok);
    }
  }

  private final Options options;
  private final PrintWriter out;
  private final boolean interactive;

  /** A demo with {@code options} writing to {@code out}, redrawing progress in place if asked. */
  public SwarmDemo(Options options, PrintWriter out, boolean interactive) {
    this.options = options;
    this.out = out;
    this.interactive = interactive;
  }

  /** Runs the demo; a failure of a leecher is in the report, a failure to set up is thrown. */
  public Report run() throws IOException, InterruptedException, ExecutionException {
    boolean temporary = options.workDir() == null;
    Path work =
        temporary
            ? Files.createTempDirectory("natswarm-demo-")
            : Files.createDirectories(options.workDir());
    try {
      return run(work, temporary);
    } finally {
      if (temporary) {
        deleteTree(work);
      }
    }
  }

  private Report run(Path work, boolean temporary)
      throws IOException, InterruptedException, ExecutionException {
    Path file = Files.createDirectories(work.resolve("seed")).resolve("demo.bin");
    byte[] digest = writeRandom(file, (long) options.mib() << 20);
    out.printf(
        Locale.ROOT,
        "Made %s: %d MiB of random bytes, SHA-256 %s...%s%n",
        file,
        options.mib(),
        HexFormat.of().formatHex(digest, 0, 8),
        temporary ? " (deleted at the end)" : "");
    out.flush();

    SwarmNodeSettings base = SwarmNodeSettings.loopback();
    List<SwarmNode> nodes = new ArrayList<>();
    try {
      // The first node of a private DHT: it joins through nobody. Every other node joins through
      // it alone, so no public DHT router is ever contacted.
      SwarmNode bootstrap = start(nodes, base.withDht(DhtSettings.joining(List.of())));
      DhtSettings dht = DhtSettings.joining(List.of(bootstrap.listenAddress()));
      out.printf(
          "DHT bootstrap node  %s (no torrent; the only DHT node the others are given)%n",
          address(bootstrap.listenAddress()));

      SwarmNode seeder = start(nodes, base.withDht(dht));
      SharedTorrent shared = seeder.share(file);
      try {
        shared.transfer().completion().get(60, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        throw new IOException("the seeder did not finish checking its file within 60 s", e);
      }
      TransferProgress seeding = shared.transfer().progress();
      out.printf(
          "Seeder              %s shares demo.bin: %d pieces, info-hash %s; announces it to the DHT%n",
          address(seeder.listenAddress()), seeding.piecesTotal(), shared.infoHash());
      out.printf("Magnet link         %s%n", shared.magnetUri());
      out.flush();

      List<Leecher> leechers = new ArrayList<>();
      for (int i = 1; i <= options.leechers(); i++) {
        SwarmNode node = start(nodes, base.withDht(dht));
        Path dir = work.resolve("leecher-" + i);
        long started = System.nanoTime();
        Transfer t = node.download(shared.magnetUri(), dir);
        leechers.add(new Leecher("leecher " + i, node, t, dir.resolve("demo.bin"), started));
        out.printf(
            "Leecher %d           %s given the magnet link only: no peer address, no tracker%n",
            i, address(node.listenAddress()));
      }
      out.println();
      out.flush();
      watch(leechers);
      List<LeecherResult> results = new ArrayList<>();
      for (Leecher l : leechers) {
        results.add(l.result(digest));
      }
      Report report =
          new Report(
              bootstrap.listenAddress(), seeder.listenAddress(), shared.magnetUri(), results);
      summarize(report, shared.transfer().progress());
      return report;
    } finally {
      // the leechers first, so the seeder does not count them dropping as failures
      for (int i = nodes.size() - 1; i >= 0; i--) {
        nodes.get(i).close();
      }
    }
  }

  private static SwarmNode start(List<SwarmNode> nodes, SwarmNodeSettings settings)
      throws IOException {
    SwarmNode node = SwarmNode.start(settings);
    nodes.add(node);
    return node;
  }

  /** Samples the leechers until all completed or the time is up, showing their progress. */
  private void watch(List<Leecher> leechers) throws InterruptedException {
    long deadline = System.nanoTime() + options.timeout().toNanos();
    long lastLine = System.nanoTime() - PLAIN_LINE_EVERY.toNanos();
    boolean drawn = false;
    while (true) {
      boolean allDone = true;
      for (Leecher l : leechers) {
        l.sample();
        allDone &= l.transfer.completion().isDone();
      }
      long now = System.nanoTime();
      boolean timeUp = now - deadline >= 0;
      if (interactive) {
        // one line per leecher, redrawn in place (ANSI: back to the first line, clear each line)
        if (drawn) {
          out.print("\033[" + leechers.size() + "F");
        }
        for (Leecher l : leechers) {
          out.print("\033[2K" + leecherLine(l) + "\n");
        }
        out.flush();
        drawn = true;
      } else if (allDone || timeUp || now - lastLine >= PLAIN_LINE_EVERY.toNanos()) {
        out.println(progressLine(leechers));
        out.flush();
        lastLine = now;
      }
      if (allDone || timeUp) {
        break;
      }
      Thread.sleep(SAMPLE_EVERY.toMillis());
    }
  }

  /** One leecher's progress on a line of its own (a terminal). */
  private static String leecherLine(Leecher l) {
    TransferProgress p = l.last;
    StringBuilder b = new StringBuilder("  ").append(l.name).append("  ");
    if (p.piecesTotal() == 0) {
      b.append("looking for peers and the torrent's metadata...");
    } else {
      int width = 2 * BAR;
      int filled = (int) ((long) width * p.piecesVerified() / p.piecesTotal());
      b.append('[')
          .append("#".repeat(filled))
          .append(".".repeat(width - filled))
          .append(']')
          .append(
              String.format(
                  Locale.ROOT,
                  " %3.0f%%  %d/%d pieces",
                  100.0 * p.piecesVerified() / p.piecesTotal(),
                  p.piecesVerified(),
                  p.piecesTotal()));
    }
    b.append(
        String.format(Locale.ROOT, "  connections: µTP %d, TCP %d", p.utpPeers(), p.tcpPeers()));
    return b.toString();
  }

  private String progressLine(List<Leecher> leechers) {
    StringBuilder b = new StringBuilder();
    for (Leecher l : leechers) {
      if (b.length() > 0) {
        b.append("  ");
      }
      TransferProgress p = l.last;
      b.append(l.name.replace("leecher ", "L")).append(' ');
      if (p.piecesTotal() == 0) {
        b.append("[finding peers ]");
      } else {
        int filled = (int) ((long) BAR * p.piecesVerified() / p.piecesTotal());
        b.append('[')
            .append("#".repeat(filled))
            .append(".".repeat(BAR - filled))
            .append(']')
            .append(
                String.format(
                    Locale.ROOT, "%4.0f%%", 100.0 * p.piecesVerified() / p.piecesTotal()));
      }
      b.append(String.format(Locale.ROOT, " µTP %d TCP %d", p.utpPeers(), p.tcpPeers()));
    }
    return b.toString();
  }

  private void summarize(Report report, TransferProgress seeder) {
    out.println();
    for (LeecherResult r : report.leechers()) {
      if (r.ok()) {
        out.printf(
            Locale.ROOT,
            "%s: complete in %.1f s (%.1f MiB/s); %d/%d pieces verified (SHA-1), file"
                + " byte-exact (SHA-256); connections: %s%n",
            r.name(),
            r.seconds(),
            options.mib() / Math.max(1e-3, r.seconds()),
            r.piecesVerified(),
            r.piecesTotal(),
            transports(r));
      } else {
        out.printf(
            Locale.ROOT,
            "%s: FAILED: %s (%d/%d pieces verified after %.1f s); connections: %s%n",
            r.name(),
            r.problem() != null
                ? r.problem()
                : r.complete() ? "the file differs from the original" : "not complete",
            r.piecesVerified(),
            r.piecesTotal(),
            r.seconds(),
            transports(r));
      }
    }
    long leechersSent = 0;
    for (LeecherResult r : report.leechers()) {
      leechersSent += r.uploadedBytes();
    }
    out.printf(
        "The seeder uploaded %s; the leechers sent each other %s.%n",
        mib(seeder.uploadedBytes()), mib(leechersSent));
    out.println();
    if (report.ok()) {
      out.printf(
          "OK: %d leechers, given only the magnet link, found the swarm through the DHT and"
              + " downloaded every piece, verified.%n",
          report.leechers().size());
    } else {
      out.printf(
          "FAILED: %d of %d leechers did not end with a verified, byte-exact file.%n",
          report.leechers().stream().filter(r -> !r.ok()).count(), report.leechers().size());
    }
    out.flush();
  }

  private static String transports(LeecherResult r) {
    if (r.maxUtpPeers() == 0 && r.maxTcpPeers() == 0) {
      return "none";
    }
    return String.format(
        Locale.ROOT, "up to %d at once over µTP, %d over TCP", r.maxUtpPeers(), r.maxTcpPeers());
  }

  private static String mib(long bytes) {
    return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1 << 20));
  }

  private static String address(InetSocketAddress a) {
    return a.getAddress().getHostAddress() + ":" + a.getPort();
  }

  /** One leecher: its node, its transfer and what its progress showed. */
  private static final class Leecher {
    final String name;
    final SwarmNode node;
    final Transfer transfer;
    final Path file;
    final long startedNanos;
    TransferProgress last = TransferProgress.NONE;
    int maxUtp;
    int maxTcp;
    long endedNanos;

    Leecher(String name, SwarmNode node, Transfer transfer, Path file, long startedNanos) {
      this.name = name;
      this.node = node;
      this.transfer = transfer;
      this.file = file;
      this.startedNanos = startedNanos;
    }

    void sample() {
      last = transfer.progress();
      maxUtp = Math.max(maxUtp, last.utpPeers());
      maxTcp = Math.max(maxTcp, last.tcpPeers());
      if (endedNanos == 0 && transfer.completion().isDone()) {
        endedNanos = System.nanoTime();
      }
    }

    LeecherResult result(byte[] originalDigest) throws InterruptedException {
      long end = endedNanos == 0 ? System.nanoTime() : endedNanos;
      double seconds = (end - startedNanos) / 1e9;
      String problem = null;
      TransferProgress p = last;
      boolean complete = false;
      if (transfer.completion().isDone()) {
        try {
          p = transfer.completion().get();
          complete = p.complete();
        } catch (ExecutionException e) {
          problem = "the download stopped: " + e.getCause().getMessage();
        }
      } else {
        problem = "did not complete in time";
      }
      boolean same = false;
      if (complete) {
        try {
          same = MessageDigest.isEqual(originalDigest, sha256(file));
        } catch (IOException e) {
          problem = "cannot read " + file + ": " + e.getMessage();
        }
      }
      return new LeecherResult(
          name,
          node.listenAddress(),
          complete,
          p.piecesVerified(),
          p.piecesTotal(),
          same,
          seconds,
          maxUtp,
          maxTcp,
          last.uploadedBytes(),
          problem);
    }
  }

  /** Writes {@code bytes} pseudo-random bytes to {@code file}; returns their SHA-256. */
  private static byte[] writeRandom(Path file, long bytes) throws IOException {
    MessageDigest sha = sha256();
    SplittableRandom random = new SplittableRandom();
    byte[] buf = new byte[1 << 20];
    try (OutputStream os = Files.newOutputStream(file)) {
      for (long left = bytes; left > 0; left -= buf.length) {
        for (int i = 0; i < buf.length; i += 8) {
          long x = random.nextLong();
          for (int j = 0; j < 8; j++) {
            buf[i + j] = (byte) (x >>> (8 * j));
          }
        }
        int n = (int) Math.min(buf.length, left);
        os.write(buf, 0, n);
        sha.update(buf, 0, n);
      }
    }
    return sha.digest();
  }

  private static byte[] sha256(Path file) throws IOException {
    MessageDigest sha = sha256();
    byte[] buf = new byte[1 << 20];
    try (var in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buf)) > 0; ) {
        sha.update(buf, 0, n);
      }
    }
    return sha.digest();
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException | UncheckedIOException e) {
      // a temporary directory: the system cleans it up eventually
    }
  }
}
