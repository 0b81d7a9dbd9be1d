package io.natswarm.dht.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.net.InetAddresses;
import io.natswarm.dht.DhtConfig;
import io.natswarm.dht.LookupResult;
import io.natswarm.dht.routing.NodeId;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * natswarm's DHT with two aria2 1.36 DHT nodes on 127.0.0.1 (and on ::1). We announce to aria2 A;
 * aria2 B, joining through us to fetch the same info-hash, finds our announce (through A's values)
 * and dials the announced TCP port; B's own announce reaches us and our lookup finds it.
 */
@Tag("interop")
class Aria2InteropTest {
  static final Path ARIA2 = Path.of("/usr/bin/aria2c");
  private InetAddress lo = InetAddresses.forString("127.0.0.1");

  private int freeUdpPort() throws IOException {
    try (DatagramChannel c = DatagramChannel.open()) {
      c.bind(new InetSocketAddress(lo, 0));
      return ((InetSocketAddress) c.getLocalAddress()).getPort();
    }
  }

  private int freeTcpPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, lo)) {
      return s.getLocalPort();
    }
  }

  private Process aria2(Path dir, int dhtPort, int tcpPort, int entry, NodeId infoHash)
      throws IOException {
    boolean v6 = lo.getAddress().length == 16;
    Files.createDirectories(dir);
    List<String> cmd = new ArrayList<>();
    cmd.add(ARIA2.toString());
    cmd.add("--enable-dht=" + !v6);
    cmd.add("--enable-dht6=" + v6);
    cmd.add("--dht-listen-port=" + dhtPort);
    if (v6) {
      cmd.add("--dht-listen-addr6=::1");
      cmd.add("--dht-entry-point6=[::1]:" + entry);
      cmd.add("--dht-file-path6=" + dir.resolve("dht6.dat"));
      cmd.add("--disable-ipv6=false");
    } else {
      cmd.add("--dht-entry-point=127.0.0.1:" + entry);
      cmd.add("--dht-file-path=" + dir.resolve("dht.dat"));
    }
    cmd.add("--listen-port=" + tcpPort);
    cmd.add("--bt-enable-lpd=false");
    cmd.add("--enable-peer-exchange=false");
    cmd.add("--bt-metadata-only=true");
    cmd.add("--bt-save-metadata=false");
    cmd.add("--bt-stop-timeout=120");
    cmd.add("--summary-interval=0");
    cmd.add("--console-log-level=error");
    cmd.add("--dir=" + dir);
    cmd.add("magnet:?xt=urn:btih:" + infoHash);
    return new ProcessBuilder(cmd)
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("aria2.log").toFile())
        .start();
  }

  private static void kill(Process p) throws InterruptedException {
    if (p == null) {
      return;
    }
    ProcessHandle.of(p.pid()).ifPresent(ProcessHandle::destroy);
    if (!p.waitFor(5, TimeUnit.SECONDS)) {
      ProcessHandle.of(p.pid()).ifPresent(ProcessHandle::destroyForcibly);
      p.waitFor(5, TimeUnit.SECONDS);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {4, 6})
  void aria2FindsOurAnnounceAndWeFindAria2s(int family, @TempDir Path tmp) throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(ARIA2), "needs aria2c (apt aria2) at " + ARIA2);
    if (family == 6) {
      Assumptions.assumeTrue(
          LibtorrentInteropTest.ipv6LoopbackAvailable(), "needs IPv6 loopback (::1)");
      lo = InetAddresses.forString("::1");
    }
    Random random = new Random(17);
    NodeId infoHash = NodeId.random(random);
    DhtConfig config = DhtConfig.builder().seed(5).loopback().ipv6(family == 6).build();
    Process a = null;
    Process b = null;
    try (UdpDriver us = new UdpDriver(config, lo);
        ServerSocket ourPeerPort = new ServerSocket(0, 50, lo)) {
      int ourPort = us.localAddress().getPort();
      int aDht = freeUdpPort();
      a = aria2(tmp.resolve("a"), aDht, freeTcpPort(), ourPort, NodeId.random(random));
      InetSocketAddress aAddr = new InetSocketAddress(lo, aDht);
      // aria2 A bootstraps from us; we ping it too, so that it is in our table
      long until = System.nanoTime() + 15_000_000_000L;
      while (us.call(n -> n.routingTable().size()).get() == 0 && System.nanoTime() < until) {
        us.run(n -> n.ping(aAddr, UdpDriver.now()));
        Thread.sleep(300);
      }
      assertThat(us.call(n -> n.routingTable().size()).get()).as("aria2 A in our table").isOne();

      CompletableFuture<LookupResult> ann = new CompletableFuture<>();
      us.run(n -> n.announce(infoHash, ourPeerPort.getLocalPort(), UdpDriver.now(), ann::complete));
      assertThat(ann.get(20, TimeUnit.SECONDS).announced()).as("announce_peer sent to A").isOne();
      Thread.sleep(500);
      assertThat(us.call(n -> n.counters().errorsIn()).get())
          .as("aria2 accepted our 8-byte token round trip")
          .isZero();

      int bTcp = freeTcpPort();
      b = aria2(tmp.resolve("b"), freeUdpPort(), bTcp, ourPort, infoHash);
      ourPeerPort.setSoTimeout(60_000);
      try (Socket dialed = ourPeerPort.accept()) {
        assertThat(dialed.getInetAddress()).isEqualTo(lo);
      }

      InetSocketAddress bPeer = new InetSocketAddress(lo, bTcp);
      boolean found = false;
      until = System.nanoTime() + 40_000_000_000L;
      while (!found && System.nanoTime() < until) {
        CompletableFuture<LookupResult> get = new CompletableFuture<>();
        us.run(n -> n.getPeers(infoHash, UdpDriver.now(), get::complete));
        found = get.get(30, TimeUnit.SECONDS).peers().contains(bPeer);
        if (!found) {
          Thread.sleep(1000);
        }
      }
      assertThat(found).as("aria2 B's announce found by our get_peers").isTrue();
      assertThat(us.call(n -> n.counters().badDatagrams()).get()).isZero();
    } finally {
      kill(b);
      kill(a);
    }
  }
}
