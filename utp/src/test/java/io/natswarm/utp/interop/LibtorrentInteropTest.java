package io.natswarm.utp.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.io.BaseEncoding;
import io.natswarm.datagram.UdpEndpoint;
import io.natswarm.utp.stream.UtpChannel;
import io.natswarm.utp.stream.UtpServerSocket;
import io.natswarm.utp.stream.UtpSocket;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * natswarm's µTP against libtorrent 2.0.8 (python3-libtorrent), µTP only, on 127.0.0.1: both
 * directions of a BitTorrent (BEP 3) piece exchange. Skipped with the reason when {@code
 * /usr/bin/python3 -c "import libtorrent"} fails.
 */
@Tag("interop")
class LibtorrentInteropTest {
  private static final int PIECE = 64 * 1024;
  private static final int BLOCK = 16 * 1024;
  private static final int SIZE = 1_000_000; // 16 pieces, the last one short
  private static final Duration T = Duration.ofSeconds(15);
  private static final InetAddress LOOPBACK = loopback();

  @TempDir Path dir;
  private byte[] data;
  private UdpEndpoint udp;
  private UtpSocket utp;
  private final ExecutorService pool = Executors.newCachedThreadPool();

  @BeforeAll
  static void needLibtorrent() {
    String why = LibtorrentPeer.unavailableReason();
    Assumptions.assumeTrue(why == null, () -> "skipping libtorrent interop: " + why);
  }

  @BeforeEach
  void setUp() throws IOException {
    data = new byte[SIZE];
    new Random(29).nextBytes(data);
    Files.createDirectories(dir.resolve("seed"));
    Files.write(dir.resolve("seed/payload.bin"), data);
    udp = UdpEndpoint.builder().bind(new InetSocketAddress(LOOPBACK, 0)).open();
    utp = UtpSocket.open(udp);
  }

  @AfterEach
  void tearDown() {
    pool.shutdownNow();
    utp.close();
    udp.close();
  }

  /** (a) We dial a seeding libtorrent over µTP and download every piece, checking SHA-1s. */
  @Test
  void ourUtpDownloadsPiecesFromALibtorrentSeed() throws Exception {
    try (LibtorrentPeer lt =
        LibtorrentPeer.start(
            "lt_peer.py", "seed", dir.resolve("seed/payload.bin").toString(), "" + PIECE, "60")) {
      String info = lt.nextLine(30_000);
      int port = (int) LibtorrentPeer.longField(info, "port");
      byte[] infoHash = hex(LibtorrentPeer.stringField(info, "info_hash"));
      List<String> hashes = LibtorrentPeer.stringList(info, "pieces");
      assertEquals((SIZE + PIECE - 1) / PIECE, hashes.size());

      try (UtpChannel ch = utp.connect(new InetSocketAddress(LOOPBACK, port), T)) {
        ch.setReadTimeout(T);
        PeerWire wire = new PeerWire(ch);
        wire.sendHandshake(infoHash, peerId());
        assertArrayEquals(infoHash, wire.readHandshake(), "libtorrent answered for our torrent");
        wire.send(PeerWire.INTERESTED, null);
        boolean sawBitfield = false;
        while (true) {
          assertTrue(wire.read(), "libtorrent closed before unchoking; stderr: " + lt.stderr());
          if (wire.id == PeerWire.BITFIELD) {
            sawBitfield = true;
            assertEquals(
                0xFF, wire.payload.get(wire.payload.position()) & 0xFF, "a seed has every piece");
          } else if (wire.id == PeerWire.UNCHOKE) {
            break;
          }
        }
        assertTrue(sawBitfield, "libtorrent sent its bitfield before unchoking");
        byte[] got = new byte[SIZE];
        int blocks = 0;
        for (int off = 0; off < SIZE; off += BLOCK) {
          int piece = off / PIECE;
          wire.sendRequest(piece, off - piece * PIECE, Math.min(BLOCK, SIZE - off));
          blocks++;
        }
        int received = 0;
        while (received < blocks) {
          assertTrue(wire.read(), "libtorrent closed mid-transfer");
          if (wire.id != PeerWire.PIECE) {
            continue;
          }
          int index = wire.payload.getInt();
          int begin = wire.payload.getInt();
          wire.payload.get(got, index * PIECE + begin, wire.payload.remaining());
          received++;
        }
        for (int i = 0; i < hashes.size(); i++) {
          int from = i * PIECE;
          int to = Math.min(SIZE, from + PIECE);
          assertEquals(hashes.get(i), sha1Hex(got, from, to), "SHA-1 of piece " + i);
        }
        assertArrayEquals(data, got);
      }
    }
  }

  /** (b) libtorrent dials our µTP listener and downloads the torrent from us. */
  @Test
  void libtorrentDownloadsPiecesFromOurUtpListener() throws Exception {
    UtpServerSocket server = utp.listen();
    Path save = Files.createDirectories(dir.resolve("leech"));
    try (LibtorrentPeer lt =
        LibtorrentPeer.start(
            "lt_peer.py",
            "leech",
            dir.resolve("seed/payload.bin").toString(),
            "" + PIECE,
            "60",
            save.toString(),
            "" + udp.port())) {
      String info = lt.nextLine(30_000);
      byte[] infoHash = hex(LibtorrentPeer.stringField(info, "info_hash"));
      UtpChannel ch = server.accept(T);
      Future<Integer> served = pool.submit(() -> serve(ch, infoHash));
      String result = lt.nextLine(40_000);
      assertTrue(
          LibtorrentPeer.boolField(result, "finished"),
          "libtorrent finished: " + result + "\n" + lt.stderr());
      assertEquals(SIZE, LibtorrentPeer.longField(result, "bytes"));
      assertArrayEquals(data, Files.readAllBytes(save.resolve("payload.bin")));
      ch.close();
      int blocksServed = served.get(10, TimeUnit.SECONDS);
      assertTrue(blocksServed >= SIZE / BLOCK, "served " + blocksServed + " blocks");
    }
  }

  /** Seeds {@link #data} to one peer until it goes away; returns the number of blocks sent. */
  private int serve(UtpChannel ch, byte[] infoHash) throws IOException {
    ch.setReadTimeout(T);
    PeerWire wire = new PeerWire(ch);
    assertArrayEquals(infoHash, wire.readHandshake());
    wire.sendHandshake(infoHash, peerId());
    int pieces = (SIZE + PIECE - 1) / PIECE;
    byte[] bits = new byte[(pieces + 7) / 8];
    for (int i = 0; i < pieces; i++) {
      bits[i / 8] |= (byte) (0x80 >>> (i % 8));
    }
    wire.send(PeerWire.BITFIELD, ByteBuffer.wrap(bits));
    wire.send(PeerWire.UNCHOKE, null);
    int served = 0;
    try {
      while (wire.read()) {
        if (wire.id == PeerWire.REQUEST) {
          int index = wire.payload.getInt();
          int begin = wire.payload.getInt();
          int length = wire.payload.getInt();
          wire.sendPiece(index, begin, data, index * PIECE + begin, length);
          served++;
        }
      }
    } catch (IOException e) {
      // libtorrent may drop the connection (seed to seed) or we closed it: the test checks the file
      if (served == 0) {
        throw e;
      }
    }
    return served;
  }

  private static byte[] peerId() {
    byte[] id = Arrays.copyOf("-NS0001-".getBytes(StandardCharsets.US_ASCII), 20);
    Random r = new Random();
    for (int i = 8; i < 20; i++) {
      id[i] = (byte) ('a' + r.nextInt(26));
    }
    return id;
  }

  private static byte[] hex(String s) {
    return BaseEncoding.base16().lowerCase().decode(s);
  }

  private static String sha1Hex(byte[] b, int from, int to) throws NoSuchAlgorithmException {
    MessageDigest md = MessageDigest.getInstance("SHA-1");
    md.update(b, from, to - from);
    return BaseEncoding.base16().lowerCase().encode(md.digest());
  }

  private static InetAddress loopback() {
    try {
      return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }
}
