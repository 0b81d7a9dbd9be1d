package io.natswarm.utp.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.natswarm.datagram.UdpEndpoint;
import io.natswarm.lab.KernelLab;
import io.natswarm.utp.UtpCounters;
import io.natswarm.utp.stream.UtpChannel;
import io.natswarm.utp.stream.UtpServerSocket;
import io.natswarm.utp.stream.UtpSocket;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * natswarm's µTP (BEP 29) against libtorrent 2.0.8 on a lossy path, both directions of a BEP 3
 * piece exchange, every piece's SHA-1 checked and every byte compared.
 *
 * <p>The path: libtorrent runs in a network namespace of the {@link KernelLab}; a userspace link
 * ({@code lossy_link.py}, LAB.md "Delay and loss") holds one socket on the test JVM's loopback and
 * one on the namespace's, delays each datagram and can drop chosen ones. Random loss is silent, in
 * the kernel: an nftables input-hook rule in the namespace ({@code numgen random}), which every
 * datagram crosses exactly once. Needs root and python3-libtorrent; skipped with the reason
 * otherwise.
 *
 * <p>libtorrent as the sender on this path sometimes stops retransmitting one lost packet: it sends
 * on, we acknowledge every packet after the gap (selective ACKs, hundreds of duplicate ACKs) and
 * never the gap itself, and the retransmission never comes while the connection stays open (no
 * reset). Seen in 3 of 10 runs at 5 % loss and in one CI run at 1 %, with the link's log of every
 * datagram (the failure message carries it). libtorrent downloading from libtorrent through the
 * same link stalls the same way: 4 of 18 runs at 5 % loss did not finish within 60 s ({@code
 * interop/lt_lossy_link_reference.py}, two batches: 3 of 8, 1 of 10). A client drops a peer that
 * stops sending and dials it again; so does our download here, after {@link #STALL} without a
 * message from the seed, at most {@link #MAX_STALLS} times, and its RESULT line reports the count.
 */
@Tag("interop")
class LibtorrentLossyPathTest {
  private static final int PIECE = 256 * 1024;
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
  private static final String LOSS_TABLE = "natswarm_loss";

  /**
   * How long a random-loss run may take: a completeness bound, not a speed figure (the RESULT lines
   * report the rates). At 5 % loss a run takes 15-40 s here; CI's machine may be busier.
   */
  private static final Duration RANDOM_LOSS_LIMIT = Duration.ofSeconds(100);

  /** No message from the seed for this long: the connection has stalled. */
  private static final Duration STALL = Duration.ofSeconds(10);

  /** Connections given up on before a download fails. */
  private static final int MAX_STALLS = 3;

  private static KernelLab lab;
  private static String ns;

  private Path dir;
  private UdpEndpoint udp;
  private UtpSocket utp;
  private final ExecutorService pool = Executors.newCachedThreadPool();

  @BeforeAll
  static void needLibtorrentAndTheLab() throws IOException {
    String lt = LibtorrentPeer.unavailableReason();
    Assumptions.assumeTrue(lt == null, () -> "skipping libtorrent on a lossy path: " + lt);
    String why = KernelLab.unavailableReason();
    Assumptions.assumeTrue(why == null, () -> "skipping libtorrent on a lossy path: " + why);
    lab = KernelLab.create();
    ns = lab.internet();
  }

  @AfterAll
  static void closeLab() {
    if (lab != null) {
      lab.close();
    }
  }

  @BeforeEach
  void setUp() throws IOException {
    dir = Files.createTempDirectory("natswarm-lossy");
    udp = UdpEndpoint.builder().bind(new InetSocketAddress(LOOPBACK, 0)).open();
    utp = UtpSocket.open(udp);
  }

  @AfterEach
  void tearDown() throws IOException {
    pool.shutdownNow();
    utp.close();
    udp.close();
    lab.execIn(ns, 10, "nft", "delete", "table", "inet", LOSS_TABLE);
    lab.execIn(ns, 10, "rm", "-rf", dir.toString());
  }

  /**
   * One datagram of the connection dropped, each in turn: libtorrent's SYN, our answer, its
   * BitTorrent handshake, our ack, our handshake and bitfield... The connection must be accepted
   * exactly once and the download complete.
   */
  @ParameterizedTest(name = "libtorrent dials us, datagram #{0} dropped")
  @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6, 7})
  void libtorrentDownloadsFromUsDespiteAnyOneLostHandshakeDatagram(int index) throws Exception {
    Run r = libtorrentDownloadsFromUs(1 << 20, 5, 0, "" + index, Duration.ofSeconds(30));
    assertEquals(1, r.relay.dropped, "the link dropped the chosen datagram");
  }

  /** The same with us dialling libtorrent's seed: our SYN, its answer, our handshake... */
  @ParameterizedTest(name = "we dial libtorrent, datagram #{0} dropped")
  @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6, 7})
  void weDownloadFromLibtorrentDespiteAnyOneLostHandshakeDatagram(int index) throws Exception {
    Run r = weDownloadFromLibtorrent(1 << 20, 5, 0, "" + index, Duration.ofSeconds(30));
    assertEquals(1, r.relay.dropped, "the link dropped the chosen datagram");
  }

  /** Silent random loss in the kernel on a path of 40-100 ms round trip. */
  @ParameterizedTest(name = "libtorrent downloads {1} MiB from us, {0} permille loss")
  @CsvSource({"10, 4", "50, 2"})
  void libtorrentDownloadsFromUsUnderRandomLoss(int permille, int mib) throws Exception {
    randomLoss(permille);
    Run r = libtorrentDownloadsFromUs(mib << 20, 20, 30, "-", RANDOM_LOSS_LIMIT);
    report("libtorrent<-natswarm", permille, mib, r);
    assertTrue(r.kernelDrops > 0, "the kernel dropped datagrams");
  }

  @ParameterizedTest(name = "we download {1} MiB from libtorrent, {0} permille loss")
  @CsvSource({"10, 4", "50, 2"})
  void weDownloadFromLibtorrentUnderRandomLoss(int permille, int mib) throws Exception {
    randomLoss(permille);
    Run r = weDownloadFromLibtorrent(mib << 20, 20, 30, "-", RANDOM_LOSS_LIMIT);
    report("natswarm<-libtorrent", permille, mib, r);
    assertTrue(r.kernelDrops > 0, "the kernel dropped datagrams");
  }

  // ------------------------------------------------------------------------------------------

  /** What a run measured. */
  private record Run(
      double seconds, RelayCounts relay, long kernelDrops, UtpCounters ours, int stalls) {}

  private record RelayCounts(long forwarded, long dropped) {}

  private Run libtorrentDownloadsFromUs(
      int size, int delayMs, int jitterMs, String drop, Duration limit) throws Exception {
    byte[] data = payload(size);
    UtpServerSocket server = utp.listen();
    Path save = Files.createDirectories(dir.resolve("leech"));
    try (LibtorrentPeer link =
        LibtorrentPeer.start(
            "lossy_link.py", ns, "" + udp.port(), "0", "" + delayMs, "" + jitterMs, drop)) {
      int peerSide = (int) LibtorrentPeer.longField(link.nextLine(10_000), "peer_side_port");
      try (LibtorrentPeer lt =
          LibtorrentPeer.startIn(
              ns,
              "lt_peer.py",
              "leech",
              dir.resolve("seed/payload.bin").toString(),
              "" + PIECE,
              "" + limit.toSeconds(),
              save.toString(),
              "" + peerSide)) {
        byte[] infoHash =
            PieceExchange.hex(LibtorrentPeer.stringField(lt.nextLine(30_000), "info_hash"));
        UtpChannel ch = server.accept(limit);
        ch.setReadTimeout(limit);
        Future<Integer> served = pool.submit(() -> PieceExchange.serve(ch, infoHash, data, PIECE));
        String result = lt.nextLine(limit.toMillis() + 5_000);
        String ours = ourSide(ch);
        assertTrue(
            LibtorrentPeer.boolField(result, "finished"),
            () ->
                "libtorrent finished: "
                    + result
                    + "\nour sending side: "
                    + ours
                    + "\nlink:\n"
                    + link.stderr()
                    + lt.stderr());
        assertEquals(size, LibtorrentPeer.longField(result, "bytes"));
        assertArrayEquals(data, Files.readAllBytes(save.resolve("payload.bin")), "every byte");
        ch.close();
        assertTrue(served.get(10, TimeUnit.SECONDS) >= size / PieceExchange.BLOCK);
        assertNull(server.poll(), "one connection accepted, no other");
        UtpCounters c = utp.inspect(s -> s.counters());
        assertEquals(1, c.connectionsAccepted(), "accepted exactly once");
        return new Run(
            LibtorrentPeer.doubleField(result, "seconds"), relayCounts(link), kernelDrops(), c, 0);
      }
    }
  }

  private Run weDownloadFromLibtorrent(
      int size, int delayMs, int jitterMs, String drop, Duration limit) throws Exception {
    byte[] data = payload(size);
    try (LibtorrentPeer lt =
        LibtorrentPeer.startIn(
            ns,
            "lt_peer.py",
            "seed",
            dir.resolve("seed/payload.bin").toString(),
            "" + PIECE,
            "" + (limit.toSeconds() + 10))) {
      String info = lt.nextLine(30_000);
      int port = (int) LibtorrentPeer.longField(info, "port");
      byte[] infoHash = PieceExchange.hex(LibtorrentPeer.stringField(info, "info_hash"));
      List<String> hashes = LibtorrentPeer.stringList(info, "pieces");
      try (LibtorrentPeer link =
          LibtorrentPeer.start(
              "lossy_link.py", ns, "" + udp.port(), "" + port, "" + delayMs, "" + jitterMs, drop)) {
        int javaSide = (int) LibtorrentPeer.longField(link.nextLine(10_000), "java_side_port");
        long start = System.nanoTime();
        AtomicReference<UtpChannel> channel = new AtomicReference<>();
        PieceExchange.Download download = new PieceExchange.Download(size, PIECE, hashes);
        AtomicInteger stalls = new AtomicInteger();
        Future<byte[]> got =
            pool.submit(
                () -> {
                  // A real client drops a peer that stops sending and dials it again: libtorrent's
                  // sender can stop retransmitting a lost packet on this path (class Javadoc).
                  while (true) {
                    try (UtpChannel ch =
                        utp.connect(new InetSocketAddress(LOOPBACK, javaSide), limit)) {
                      channel.set(ch);
                      ch.setReadTimeout(STALL);
                      return PieceExchange.download(ch, infoHash, download);
                    } catch (SocketTimeoutException stalled) {
                      if (stalls.incrementAndGet() > MAX_STALLS) {
                        throw stalled;
                      }
                    }
                  }
                });
        byte[] bytes;
        try {
          bytes = got.get(limit.toSeconds(), TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException
            | java.util.concurrent.TimeoutException e) {
          UtpChannel ch = channel.get();
          String ours = ch == null ? "never connected" : ourSide(ch);
          settle(link, lt);
          throw new AssertionError(
              "download failed; our receiving side: "
                  + ours
                  + "\npieces: "
                  + download
                  + " stalls="
                  + stalls
                  + "\nour stack: "
                  + utp.inspect(s -> s.counters())
                  + "\nlink:\n"
                  + link.stderr()
                  + lt.stderr(),
              e);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        assertArrayEquals(data, bytes, "every byte");
        UtpCounters c = utp.inspect(s -> s.counters());
        assertTrue(
            c.connectionsTimedOut() <= stalls.get(),
            "only a connection we gave up on may time out: " + c);
        assertEquals(stalls.get() + 1, download.connections.get(), "one connection per stall");
        return new Run(seconds, relayCounts(link), kernelDrops(), c, stalls.get());
      }
    }
  }

  /**
   * Ends both helpers (EOF on stdin) and gives them a moment to write their closing views to
   * stderr: the link's last datagrams, the seed's view of its peer.
   */
  private static void settle(LibtorrentPeer link, LibtorrentPeer lt) {
    link.closeInput();
    lt.closeInput();
    try {
      link.nextLine(3_000);
      Thread.sleep(500);
    } catch (IOException | InterruptedException e) {
      // the failure message carries what they wrote
    }
  }

  /** Our connection's window, delay estimates and counters, for a failure message. */
  private static String ourSide(UtpChannel ch) {
    try {
      return ch.inspect(
          c ->
              "state="
                  + c.state()
                  + " cwnd="
                  + c.congestionWindow()
                  + " rtt_us="
                  + c.rttMicros()
                  + " queuing_delay_us="
                  + c.queuingDelayMicros()
                  + " unacked="
                  + c.unackedBytes()
                  + " "
                  + c.stats());
    } catch (IOException e) {
      return "(closed: " + e.getMessage() + ")";
    }
  }

  /** Writes {@code size} random bytes as the torrent's one file and returns them. */
  private byte[] payload(int size) throws IOException {
    byte[] data = new byte[size];
    new Random(size).nextBytes(data);
    Files.createDirectories(dir.resolve("seed"));
    Files.write(dir.resolve("seed/payload.bin"), data);
    return data;
  }

  /** Drops {@code permille} of the UDP datagrams arriving in the namespace, in the kernel. */
  private void randomLoss(int permille) throws IOException {
    Path rules = dir.resolve("loss.nft");
    Files.writeString(
        rules,
        "table inet "
            + LOSS_TABLE
            + " {\n  chain in {\n    type filter hook input priority 0; policy accept;\n"
            + "    meta l4proto udp numgen random mod 1000 < "
            + permille
            + " counter drop\n  }\n}\n",
        StandardCharsets.UTF_8);
    KernelLab.Result r = lab.execIn(ns, 10, "nft", "-f", rules.toString());
    assertEquals(0, r.status(), () -> "nft: " + r.output());
  }

  private long kernelDrops() throws IOException {
    KernelLab.Result r = lab.execIn(ns, 10, "nft", "list", "table", "inet", LOSS_TABLE);
    Matcher m = Pattern.compile("counter packets (\\d+)").matcher(r.output());
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }

  /** Ends the link (EOF on its stdin) and reads its closing counts. */
  private static RelayCounts relayCounts(LibtorrentPeer link) throws IOException {
    link.closeInput();
    String counts = link.nextLine(5_000);
    return new RelayCounts(
        LibtorrentPeer.longField(counts, "forwarded"), LibtorrentPeer.longField(counts, "dropped"));
  }

  private static void report(String what, int permille, int mib, Run r) {
    System.out.printf(
        Locale.ROOT,
        "RESULT lossy-path %s loss=%.1f%% size=%dMiB seconds=%.2f rate=%.2fMiB/s"
            + " kernel_drops=%d forwarded=%d stalls=%d%n",
        what,
        permille / 10.0,
        mib,
        r.seconds,
        mib / r.seconds,
        r.kernelDrops,
        r.relay.forwarded,
        r.stalls);
  }
}
