package io.natswarm.node.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.natswarm.node.DhtSettings;
import io.natswarm.node.SwarmNode;
import io.natswarm.node.SwarmNodeSettings;
import io.natswarm.node.Transfer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, interop: a magnet link resolved through a DHT made of libtorrent 2.0.8 nodes (BEP 5),
 * the metadata fetched with ut_metadata (BEP 9, BEP 10), on loopback.
 *
 * <p>Four DHT-only libtorrent sessions and a libtorrent seeder that announced its torrent in their
 * DHT ({@link LibtorrentPeer#dhtSwarm}); natswarm is given nothing but the magnet link (info-hash
 * only: no name, no tracker, no peer) and one libtorrent node to join through. It must find the
 * seeder with get_peers, fetch the info dictionary from it (the file's name can come only from
 * there), download every piece and verify it; the file is compared byte for byte (SHA-256) with the
 * original, and the seeder's upload count shows the data came from libtorrent.
 */
@Timeout(120)
class MagnetThroughLibtorrentDhtTest {
  private static final long SIZE = 8L << 20;
  private static final int PIECE = 256 * 1024;
  private static final int DHT_NODES = 4;
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @BeforeAll
  static void libtorrentPresent() {
    String why = LibtorrentPeer.unavailableReason();
    Assumptions.assumeTrue(why == null, "libtorrent interop needs python3-libtorrent: " + why);
  }

  @Test
  void aMagnetLinkIsResolvedThroughALibtorrentDhtAndDownloaded() throws Exception {
    Path seedDir = Files.createDirectories(dir.resolve("seed"));
    Path data = Payload.write(seedDir.resolve("found-by-dht.bin"), SIZE, 5);
    try (LibtorrentPeer swarm = LibtorrentPeer.dhtSwarm(data, PIECE, DHT_NODES, 110)) {
      JsonNode ready = JSON.readTree(swarm.nextLine(60_000));
      String infoHash = ready.get("info_hash").asText();
      InetAddress lo = InetAddress.getLoopbackAddress();
      InetSocketAddress bootstrap = new InetSocketAddress(lo, ready.get("nodes").get(0).asInt());
      SwarmNodeSettings settings =
          SwarmNodeSettings.loopback().withDht(DhtSettings.joining(List.of(bootstrap)));
      try (SwarmNode node = SwarmNode.start(settings)) {
        long start = System.nanoTime();
        Transfer t = node.download("magnet:?xt=urn:btih:" + infoHash, dir.resolve("down"));
        Measured m = Measured.await(t, SIZE, start, Duration.ofSeconds(60));
        System.out.printf(
            java.util.Locale.ROOT,
            "natswarm <- libtorrent found through a libtorrent DHT (%d nodes, seeder announced"
                + " %.2f s after they started): %s%n",
            DHT_NODES,
            ready.get("seconds").asDouble(),
            m);
        assertThat(t.infoHash()).isEqualTo(infoHash);
        assertThat(t.progress().piecesVerified()).isEqualTo((int) (SIZE / PIECE));
        assertThat(Payload.sha256(dir.resolve("down/found-by-dht.bin")))
            .as("the file named by the metadata from ut_metadata")
            .isEqualTo(Payload.sha256(data));
        swarm.send("status");
        JsonNode status = JSON.readTree(swarm.nextLine(10_000));
        assertThat(status.get("uploaded").asLong())
            .as("bytes the libtorrent seeder uploaded: " + status)
            .isGreaterThanOrEqualTo(SIZE);
      }
    }
  }
}
