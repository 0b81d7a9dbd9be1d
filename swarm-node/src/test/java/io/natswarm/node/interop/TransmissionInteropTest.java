package io.natswarm.node.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.natswarm.node.DhtSettings;
import io.natswarm.node.EngineTuning;
import io.natswarm.node.PeerEncryption;
import io.natswarm.node.PeerTransports;
import io.natswarm.node.SharedTorrent;
import io.natswarm.node.SwarmNode;
import io.natswarm.node.SwarmNodeSettings;
import io.natswarm.node.TrackerPolicy;
import io.natswarm.node.Transfer;
import io.natswarm.node.interop.TransmissionDaemon.Encryption;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 9, interop: natswarm and Transmission 3.00 exchange a 16 MiB torrent in both directions,
 * over TCP and over µTP, plaintext and MSE-encrypted.
 *
 * <p>Transmission refuses loopback peers (127/8 is "martian" to it), so it runs in a network
 * namespace of the test's own, reached over a veth pair with TEST-NET addresses ({@link
 * VethNamespace}); natswarm listens on its end of the pair. Transmission has no DHT, LPD, PEX or
 * port mapping and so learns of no peer: natswarm dials it in both directions, and that one
 * connection carries the data either way. natswarm dials with one transport only and requires one
 * encryption mode; Transmission forces MSE ({@code encryption} 2) or prefers plaintext (0), and has
 * µTP off in the TCP cases. Both sides' views of the connection are checked (natswarm's peers by
 * transport; Transmission's {@code isUTP} and {@code isEncrypted}). Every piece is verified: by
 * natswarm's own verification of its download, and by Transmission's check of its whole download
 * when the torrent is added again after natswarm stopped; the files are compared byte for byte
 * (SHA-256) with the original.
 *
 * <p>Each case takes 12–20 s however fast the data moves (measured: natswarm from Transmission 8–25
 * MiB/s from the first byte): Transmission unchokes a new peer, and becomes interested in one, only
 * on its rechoke timer (every 10 s), and natswarm's Bt dials a peer given to {@link
 * Transfer#connect} on its next peer lookup.
 */
@Timeout(120)
class TransmissionInteropTest {
  private static final long SIZE = 16L << 20;
  private static final int PIECE = 256 * 1024;
  private static final Duration TRANSFER_TIMEOUT = Duration.ofSeconds(60);

  @TempDir Path dir;

  @BeforeAll
  static void transmissionAndNamespacesAvailable() {
    String why = TransmissionDaemon.unavailableReason();
    Assumptions.assumeTrue(why == null, "Transmission interop " + why);
    why = VethNamespace.unavailableReason();
    Assumptions.assumeTrue(why == null, "Transmission interop " + why);
  }

  static Stream<Arguments> cases() {
    return Stream.of(PeerTransports.TCP_ONLY, PeerTransports.UTP_ONLY)
        .flatMap(t -> Stream.of(Encryption.values()).map(e -> Arguments.of(t, e)));
  }

  /** natswarm on its end of the veth pair, dialling with {@code t} only, requiring {@code e}. */
  static SwarmNodeSettings settings(VethNamespace ns, PeerTransports t, Encryption e) {
    return new SwarmNodeSettings(
        ns.localAddress(),
        0,
        e == Encryption.PLAIN ? PeerEncryption.REQUIRE_PLAINTEXT : PeerEncryption.REQUIRE_ENCRYPTED,
        EngineTuning.measured(),
        Duration.ofSeconds(2),
        TrackerPolicy.LOOPBACK_ONLY,
        t,
        DhtSettings.OFF);
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void natswarmDownloadsFromTransmission(PeerTransports transport, Encryption encryption)
      throws Exception {
    Path seedDir = Files.createDirectories(dir.resolve("tr-seed"));
    Path data = Payload.write(seedDir.resolve("payload.bin"), SIZE, 3);
    Path torrent = TransmissionDaemon.create(data, PIECE / 1024, dir.resolve("payload.torrent"));
    try (VethNamespace ns = VethNamespace.create();
        TransmissionDaemon tr =
            TransmissionDaemon.start(
                ns, dir.resolve("tr"), transport == PeerTransports.UTP_ONLY, encryption);
        SwarmNode node = SwarmNode.start(settings(ns, transport, encryption))) {
      String hash = tr.add(Files.readAllBytes(torrent), seedDir);
      awaitStatus(tr, hash, 6, Duration.ofSeconds(30)); // its own check of the data, then seeding
      assertThat(tr.torrent(hash, "haveValid").get("haveValid").asLong()).isEqualTo(SIZE);

      long start = System.nanoTime();
      Transfer t = node.download(torrent, dir.resolve("down"));
      assertThat(t.infoHash()).isEqualTo(hash);
      try (TransportWatch watch = new TransportWatch(t);
          TransmissionPeerWatch peers = new TransmissionPeerWatch(tr, hash)) {
        t.connect(new InetSocketAddress(ns.peerAddress(), TransmissionDaemon.PEER_PORT));
        Measured m;
        try {
          m = Measured.await(t, SIZE, start, TRANSFER_TIMEOUT);
        } catch (java.util.concurrent.TimeoutException e) {
          throw new AssertionError(e.getMessage() + "\nTransmission:\n" + tr.log(), e);
        }
        System.out.println("natswarm <- Transmission, " + transport + ", " + encryption + ": " + m);
        assertCarriedBy(transport, encryption, watch, peers);
      }
      assertThat(t.progress().piecesVerified()).isEqualTo((int) (SIZE / PIECE));
      assertThat(Payload.sha256(dir.resolve("down/payload.bin"))).isEqualTo(Payload.sha256(data));
      assertThat(tr.torrent(hash, "uploadedEver").get("uploadedEver").asLong())
          .isGreaterThanOrEqualTo(SIZE);
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void transmissionDownloadsFromNatswarm(PeerTransports transport, Encryption encryption)
      throws Exception {
    Path seedDir = Files.createDirectories(dir.resolve("seed"));
    Path data = Payload.write(seedDir.resolve("shared.bin"), SIZE, 4);
    Path trDown = Files.createDirectories(dir.resolve("tr-down"));
    try (VethNamespace ns = VethNamespace.create();
        TransmissionDaemon tr =
            TransmissionDaemon.start(
                ns, dir.resolve("tr"), transport == PeerTransports.UTP_ONLY, encryption);
        SwarmNode node = SwarmNode.start(settings(ns, transport, encryption))) {
      SharedTorrent shared = node.share(data);
      assertThat(shared.transfer().completion().get(30, TimeUnit.SECONDS).piecesVerified())
          .isEqualTo((int) (SIZE / PIECE));
      long start = System.nanoTime();
      String hash = tr.add(shared.metainfo(), trDown);
      assertThat(hash).isEqualTo(shared.infoHash());
      try (TransportWatch watch = new TransportWatch(shared.transfer());
          TransmissionPeerWatch peers = new TransmissionPeerWatch(tr, hash)) {
        shared
            .transfer()
            .connect(new InetSocketAddress(ns.peerAddress(), TransmissionDaemon.PEER_PORT));
        awaitComplete(tr, hash, shared.transfer());
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(
            java.util.Locale.ROOT,
            "Transmission <- natswarm, %s, %s: %.2f s from adding the torrent (%.1f MiB/s)%n",
            transport,
            encryption,
            seconds,
            SIZE / 1048576.0 / seconds);
        assertCarriedBy(transport, encryption, watch, peers);
      }
      assertThat(tr.torrent(hash, "corruptEver").get("corruptEver").asLong())
          .as("corrupt bytes Transmission received")
          .isZero();
      assertThat(shared.transfer().progress().uploadedBytes()).isGreaterThanOrEqualTo(SIZE);
      // Transmission hashed each piece as it arrived. To have it hash the whole file again with
      // no peer to repair it from: natswarm stops, the torrent is removed (its resume data goes
      // with it) and added again: a fresh torrent starts with a check of every piece on disk.
      shared.transfer().stop();
      tr.remove(hash);
      tr.add(shared.metainfo(), trDown);
      awaitStatus(tr, hash, 6, Duration.ofSeconds(30));
      JsonNode after = tr.torrent(hash, "haveValid", "percentDone");
      assertThat(after.get("haveValid").asLong()).as("bytes Transmission verified").isEqualTo(SIZE);
      assertThat(Payload.sha256(trDown.resolve("shared.bin"))).isEqualTo(Payload.sha256(data));
    }
  }

  /** Both ends saw natswarm's connection on the chosen transport and with the chosen encryption. */
  private static void assertCarriedBy(
      PeerTransports transport,
      Encryption encryption,
      TransportWatch natswarm,
      TransmissionPeerWatch transmission) {
    if (transport == PeerTransports.UTP_ONLY) {
      assertThat(natswarm.maxUtp()).as("natswarm's µTP connections").isGreaterThan(0);
      assertThat(natswarm.maxTcp()).as("natswarm's TCP connections").isZero();
    } else {
      assertThat(natswarm.maxTcp()).as("natswarm's TCP connections").isGreaterThan(0);
      assertThat(natswarm.maxUtp()).as("natswarm's µTP connections").isZero();
    }
    String expected =
        VethNamespace.LOCAL
            + (transport == PeerTransports.UTP_ONLY ? " utp" : " tcp")
            + (encryption == Encryption.ENCRYPTED ? " encrypted" : " plain");
    assertThat(transmission.seen()).as("Transmission's peers").containsExactly(expected);
  }

  private static void awaitStatus(TransmissionDaemon tr, String hash, int status, Duration timeout)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    JsonNode t = tr.torrent(hash, "status", "errorString");
    while (t.get("status").asInt() != status) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "Transmission's torrent is not in status " + status + ": " + t + "\n" + tr.log());
      }
      Thread.sleep(20);
      t = tr.torrent(hash, "status", "errorString");
    }
  }

  private static void awaitComplete(TransmissionDaemon tr, String hash, Transfer seed)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TRANSFER_TIMEOUT.toNanos();
    JsonNode t = tr.torrent(hash, "percentDone", "haveValid", "status");
    while (t.get("haveValid").asLong() < SIZE) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "Transmission did not finish: "
                + t
                + "; natswarm's seed: "
                + seed.progress()
                + "\n"
                + tr.log());
      }
      Thread.sleep(10);
      t = tr.torrent(hash, "percentDone", "haveValid", "status");
    }
  }
}
