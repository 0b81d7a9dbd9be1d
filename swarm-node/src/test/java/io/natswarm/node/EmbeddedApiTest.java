package io.natswarm.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded API as {@link SwarmNode}'s Javadoc shows it, between two natswarm nodes on loopback
 * (no libtorrent needed): one shares a directory of two files, the other downloads the {@code
 * .torrent} from the address it is given, over µTP (the default dials µTP first), every piece
 * verified, both files byte-exact; a second download of the same torrent on the same node is
 * refused.
 */
@Timeout(60)
class EmbeddedApiTest {
  @TempDir Path dir;

  @Test
  void shareAndDownloadBetweenTwoNodes() throws Exception {
    Path shared = Files.createDirectories(dir.resolve("album"));
    Random r = new Random(11);
    byte[] one = new byte[3 << 20];
    byte[] two = new byte[700_001];
    r.nextBytes(one);
    r.nextBytes(two);
    Files.write(shared.resolve("one.bin"), one);
    Files.write(shared.resolve("two.bin"), two);

    try (SwarmNode seeder = SwarmNode.start(SwarmNodeSettings.loopback());
        SwarmNode leecher = SwarmNode.start(SwarmNodeSettings.loopback())) {
      SharedTorrent torrent = seeder.share(shared);
      assertThat(torrent.transfer().completion().get(20, TimeUnit.SECONDS).complete()).isTrue();
      Path file = Files.write(dir.resolve("album.torrent"), torrent.metainfo());

      Transfer t = leecher.download(file, dir.resolve("downloads"));
      assertThat(t.infoHash()).isEqualTo(torrent.infoHash());
      t.connect(seeder.listenAddress());
      int maxUtp = 0;
      while (!t.completion().isDone()) {
        maxUtp = Math.max(maxUtp, t.progress().utpPeers());
        Thread.sleep(5);
      }
      TransferProgress done = t.completion().get();
      assertThat(done.complete()).isTrue();
      assertThat(maxUtp).as("µTP connections").isGreaterThan(0);
      assertThat(Files.readAllBytes(dir.resolve("downloads/album/one.bin"))).isEqualTo(one);
      assertThat(Files.readAllBytes(dir.resolve("downloads/album/two.bin"))).isEqualTo(two);
      assertThat(torrent.transfer().progress().uploadedBytes())
          .isGreaterThanOrEqualTo(one.length + two.length);

      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> leecher.download(file, dir.resolve("again")))
          .isInstanceOf(java.io.IOException.class)
          .hasMessageContaining("already on this node");
    }
  }
}
