package io.natswarm.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The lab's puncher itself, on loopback where nothing is in the way. */
class LabPuncherTest {

  @Test
  void twoPunchersOnLoopbackFindEachOther() throws Exception {
    InetAddress lo = InetAddress.getLoopbackAddress();
    int portA = 40_000 + (int) (ProcessHandle.current().pid() % 10_000);
    int portB = portA + 1;
    CompletableFuture<SocketAddress> a =
        CompletableFuture.supplyAsync(
            () -> punchQuietly(new InetSocketAddress(lo, portA), new InetSocketAddress(lo, portB)));
    SocketAddress b =
        LabPuncher.punch(new InetSocketAddress(lo, portB), new InetSocketAddress(lo, portA), 5000);
    assertThat(b).isEqualTo(new InetSocketAddress(lo, portA));
    assertThat(a.get()).isEqualTo(new InetSocketAddress(lo, portB));
  }

  @Test
  void aPuncherWithNoPeerGivesUp() throws Exception {
    InetAddress lo = InetAddress.getLoopbackAddress();
    int port = 50_000 + (int) (ProcessHandle.current().pid() % 10_000);
    assertThat(
            LabPuncher.punch(
                new InetSocketAddress(lo, port), new InetSocketAddress(lo, port + 1), 300))
        .isNull();
  }

  private static SocketAddress punchQuietly(InetSocketAddress local, InetSocketAddress peer) {
    try {
      return LabPuncher.punch(local, peer, 5000);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
