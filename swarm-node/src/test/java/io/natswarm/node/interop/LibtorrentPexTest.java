package io.natswarm.node.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.natswarm.node.SwarmNodeSettings;
import io.natswarm.node.Transfer;
import io.natswarm.node.bt.BtEngine;
import io.natswarm.pex.PexCounters;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 10, PEX interop (BEP 11) with libtorrent 2.0.8, for IPv4 (127.0.0.1, PEX's {@code added}),
 * IPv6 on loopback (::1, {@code added6}) and global-scope IPv6 (natswarm on 2001:db8:ff::1,
 * libtorrent in a namespace of the test's own at 2001:db8:ff::2), both ways: natswarm dials a peer
 * it learned only from libtorrent's ut_pex, and libtorrent dials a peer it learned only from
 * natswarm's. In each case the peer to be found is never named to the one that finds it, and the
 * direction of the connection is pinned down: the libtorrent peer to be found accepts but never
 * dials, the libtorrent peer that must find one dials but accepts nothing, so the connection the
 * test waits for can only have been made by the side that learned of the other through PEX.
 */
@Timeout(90)
class LibtorrentPexTest {
  private static final String SCRIPT = "/libtorrent/lt_pex_peer.py";
  private static final Pattern PEER =
      Pattern.compile(
          "\\{\"ip\": \"([^\"]+)\", \"port\": (\\d+), \"pex\": (true|false),"
              + " \"incoming\": (true|false), \"connected\": (true|false)");

  @TempDir Path dir;

  @BeforeAll
  static void libtorrentPresent() {
    String why = LibtorrentPeer.unavailableReason();
    Assumptions.assumeTrue(why == null, "libtorrent interop needs python3-libtorrent: " + why);
  }

  private Path data() throws IOException {
    byte[] bytes = new byte[4 << 20];
    new Random(10).nextBytes(bytes);
    Path seedDir = Files.createDirectories(dir.resolve("seed"));
    return Files.write(seedDir.resolve("pex.bin"), bytes);
  }

  private static int port(LibtorrentPeer lt) throws IOException {
    return (int) LibtorrentPeer.longField(lt.nextLine(20_000), "port");
  }

  /**
   * Waits for a peers line of {@code lt} naming {@code port} with the BitTorrent handshake done;
   * returns that entry.
   */
  private static Matcher awaitPeer(LibtorrentPeer lt, int port, long timeoutMillis)
      throws IOException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    while (true) {
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= 0) {
        throw new AssertionError("libtorrent never connected to port " + port);
      }
      String line;
      try {
        line = lt.nextLine(left);
      } catch (IOException e) {
        throw new AssertionError("libtorrent never connected to port " + port, e);
      }
      Matcher m = PEER.matcher(line);
      while (m.find()) {
        if (Integer.parseInt(m.group(2)) == port && m.group(5).equals("true")) {
          return m;
        }
      }
    }
  }

  /**
   * Where each side listens: on loopback for IPv4 and IPv6, or, for global-scope IPv6, natswarm on
   * the JVM's end of a veth pair and libtorrent inside a namespace of the test's own ({@link
   * VethNamespace#createDualStack()}: 2001:db8:ff::1 and ::2).
   */
  enum Family {
    IPV4("127.0.0.1", "127.0.0.1"),
    IPV6("::1", "::1"),
    GLOBAL_IPV6(VethNamespace.LOCAL6, VethNamespace.PEER6);

    final String natswarmLiteral;
    final String literal;

    Family(String natswarmLiteral, String libtorrentLiteral) {
      this.natswarmLiteral = natswarmLiteral;
      this.literal = libtorrentLiteral;
    }

    /** natswarm's address. */
    InetAddress address() throws IOException {
      return InetAddress.getAllByName(natswarmLiteral)[0];
    }

    /** libtorrent's address. */
    InetAddress libtorrentAddress() throws IOException {
      return InetAddress.getAllByName(literal)[0];
    }

    /** HOST:PORT of natswarm, as the script takes it. */
    String endpoint(int port) {
      return (natswarmLiteral.contains(":") ? "[" + natswarmLiteral + "]" : natswarmLiteral)
          + ":"
          + port;
    }

    /** HOST:PORT of a libtorrent peer, as the script takes it. */
    String libtorrentEndpoint(int port) {
      return (literal.contains(":") ? "[" + literal + "]" : literal) + ":" + port;
    }

    SwarmNodeSettings settings() throws IOException {
      return SwarmNodeSettings.loopback().withListenAddress(address());
    }

    /** The namespace libtorrent runs in, or null for this one. */
    VethNamespace namespace() throws IOException {
      if (this != GLOBAL_IPV6) {
        return null;
      }
      String why = VethNamespace.unavailableReason();
      Assumptions.assumeTrue(why == null, why);
      return VethNamespace.createDualStack();
    }

    void assumeUsable() throws IOException {
      if (this == IPV6) {
        try (java.net.DatagramSocket s = new java.net.DatagramSocket(0, address())) {
          Assumptions.assumeTrue(s.isBound(), "::1 is not usable here");
        } catch (java.net.SocketException e) {
          Assumptions.assumeTrue(false, "::1 is not usable here: " + e.getMessage());
        }
      }
    }
  }

  private static LibtorrentPeer lt(VethNamespace ns, String... args) throws IOException {
    return LibtorrentPeer.runIn(ns == null ? null : ns.name(), SCRIPT, args);
  }

  @ParameterizedTest
  @EnumSource(Family.class)
  void natswarmDialsAPeerItLearnedFromLibtorrent(Family family) throws Exception {
    family.assumeUsable();
    Path data = data();
    Path torrent = dir.resolve("pex.torrent");
    try (VethNamespace ns = family.namespace();
        LibtorrentPeer seeder =
            lt(
                ns,
                family.literal,
                torrent.toString(),
                data.getParent().toString(),
                "1",
                "accept",
                "-",
                "80",
                data.toString());
        BtEngine node = BtEngine.start(family.settings())) {
      int seederPort = port(seeder);
      // A leecher that stays one while the test runs (libtorrent drops a seed's connection to
      // another seed, and its first PEX message comes a second after it has two peers): the one
      // peer natswarm is told about.
      try (LibtorrentPeer middle =
          lt(
              ns,
              family.literal,
              torrent.toString(),
              Files.createDirectories(dir.resolve("middle")).toString(),
              "slow",
              "both",
              family.libtorrentEndpoint(seederPort),
              "80")) {
        int middlePort = port(middle);
        awaitPeer(middle, seederPort, 20_000);

        Transfer t = node.download(torrent, dir.resolve("natswarm"));
        t.connect(new InetSocketAddress(family.libtorrentAddress(), middlePort));

        Matcher seen;
        try {
          seen = awaitPeer(seeder, node.listenAddress().getPort(), 40_000);
        } catch (AssertionError e) {
          throw new AssertionError("PEX " + node.pexCounters() + "; natswarm " + t.progress(), e);
        }
        assertThat(seen.group(4))
            .as("natswarm dialled the seeder (it dials no one)")
            .isEqualTo("true");
        assertThat(node.externalAddress())
            .as("libtorrent's BEP 10 yourip: where it sees natswarm")
            .isEqualTo(family.address());
        PexCounters.Snapshot pex = node.pexCounters();
        assertThat(pex.messagesReceived()).isPositive();
        assertThat(pex.peersLearned()).isPositive();
        assertThat(pex.malformedTotal()).isZero();
        assertThat(t.completion().get(40, TimeUnit.SECONDS).complete()).isTrue();
        assertThat(Files.readAllBytes(dir.resolve("natswarm/pex.bin")))
            .isEqualTo(Files.readAllBytes(data));
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Family.class)
  void libtorrentDialsAPeerItLearnedFromNatswarm(Family family) throws Exception {
    family.assumeUsable();
    Path data = data();
    try (VethNamespace ns = family.namespace();
        BtEngine seeder = BtEngine.start(family.settings());
        BtEngine middle = BtEngine.start(family.settings())) {
      var shared = seeder.share(data);
      Path torrent = Files.write(dir.resolve("pex.torrent"), shared.metainfo());
      Transfer m = middle.download(torrent, dir.resolve("middle"));
      m.connect(seeder.listenAddress());
      try (LibtorrentPeer leecher =
          lt(
              ns,
              family.literal,
              torrent.toString(),
              Files.createDirectories(dir.resolve("lt")).toString(),
              "slow",
              "dial",
              family.endpoint(middle.listenAddress().getPort()),
              "80")) {
        port(leecher);

        Matcher seen;
        try {
          seen = awaitPeer(leecher, seeder.listenAddress().getPort(), 40_000);
        } catch (AssertionError e) {
          throw new AssertionError("PEX " + middle.pexCounters() + "; middle " + m.progress(), e);
        }

        assertThat(seen.group(3)).as("libtorrent learned the seeder by PEX").isEqualTo("true");
        assertThat(seen.group(4))
            .as("libtorrent dialled it (it accepts no one)")
            .isEqualTo("false");
        assertThat(middle.pexCounters().messagesSent()).isPositive();
      }
    }
  }
}
