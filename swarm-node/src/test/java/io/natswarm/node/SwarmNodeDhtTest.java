package io.natswarm.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DHT as a peer source (issue 9, "Discovery"), natswarm only, on loopback: a bootstrap node, a
 * seeder and a leecher each run a DHT on their one UDP socket; the seeder announces its torrent
 * when it starts; the leecher is given nothing but the magnet link (no peer address, no tracker),
 * finds the seeder through the DHT, fetches the metadata (BEP 9) and every piece over µTP, and the
 * file arrives byte-exact.
 */
@Timeout(60)
class SwarmNodeDhtTest {
  private static final int SIZE = 4 << 20;

  @TempDir Path dir;

  @Test
  void aMagnetLinkIsResolvedAndDownloadedThroughTheDhtAlone() throws Exception {
    Path data = Files.createDirectories(dir.resolve("seed")).resolve("dht.bin");
    write(data, SIZE);
    SwarmNodeSettings base = SwarmNodeSettings.loopback();
    try (SwarmNode bootstrap = SwarmNode.start(base.withDht(DhtSettings.joining(List.of())))) {
      DhtSettings join = DhtSettings.joining(List.of(bootstrap.listenAddress()));
      try (SwarmNode seeder = SwarmNode.start(base.withDht(join));
          SwarmNode leecher = SwarmNode.start(base.withDht(join))) {
        SharedTorrent shared = seeder.share(data);
        shared.transfer().completion().get(20, TimeUnit.SECONDS);
        Transfer t = leecher.download(shared.magnetUri(), dir.resolve("down"));
        int maxUtp = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(45);
        while (!t.completion().isDone() && System.nanoTime() < deadline) {
          maxUtp = Math.max(maxUtp, t.progress().utpPeers());
          Thread.sleep(5);
        }
        TransferProgress done = t.completion().get(1, TimeUnit.SECONDS);
        assertThat(done.complete()).isTrue();
        assertThat(done.piecesVerified()).isEqualTo(SIZE / (256 * 1024));
        assertThat(maxUtp).as("µTP connections of the leecher").isGreaterThan(0);
        assertThat(sha256(dir.resolve("down/dht.bin"))).isEqualTo(sha256(data));
      }
    }
  }

  private static void write(Path file, int bytes) throws IOException {
    SplittableRandom r = new SplittableRandom(7);
    byte[] b = new byte[bytes];
    for (int i = 0; i < bytes; i++) {
      b[i] = (byte) r.nextInt();
    }
    try (OutputStream out = Files.newOutputStream(file)) {
      out.write(b);
    }
  }

  private static String sha256(Path file) throws Exception {
    return java.util.HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }
}
