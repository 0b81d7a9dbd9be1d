package io.natswarm.dht.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.base.Splitter;
import com.google.common.net.InetAddresses;
import io.natswarm.dht.DhtConfig;
import io.natswarm.dht.LookupResult;
import io.natswarm.dht.routing.NodeId;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * natswarm's DHT in a private DHT of four libtorrent 2.0.8 sessions on loopback (LAB.md settings),
 * IPv4 and IPv6: libtorrent finds what we announce, and we find what libtorrent announces.
 */
@Tag("interop")
class LibtorrentInteropTest {
  static final String PYTHON = "/usr/bin/python3";

  static boolean libtorrentAvailable() {
    if (!Files.isExecutable(Path.of(PYTHON))) {
      return false;
    }
    try {
      Process p = new ProcessBuilder(PYTHON, "-c", "import libtorrent").start();
      return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (Exception e) {
      return false;
    }
  }

  static boolean ipv6LoopbackAvailable() {
    try (java.nio.channels.DatagramChannel c = java.nio.channels.DatagramChannel.open()) {
      c.bind(new InetSocketAddress(InetAddresses.forString("::1"), 0));
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {4, 6})
  void announcesAreFoundBothWays(int family) throws Exception {
    Assumptions.assumeTrue(
        libtorrentAvailable(),
        "needs " + PYTHON + " with python3-libtorrent (apt python3-libtorrent)");
    if (family == 6) {
      Assumptions.assumeTrue(ipv6LoopbackAvailable(), "needs IPv6 loopback (::1)");
    }
    InetAddress lo = InetAddresses.forString(family == 4 ? "127.0.0.1" : "::1");
    Path script = ExternalDht.resource("lt_dht.py");
    DhtConfig config = DhtConfig.builder().seed(42).loopback().ipv6(family == 6).build();
    try (UdpDriver us = new UdpDriver(config, lo)) {
      int ourPort = us.localAddress().getPort();
      try (ExternalDht lt =
          new ExternalDht(
              List.of(
                  PYTHON,
                  script.toString(),
                  "--nodes",
                  "4",
                  "--family",
                  Integer.toString(family),
                  "--peer",
                  Integer.toString(ourPort)))) {
        List<String> ready = Splitter.on(' ').splitToList(lt.expect("READY"));
        List<InetSocketAddress> ltNodes = new ArrayList<>();
        for (String p : ready.subList(1, ready.size())) {
          ltNodes.add(new InetSocketAddress(lo, Integer.parseInt(p)));
        }
        CompletableFuture<LookupResult> boot = new CompletableFuture<>();
        us.run(n -> ltNodes.forEach(a -> n.ping(a, UdpDriver.now())));
        Thread.sleep(300);
        us.run(n -> n.findNode(n.selfId(), UdpDriver.now(), boot::complete));
        boot.get(20, TimeUnit.SECONDS);
        assertThat(us.call(n -> n.routingTable().size()).get()).isGreaterThanOrEqualTo(4);

        // our announce, found by libtorrent
        Random random = new Random(family);
        NodeId ours = NodeId.random(random);
        CompletableFuture<LookupResult> ann = new CompletableFuture<>();
        us.run(n -> n.announce(ours, 7777, UdpDriver.now(), ann::complete));
        LookupResult announced = ann.get(20, TimeUnit.SECONDS);
        assertThat(announced.announced()).isGreaterThanOrEqualTo(1);
        Thread.sleep(300);
        assertThat(us.call(n -> n.counters().errorsIn()).get())
            .as("libtorrent accepted every announce_peer (its 4-byte tokens)")
            .isZero();
        String expected = (family == 4 ? "127.0.0.1" : "::1") + ":7777";
        List<String> peers = List.of();
        for (int attempt = 0; attempt < 3 && !peers.contains(expected); attempt++) {
          if (attempt > 0) { // re-announce: the private DHT may still have been settling
            CompletableFuture<LookupResult> again = new CompletableFuture<>();
            us.run(n -> n.announce(ours, 7777, UdpDriver.now(), again::complete));
            again.get(20, TimeUnit.SECONDS);
          }
          peers = Splitter.on(' ').splitToList(lt.command("get_peers " + ours, "PEERS"));
        }
        assertThat(peers).as("libtorrent found our announce %s", announced).contains(expected);

        // libtorrent's announce, found by us
        NodeId theirs = NodeId.random(random);
        String ltPort =
            Splitter.on(' ').splitToList(lt.command("announce " + theirs, "ANNOUNCING")).get(1);
        InetSocketAddress want = new InetSocketAddress(lo, Integer.parseInt(ltPort));
        boolean found = false;
        long until = System.nanoTime() + Duration.ofSeconds(40).toNanos();
        while (!found && System.nanoTime() < until) {
          CompletableFuture<LookupResult> get = new CompletableFuture<>();
          us.run(n -> n.getPeers(theirs, UdpDriver.now(), get::complete));
          found = get.get(30, TimeUnit.SECONDS).peers().contains(want);
          if (!found) {
            Thread.sleep(1000);
          }
        }
        assertThat(found).as("libtorrent's announce of %s found", theirs).isTrue();
        assertThat(us.call(n -> n.counters().badDatagrams()).get()).isZero();
      }
    }
  }
}
