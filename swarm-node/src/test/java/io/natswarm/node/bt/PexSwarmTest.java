package io.natswarm.node.bt;

import static org.assertj.core.api.Assertions.assertThat;

import io.natswarm.node.SharedTorrent;
import io.natswarm.node.SwarmNodeSettings;
import io.natswarm.node.Transfer;
import io.natswarm.pex.PexCounters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * ut_pex between natswarm nodes on loopback: a seeder, a first leecher given the seeder's address,
 * and a second leecher given only the first leecher's. The seeder can only learn of the second
 * leecher's connection if the second leecher learned the seeder's endpoint from the first leecher's
 * PEX message and dialled it.
 */
@Timeout(60)
class PexSwarmTest {
  @TempDir Path dir;

  @Test
  void aPeerLearnedThroughPexIsDialled() throws Exception {
    byte[] data = new byte[2 << 20];
    new Random(5).nextBytes(data);
    Path file = Files.write(dir.resolve("pex.bin"), data);

    try (BtEngine seeder = BtEngine.start(SwarmNodeSettings.loopback());
        BtEngine first = BtEngine.start(SwarmNodeSettings.loopback());
        BtEngine second = BtEngine.start(SwarmNodeSettings.loopback())) {
      SharedTorrent shared = seeder.share(file);
      Path torrent = Files.write(dir.resolve("pex.torrent"), shared.metainfo());
      Transfer one = first.download(torrent, dir.resolve("one"));
      one.connect(seeder.listenAddress());
      // The first leecher's first PEX message goes out as soon as the second connects: it names the
      // seeder only if the first is connected to it by then.
      long connected = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (!first.connectedEndpoints().contains(seeder.listenAddress())
          && System.nanoTime() < connected) {
        Thread.sleep(10);
      }
      Transfer two = second.download(torrent, dir.resolve("two"));
      two.connect(first.listenAddress());

      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!seeder.connectedEndpoints().contains(second.listenAddress())
          && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }

      assertThat(seeder.connectedEndpoints())
          .as("the seeder's connections: the first leecher and the one that learned it by PEX")
          .contains(first.listenAddress(), second.listenAddress());
      PexCounters.Snapshot told = first.pexCounters();
      PexCounters.Snapshot learned = second.pexCounters();
      assertThat(told.messagesSent()).isPositive();
      assertThat(learned.messagesReceived()).isPositive();
      assertThat(learned.peersLearned()).isPositive();
      assertThat(learned.malformedTotal()).isZero();
      assertThat(learned.floods()).isZero();
      assertThat(second.pexFlagsOf(shared.infoHash(), seeder.listenAddress()))
          .as(
              "the seeder as the second leecher learned it: dialled by the first, over µTP, and"
                  + " speaking ut_holepunch")
          .isEqualTo(
              io.natswarm.pex.PexFlags.UTP
                  | io.natswarm.pex.PexFlags.REACHABLE
                  | io.natswarm.pex.PexFlags.HOLEPUNCH);
      assertThat(second.externalAddress())
          .as("BEP 10 yourip: the peers saw the second leecher at the loopback address")
          .isEqualTo(java.net.InetAddress.getLoopbackAddress());
      assertThat(two.completion().get(30, TimeUnit.SECONDS).complete()).isTrue();
      assertThat(Files.readAllBytes(dir.resolve("two/pex.bin"))).isEqualTo(data);
    }
  }
}
