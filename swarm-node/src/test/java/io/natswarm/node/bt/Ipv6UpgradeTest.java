package io.natswarm.node.bt;

import static org.assertj.core.api.Assertions.assertThat;

import io.natswarm.node.SharedTorrent;
import io.natswarm.node.SwarmNodeSettings;
import io.natswarm.node.Transfer;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The IPv6 upgrade on one host: two nodes listen on {@code ::} (both families) and tell each other
 * {@code ::1} as their IPv6 address (loopback counts between loopback addresses). A connection
 * dialled over 127.0.0.1 moves to [::1] and the IPv4 one is closed. The dual-stack kernel-lab test
 * ({@code Ipv6UpgradeLabTest}) proves it with global addresses behind NATs.
 */
@Timeout(60)
class Ipv6UpgradeTest {
  private static final InetAddress ANY = address(new byte[16]);
  private static final InetAddress V6_LOOPBACK =
      address(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
  private static final InetAddress V4_LOOPBACK = address(new byte[] {127, 0, 0, 1});

  @TempDir Path dir;

  private static InetAddress address(byte[] raw) {
    try {
      return InetAddress.getByAddress(raw);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  private static SwarmNodeSettings dualStack() throws Exception {
    return SwarmNodeSettings.loopback().withListenAddress(ANY).withAdvertisedIpv6(V6_LOOPBACK);
  }

  @Test
  void aConnectionDialledOverIpv4MovesToIpv6() throws Exception {
    byte[] data = new byte[8 << 20];
    new Random(6).nextBytes(data);
    Path file = Files.write(dir.resolve("six.bin"), data);
    try (BtEngine seeder = BtEngine.start(dualStack());
        BtEngine leecher = BtEngine.start(dualStack())) {
      SharedTorrent shared = seeder.share(file);
      Path torrent = Files.write(dir.resolve("six.torrent"), shared.metainfo());
      Transfer t = leecher.download(torrent, dir.resolve("got"));
      int port = seeder.listenAddress().getPort();
      t.connect(new InetSocketAddress(V4_LOOPBACK, port));

      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (leecher.ipv6Upgrades().upgraded() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(leecher.ipv6Upgrades()).isEqualTo(new Ipv6Upgrade.Counters(1, 1, 0, 0));
      assertThat(seeder.ipv6Upgrades().attempted())
          .as("only the side that dialled the IPv4 connection upgrades it")
          .isZero();
      InetSocketAddress v6 = new InetSocketAddress(V6_LOOPBACK, port);
      awaitConnections(leecher, Set.of(v6));
      assertThat(t.completion().get(30, TimeUnit.SECONDS).complete()).isTrue();
      assertThat(Files.readAllBytes(dir.resolve("got/six.bin"))).isEqualTo(data);
      assertThat(seeder.connectedEndpoints())
          .as("the seeder's one connection comes from ::1")
          .allMatch(a -> a.getAddress() instanceof Inet6Address);
    }
  }

  @Test
  void aNodeOnAnIpv4AddressDoesNotUpgrade() throws Exception {
    byte[] data = new byte[1 << 20];
    new Random(7).nextBytes(data);
    Path file = Files.write(dir.resolve("four.bin"), data);
    try (BtEngine seeder = BtEngine.start(dualStack());
        BtEngine leecher = BtEngine.start(SwarmNodeSettings.loopback())) {
      SharedTorrent shared = seeder.share(file);
      Path torrent = Files.write(dir.resolve("four.torrent"), shared.metainfo());
      Transfer t = leecher.download(torrent, dir.resolve("got"));
      t.connect(new InetSocketAddress(V4_LOOPBACK, seeder.listenAddress().getPort()));
      assertThat(t.completion().get(30, TimeUnit.SECONDS).complete()).isTrue();
      assertThat(leecher.ipv6Upgrades().attempted()).isZero();
      assertThat(leecher.connectedEndpoints())
          .allMatch(a -> a.getAddress() instanceof Inet4Address);
    }
  }

  private static void awaitConnections(BtEngine node, Set<InetSocketAddress> expected)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!node.connectedEndpoints().equals(expected) && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(node.connectedEndpoints()).isEqualTo(expected);
  }
}
