package io.natswarm.node.failure;

import static org.assertj.core.api.Assertions.assertThat;

import io.natswarm.node.DhtSettings;
import io.natswarm.node.EngineTuning;
import io.natswarm.node.PeerEncryption;
import io.natswarm.node.PeerFailures;
import io.natswarm.node.PeerTransports;
import io.natswarm.node.SwarmNode;
import io.natswarm.node.SwarmNodeSettings;
import io.natswarm.node.TrackerPolicy;
import io.natswarm.node.Transfer;
import io.natswarm.node.TransferProgress;
import io.natswarm.node.interop.Payload;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, "Tolerating failure": a swarm on loopback of a libtorrent 2.0.8 seeder, {@value
 * #LEECHERS} natswarm leechers that know each other by address, a natswarm peer that serves corrupt
 * pieces and a hand-written peer that sends garbage after a valid handshake.
 *
 * <ul>
 *   <li>The corrupt peer is a natswarm node that checked the real data (so it announces every
 *       piece) and whose file was then overwritten with other bytes: every block it serves is
 *       wrong. Every leecher that got a piece from it must have banned exactly one peer (the honest
 *       ones sent verified pieces) and fetched the pieces elsewhere.
 *   <li>The garbage peer sends, to four leechers, random bytes, a well-framed message with an
 *       unknown id, a length prefix of 2 GiB, and a {@code have} of a piece the torrent does not
 *       have: each connection must be closed by the leecher (within 10 s) and counted once as a
 *       protocol error.
 *   <li>Two leechers are closed abruptly, each once a quarter of its pieces are verified, and
 *       started again on the same port and directory: they resume from the verified pieces (their
 *       first progress snapshot, when it comes before any byte, shows at least the pieces verified
 *       when they were killed; they receive less than what they lacked plus a quarter of the
 *       torrent, which allows for endgame duplicates) and finish.
 * </ul>
 *
 * Every leecher ends with every piece verified and a file byte-identical to the source.
 */
@Timeout(120)
class SwarmFailureTest {
  static final int LEECHERS = 8;
  static final long SIZE = 16L << 20;
  static final int PIECE = 32 * 1024;
  static final int PIECES = (int) (SIZE / PIECE);
  static final int[] RESTARTED = {3, 4};

  /**
   * The leecher that receives each garbage variant (not a restarted one: counters are per node).
   */
  static final int[] GARBAGE_TARGETS = {0, 1, 2, 5};

  @TempDir Path dir;

  @BeforeAll
  static void libtorrentPresent() {
    String why = LibtorrentSeeder.unavailableReason();
    Assumptions.assumeTrue(why == null, "needs python3-libtorrent: " + why);
  }

  static SwarmNodeSettings settings(int index) {
    return new SwarmNodeSettings(
        InetAddress.getLoopbackAddress(),
        0,
        PeerEncryption.REQUIRE_PLAINTEXT, // CPU: ten peers on two shared cores
        EngineTuning.measured(),
        Duration.ofSeconds(1),
        TrackerPolicy.LOOPBACK_ONLY,
        index % 2 == 0 ? PeerTransports.UTP_THEN_TCP : PeerTransports.TCP_ONLY,
        DhtSettings.OFF);
  }

  @Test
  void everyLeecherCompletesDespiteKillsACorruptPeerAndAGarbagePeer() throws Exception {
    Path source =
        Payload.write(
            Files.createDirectories(dir.resolve("lt")).resolve("payload.bin"), SIZE, 20261203);
    Path torrent = dir.resolve("payload.torrent");
    List<SwarmNode> nodes = new ArrayList<>();
    SwarmNode[] leechers = new SwarmNode[LEECHERS];
    Transfer[] transfers = new Transfer[LEECHERS];
    try (LibtorrentSeeder lt = LibtorrentSeeder.start(source, PIECE, torrent)) {
      InetSocketAddress ltAddress =
          new InetSocketAddress(InetAddress.getLoopbackAddress(), lt.port);

      // the corrupt peer: checks the real data, then its file is overwritten in place
      Path corruptDir = Files.createDirectories(dir.resolve("corrupt"));
      Files.copy(source, corruptDir.resolve("payload.bin"));
      SwarmNode corrupt = SwarmNode.start(settings(1));
      nodes.add(corrupt);
      Transfer corruptSeed = corrupt.download(torrent, corruptDir);
      assertThat(corruptSeed.completion().get(30, TimeUnit.SECONDS).complete()).isTrue();
      overwrite(corruptDir.resolve("payload.bin"), new Random(5));

      for (int i = 0; i < LEECHERS; i++) {
        leechers[i] = SwarmNode.start(settings(i));
        nodes.add(leechers[i]);
      }
      for (int i = 0; i < LEECHERS; i++) {
        transfers[i] = leechers[i].download(torrent, dir.resolve("leecher-" + i));
        introduce(transfers[i], i, ltAddress, corrupt, leechers);
      }
      String infoHash = transfers[0].infoHash();

      // the garbage peer, while the leechers download
      Random garbage = new Random(17);
      byte[] randomBytes = new byte[64 * 1024];
      garbage.nextBytes(randomBytes);
      byte[][] variants = {
        randomBytes,
        {0, 0, 0, 5, 99, 1, 2, 3, 4}, // length 5, message id 99: no such message
        {(byte) 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 7, 0, 0, 0, 0}, // a 2 GiB message
        {0, 0, 0, 5, 4, 0, 0x0f, 0x42, 0x40}, // have piece 1000000 (of 512)
      };
      for (int v = 0; v < variants.length; v++) {
        int target = GARBAGE_TARGETS[v];
        assertThat(
                GarbagePeer.sendAfterHandshake(
                    leechers[target].listenAddress(), infoHash, variants[v], 10_000))
            .as("leecher %d closed the connection of garbage variant %d", target, v)
            .isTrue();
      }

      // kill two leechers mid-transfer, each as soon as it has a quarter of the pieces; then
      // restart both on the same port and directory
      int[] verifiedAtKill = new int[LEECHERS];
      int[] verifiedAtRestart = new int[LEECHERS];
      int[] ports = new int[LEECHERS];
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      int killed = 0;
      while (killed < RESTARTED.length) {
        assertThat(System.nanoTime()).as("the leechers to kill reached 25%%").isLessThan(deadline);
        for (int k : RESTARTED) {
          if (verifiedAtKill[k] == 0 && transfers[k].progress().piecesVerified() >= PIECES / 4) {
            ports[k] = leechers[k].listenAddress().getPort();
            verifiedAtKill[k] = transfers[k].progress().piecesVerified();
            leechers[k].close();
            assertThat(verifiedAtKill[k]).as("leecher %d was mid-transfer", k).isLessThan(PIECES);
            killed++;
          }
        }
        Thread.sleep(5);
      }
      Thread.sleep(300);
      for (int k : RESTARTED) {
        leechers[k] = SwarmNode.start(settings(k).withListenPort(ports[k]));
        nodes.add(leechers[k]);
        transfers[k] = leechers[k].download(torrent, dir.resolve("leecher-" + k));
        introduce(transfers[k], k, ltAddress, corrupt, leechers);
        TransferProgress p = transfers[k].progress();
        while (p.piecesTotal() != PIECES) {
          assertThat(System.nanoTime()).as("leecher %d checked its data", k).isLessThan(deadline);
          Thread.sleep(1);
          p = transfers[k].progress();
        }
        // the first snapshot that knows the torrent, if nothing was received yet: what was on disk
        verifiedAtRestart[k] = p.downloadedBytes() == 0 ? p.piecesVerified() : -1;
      }

      TransferProgress[] done = new TransferProgress[LEECHERS];
      for (int i = 0; i < LEECHERS; i++) {
        long left = Math.max(1, deadline - System.nanoTime() + TimeUnit.SECONDS.toNanos(30));
        done[i] = transfers[i].completion().get(left, TimeUnit.NANOSECONDS);
      }

      for (int i = 0; i < LEECHERS; i++) {
        System.out.printf(
            "leecher %d (%s): %s, %s%s%n",
            i,
            leechers[i].listenAddress(),
            done[i],
            leechers[i].peerFailures(),
            verifiedAtKill[i] > 0
                ? ", killed at "
                    + verifiedAtKill[i]
                    + " pieces, restarted with "
                    + verifiedAtRestart[i]
                : "");
      }
      long bans = 0;
      for (int i = 0; i < LEECHERS; i++) {
        PeerFailures f = leechers[i].peerFailures();
        int k = i;
        assertThat(done[i].piecesVerified()).isEqualTo(PIECES);
        assertThat(Payload.sameBytes(dir.resolve("leecher-" + i + "/payload.bin"), source))
            .as("leecher %d's file", i)
            .isTrue();
        assertThat(f.peersBanned())
            .as("leecher %d bans only the corrupt peer", i)
            .isLessThanOrEqualTo(1);
        if (f.piecesFailedVerification() > 0) {
          assertThat(f.peersBanned()).as("leecher %d banned the corrupt peer", i).isEqualTo(1);
        }
        bans += f.peersBanned();
        assertThat(f.protocolErrorDisconnects())
            .as("leecher %d's protocol errors", i)
            .isEqualTo(java.util.Arrays.stream(GARBAGE_TARGETS).anyMatch(t -> t == k) ? 1 : 0);
      }
      System.out.println(
          "corrupt peer "
              + corrupt.listenAddress()
              + " uploaded "
              + corruptSeed.progress().uploadedBytes()
              + "; libtorrent "
              + ltAddress);
      assertThat(corruptSeed.progress().uploadedBytes()).as("the corrupt peer served").isPositive();
      assertThat(bans).as("leechers that banned the corrupt peer").isPositive();
      int observed = 0;
      for (int k : RESTARTED) {
        if (verifiedAtRestart[k] >= 0) {
          observed++;
          assertThat(verifiedAtRestart[k])
              .as("leecher %d found on disk every piece verified before it was killed", k)
              .isGreaterThanOrEqualTo(verifiedAtKill[k]);
        }
        // a loose bound (endgame duplicates count in downloadedBytes): a leecher that had lost its
        // verified pieces would receive the whole torrent again
        long lacked = (long) (PIECES - verifiedAtKill[k]) * PIECE;
        assertThat(done[k].downloadedBytes())
            .as("leecher %d after its restart (lacked %d bytes)", k, lacked)
            .isLessThan(lacked + SIZE / 4);
      }
      System.out.println("restarts seen before any byte arrived: " + observed);
    } finally {
      for (SwarmNode n : nodes) {
        n.close();
      }
    }
  }

  /** Gives leecher {@code i} the libtorrent seeder, the corrupt peer and every other leecher. */
  private static void introduce(
      Transfer t, int i, InetSocketAddress lt, SwarmNode corrupt, SwarmNode[] leechers) {
    t.connect(lt);
    t.connect(corrupt.listenAddress());
    for (int j = 0; j < leechers.length; j++) {
      if (j != i && leechers[j] != null) {
        t.connect(leechers[j].listenAddress());
      }
    }
  }

  /** Overwrites {@code file} in place (same inode, same length) with random bytes. */
  private static void overwrite(Path file, Random r) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      long size = ch.size();
      byte[] b = new byte[1 << 20];
      for (long at = 0; at < size; at += b.length) {
        r.nextBytes(b);
        ch.write(ByteBuffer.wrap(b, 0, (int) Math.min(b.length, size - at)), at);
      }
      ch.force(true);
    }
  }
}
