package io.natswarm.node.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.natswarm.node.EngineTuning;
import io.natswarm.node.PeerEncryption;
import io.natswarm.node.PeerTransports;
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
 * KiB pieces) from a libtorrent 2.0.8 seeder on loopback over TCP and over µTP, with Bt's own
 * engine settings and with the measured tuning; each run prints a line starting with RATE and must
 * end with every piece verified and the file byte-exact. Rates are figures to read, not asserted
 * (the machine is shared); medians of several runs go next to the code they justify.
 */
@Timeout(60)
class LibtorrentRateTest {
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
        Arguments.of("Bt's settings", EngineTuning.btDefaults(), Transport.TCP),
        Arguments.of("measured tuning", EngineTuning.measured(), Transport.TCP),
        Arguments.of("Bt's settings", EngineTuning.btDefaults(), Transport.UTP),
        Arguments.of("measured tuning", EngineTuning.measured(), Transport.UTP));
  }

  @ParameterizedTest(name = "{0} {2}")
  @MethodSource("tunings")
  void downloadFromLibtorrentSeeder(String name, EngineTuning tuning, Transport transport)
      throws Exception {
    Path seedDir = Files.createDirectories(dir.resolve("seed"));
    Path data = Payload.write(seedDir.resolve("rate.bin"), SIZE, 3);
    Path torrent = dir.resolve("rate.torrent");
    SwarmNodeSettings settings =
        SwarmNodeSettings.loopback()
            .withEncryption(PeerEncryption.REQUIRE_PLAINTEXT)
            .withTransports(
                transport == Transport.UTP ? PeerTransports.UTP_ONLY : PeerTransports.TCP_ONLY)
            .withTuning(tuning);
    try (LibtorrentPeer seeder =
            LibtorrentPeer.seed(data, PIECE, torrent, transport, Encryption.PLAIN);
        SwarmNode node = SwarmNode.start(settings)) {
      int port = (int) LibtorrentPeer.longField(seeder.nextLine(30_000), "port");
      long start = System.nanoTime();
      Transfer t = node.download(torrent, dir.resolve("down"));
      t.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      Measured m = Measured.await(t, SIZE, start, Duration.ofSeconds(50));
      System.out.println("RATE natswarm <- libtorrent, " + transport + ", " + name + ": " + m);
      assertThat(Payload.sha256(dir.resolve("down/rate.bin"))).isEqualTo(Payload.sha256(data));
    }
  }
}
