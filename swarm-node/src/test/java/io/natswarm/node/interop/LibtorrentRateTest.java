package io.natswarm.node.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.natswarm.node.EngineTuning;
import io.natswarm.node.PeerEncryption;
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
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The measurement behind {@code io.natswarm.node.bt.EngineConfig}: natswarm downloads 64 MiB (256
 * KiB pieces) from a libtorrent 2.0.8 seeder over TCP on loopback, once with Bt's own engine
 * settings and once with the measured tuning; each run prints its rate and must end with every
 * piece verified and the file byte-exact.
 */
@Timeout(120)
class LibtorrentTcpRateTest {
  private static final long SIZE = 64L << 20;
  private static final int PIECE = 256 * 1024;

  @TempDir Path dir;

  @BeforeAll
  static void libtorrentPresent() {
    String why = LibtorrentPeer.unavailableReason();
    Assumptions.assumeTrue(why == null, "libtorrent interop needs python3-libtorrent: " + why);
  }

  static Stream<Arguments> tunings() {
    return Stream.of(
        Arguments.of("Bt's settings", EngineTuning.btDefaults()),
        Arguments.of("measured tuning", EngineTuning.measured()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("tunings")
  void downloadFromLibtorrentSeeder(String name, EngineTuning tuning) throws Exception {
    Path seedDir = Files.createDirectories(dir.resolve("seed"));
    Path data = Payload.write(seedDir.resolve("rate.bin"), SIZE, 3);
    Path torrent = dir.resolve("rate.torrent");
    SwarmNodeSettings settings =
        SwarmNodeSettings.loopback()
            .withEncryption(PeerEncryption.REQUIRE_PLAINTEXT)
            .withTuning(tuning);
    try (LibtorrentPeer seeder =
            LibtorrentPeer.seed(data, PIECE, torrent, Transport.TCP, Encryption.PLAIN);
        SwarmNode node = SwarmNode.start(settings)) {
      int port = (int) LibtorrentPeer.longField(seeder.nextLine(30_000), "port");
      long start = System.nanoTime();
      Transfer t = node.download(torrent, dir.resolve("down"));
      t.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      Measured m = Measured.await(t, SIZE, start, Duration.ofSeconds(90));
      System.out.println("RATE natswarm <- libtorrent, TCP, " + name + ": " + m);
      assertThat(Payload.sha256(dir.resolve("down/rate.bin"))).isEqualTo(Payload.sha256(data));
    }
  }
}
