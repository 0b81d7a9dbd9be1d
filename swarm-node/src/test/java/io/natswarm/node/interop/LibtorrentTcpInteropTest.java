package io.natswarm.node.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.natswarm.node.PeerEncryption;
import io.natswarm.node.SharedTorrent;
import io.natswarm.node.SwarmNode;
import io.natswarm.node.SwarmNodeSettings;
import io.natswarm.node.Transfer;
import io.natswarm.node.interop.LibtorrentPeer.Encryption;
import io.natswarm.node.interop.LibtorrentPeer.Transport;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Stage 0 of issue 9: natswarm (Bt 1.10 with Bt's own TCP transport) and libtorrent 2.0.8 exchange
 * a 32 MiB torrent over TCP on loopback in both directions, plaintext and MSE-encrypted (each side
 * requiring its mode, so a fallback cannot pass unnoticed); the files are compared byte for byte
 * (SHA-256) with the original.
 */
@Timeout(90)
class LibtorrentTcpInteropTest {
  private static final long SIZE = 32L << 20;
  private static final int PIECE = 256 * 1024;

  @TempDir Path dir;

  @BeforeAll
  static void libtorrentPresent() {
    String why = LibtorrentPeer.unavailableReason();
    Assumptions.assumeTrue(why == null, "libtorrent interop needs python3-libtorrent: " + why);
  }

  /** natswarm's policy matching libtorrent's: plaintext only, or MSE required. */
  static PeerEncryption natswarmPolicy(Encryption e) {
    return e == Encryption.PLAIN
        ? PeerEncryption.REQUIRE_PLAINTEXT
        : PeerEncryption.REQUIRE_ENCRYPTED;
  }

  @ParameterizedTest
  @EnumSource(Encryption.class)
  void natswarmDownloadsFromLibtorrentSeeder(Encryption encryption) throws Exception {
    Path seedDir = Files.createDirectories(dir.resolve("seed"));
    Path data = Payload.write(seedDir.resolve("payload.bin"), SIZE, 1);
    Path torrent = dir.resolve("payload.torrent");
    try (LibtorrentPeer seeder =
            LibtorrentPeer.seed(data, PIECE, torrent, Transport.TCP, encryption);
        SwarmNode node =
            SwarmNode.start(
                SwarmNodeSettings.loopback().withEncryption(natswarmPolicy(encryption)))) {
      String hello = seeder.nextLine(30_000);
      int port = (int) LibtorrentPeer.longField(hello, "port");
      long start = System.nanoTime();
      Transfer t = node.download(torrent, dir.resolve("down"));
      t.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      Measured m = Measured.await(t, SIZE, start, Duration.ofSeconds(60));
      System.out.println("natswarm <- libtorrent, TCP, " + encryption + ": " + m);
      assertThat(t.infoHash()).isEqualTo(LibtorrentPeer.stringField(hello, "info_hash"));
      assertThat(t.progress().piecesVerified()).isEqualTo((int) (SIZE / PIECE));
      assertThat(Payload.sha256(dir.resolve("down/payload.bin"))).isEqualTo(Payload.sha256(data));
    }
  }

  @ParameterizedTest
  @EnumSource(Encryption.class)
  void libtorrentDownloadsFromNatswarm(Encryption encryption) throws Exception {
    Path seedDir = Files.createDirectories(dir.resolve("seed"));
    Path data = Payload.write(seedDir.resolve("shared.bin"), SIZE, 2);
    Path saveDir = Files.createDirectories(dir.resolve("lt"));
    try (SwarmNode node =
        SwarmNode.start(SwarmNodeSettings.loopback().withEncryption(natswarmPolicy(encryption)))) {
      SharedTorrent shared = node.share(data);
      assertThat(
              shared
                  .transfer()
                  .completion()
                  .get(30, java.util.concurrent.TimeUnit.SECONDS)
                  .piecesVerified())
          .isEqualTo((int) (SIZE / PIECE));
      assertThat(shared.magnetUri()).startsWith("magnet:?xt=urn:btih:" + shared.infoHash());
      Path torrent = Files.write(dir.resolve("shared.torrent"), shared.metainfo());
      try (LibtorrentPeer leecher =
          LibtorrentPeer.leech(
              torrent, saveDir, node.listenAddress().getPort(), Transport.TCP, encryption)) {
        String hello = leecher.nextLine(30_000);
        assertThat(LibtorrentPeer.stringField(hello, "info_hash")).isEqualTo(shared.infoHash());
        String result = leecher.nextLine(60_000);
        System.out.println("libtorrent <- natswarm, TCP, " + encryption + ": " + result);
        assertThat(LibtorrentPeer.boolField(result, "finished")).as(result).isTrue();
      }
      assertThat(Payload.sha256(saveDir.resolve("shared.bin"))).isEqualTo(Payload.sha256(data));
      assertThat(shared.transfer().progress().uploadedBytes()).isGreaterThanOrEqualTo(SIZE);
    }
  }
}
