package io.natswarm.node.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.natswarm.lab.KernelLab;
import io.natswarm.lab.KernelLab.LabHost;
import io.natswarm.lab.KernelLab.NatKind;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ladder's relay step on real kernel NATs: {@code s} and {@code l}, each behind its own
 * symmetric NAT with random ports (no hole punch gets through two of them), and a public node
 * {@code r} that both connect to; all three seed the same file, so nothing queues in front of the
 * relay's messages. {@code l} learns {@code s} only from {@code r}'s PEX, fails to reach it
 * directly, the hole punch fails, and the connection ladder goes on to ask {@code r} to relay: the
 * circuit is end-to-end encrypted, the MSE, BitTorrent and extended handshakes and the bitfields
 * cross it, and the connection is recorded as "relay" on both sides, with the relay's counters
 * showing the circuit and the bytes it forwarded.
 *
 * <p>Pieces over a relayed stream are tested by {@code RelayPeerStreamTest} (1 MiB through a 64 KiB
 * window, in order). Here a leecher would not wait for the relay: the public seeder gives it the
 * file first, and a slowed seeder holds the relay's messages behind its queued pieces (Bt keeps
 * megabytes of them per connection), which is a limit noted in issue 12.
 */
@Timeout(300)
class RelayLabTest {
  @TempDir Path dir;

  @Test
  void twoNodesBehindSymmetricNatsConnectThroughARelayPeer() throws Exception {
    String why = KernelLab.unavailableReason();
    assumeTrue(why == null, why);
    try (KernelLab lab = KernelLab.create();
        LabNodes nodes = new LabNodes(lab, dir)) {
      long started = System.nanoTime();
      List<LabHost> hosts =
          nodes.startSeeders(NatKind.SYMMETRIC, NatKind.SYMMETRIC, 21, List.of(), List.of());
      LabHost r = hosts.get(0);
      LabHost s = hosts.get(1);
      LabHost l = hosts.get(2);

      String sPublic = s.publicAddress();
      String atL = null;
      long connectedNanos = 0;
      boolean sSawRelayed = false;
      // up to 150 s: r's first PEX message to l may go out without s; the next comes a minute on
      long deadline = started + TimeUnit.SECONDS.toNanos(150);
      while (System.nanoTime() < deadline && (atL == null || !sSawRelayed)) {
        if (atL == null) {
          atL = LabNodes.link(nodes.status(l), sPublic);
          connectedNanos = System.nanoTime();
        }
        if (atL != null && !sSawRelayed) {
          sSawRelayed = LabNodes.hasPeer(nodes.status(s), l.publicAddress(), "relay");
        }
        Thread.sleep(200);
      }
      JsonNode lStatus = nodes.status(l);
      JsonNode lRelay = lStatus.path("reachability").path("relay");
      JsonNode lHp = lStatus.path("reachability").path("holepunch");
      JsonNode rRelay = nodes.status(r).path("reachability").path("relay");
      JsonNode sRelay = nodes.status(s).path("reachability").path("relay");
      System.out.printf(
          "relay lab: l connected to s %.1f s after the three nodes started; l %s; r %s; s %s; l's hole punch"
              + " %s%n",
          (connectedNanos - started) / 1e9, lRelay, rRelay, sRelay, lHp);
      assertThat(atL)
          .as("l's connection to s (log of l:%n%s)", nodes.log("l"))
          .isEqualTo("relay relay");
      assertThat(sSawRelayed).as("s records its connection from l as relayed").isTrue();
      assertThat(lHp.path("unreachableDirectly").asLong()).as("l: %s", lHp).isPositive();
      assertThat(lHp.path("punchedConnections").asLong()).as("l: %s", lHp).isZero();
      assertThat(lRelay.path("asked").asLong()).as("l: %s", lRelay).isEqualTo(1);
      assertThat(lRelay.path("connected").asLong()).as("l: %s", lRelay).isEqualTo(1);
      assertThat(lRelay.path("relayMillis").size()).as("l: %s", lRelay).isEqualTo(1);
      assertThat(lRelay.path("endedBadly").asLong()).as("l: %s", lRelay).isZero();
      assertThat(sRelay.path("accepted").asLong()).as("s: %s", sRelay).isEqualTo(1);
      assertThat(rRelay.path("served").asLong()).as("r: %s", rRelay).isEqualTo(1);
      // both MSE handshakes' keys and pads, the BitTorrent handshakes, the bitfields: well over 1
      // KB
      assertThat(rRelay.path("bytesRelayed").asLong()).as("r: %s", rRelay).isGreaterThan(1000);
      // the ladder climbed direct, hole punch, relay for s's endpoint, and says so
      List<String> climbed = LabNodes.ladder(lStatus, sPublic);
      assertThat(climbed)
          .as("l's ladder for s: %s", lStatus.path("reachability").path("ladder"))
          .containsSubsequence(
              "direct failed",
              "holepunch trying",
              "holepunch failed",
              "peer_relay trying",
              "peer_relay connected");
      assertThat(nodes.log("l")).doesNotContain("Exception in thread");
    }
  }

  /**
   * "While relayed, keep trying to go direct, and move the stream when a direct path works": the
   * same three nodes, {@code s} behind a port-restricted cone NAT and {@code l} behind a symmetric
   * one (no punch gets through), so {@code l} is relayed to {@code s}'s own endpoint through {@code
   * r}, and Bt, holding a connection under that endpoint, dials it no more. Then the operator of
   * {@code s}'s NAT forwards its UDP port 6881 to {@code s}. {@code l} tries the direct path again
   * 30 s after the relay connected ({@code ConnectionLadder.RETRY_DIRECT_AFTER}), its µTP dial gets
   * through, and the direct connection takes the relayed one's place: one connection with {@code
   * s}, on the direct path, and the relay circuit closed on both sides.
   */
  @Test
  void aRelayedConnectionMovesToTheDirectPathWhenOneOpens() throws Exception {
    String why = KernelLab.unavailableReason();
    assumeTrue(why == null, why);
    try (KernelLab lab = KernelLab.create();
        LabNodes nodes = new LabNodes(lab, dir)) {
      List<LabHost> hosts =
          nodes.startSeeders(
              NatKind.PORT_RESTRICTED_CONE, NatKind.SYMMETRIC, 23, List.of(), List.of());
      LabHost s = hosts.get(1);
      LabHost l = hosts.get(2);
      String sPublic = s.publicAddress();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
      String atL = null;
      while (System.nanoTime() < deadline && atL == null) {
        atL = LabNodes.link(nodes.status(l), sPublic);
        Thread.sleep(200);
      }
      assertThat(atL).as("l relayed to s (log of l:%n%s)", nodes.log("l")).isEqualTo("relay relay");
      long relayedAt = System.nanoTime();

      lab.forwardUdpPort(s, LabNodes.PORT);
      deadline = relayedAt + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < deadline
          && !"utp direct".equals(LabNodes.link(nodes.status(l), sPublic))) {
        Thread.sleep(200);
      }
      long movedAfter = System.nanoTime() - relayedAt;
      // the relayed connection's close reaches s over the relay circuit; give it a status tick
      Thread.sleep(1500);
      JsonNode lStatus = nodes.status(l);
      JsonNode sStatus = nodes.status(s);
      System.out.printf(
          "relay lab: l moved from the relay to a direct connection with s %.1f s after the relay"
              + " connected; l's ladder counters %s%n",
          movedAfter / 1e9, lStatus.path("reachability").path("ladderCounters"));
      List<String> lPaths = LabNodes.links(lStatus, sPublic);
      assertThat(lPaths)
          .as("l's connections with s (log of l:%n%s)", nodes.log("l"))
          .containsExactly("utp direct");
      assertThat(LabNodes.links(sStatus, l.publicAddress()))
          .as("s's connections with l (log of s:%n%s)", nodes.log("s"))
          .containsExactly("utp direct");
      JsonNode counters = lStatus.path("reachability").path("ladderCounters");
      assertThat(counters.path("directRetriesWhileRelayed").asLong()).isGreaterThanOrEqualTo(1);
      assertThat(counters.path("relayedTakenOver").asLong()).isEqualTo(1);
      List<String> climbed = LabNodes.ladder(lStatus, sPublic);
      assertThat(climbed)
          .as("l's ladder for s: %s", lStatus.path("reachability").path("ladder"))
          .containsSubsequence("peer_relay connected", "direct trying", "direct connected");
      assertThat(nodes.log("l")).doesNotContain("Exception in thread");
    }
  }

  /**
   * The same three nodes with {@code nat.peer_relay=false} on the public one: it does not advertise
   * ns_relay, so once the hole punch failed {@code l}'s ladder has no rung left and says so, and
   * the two NATed nodes stay apart.
   */
  @Test
  void aNodeWithRelayingOffRelaysNothing() throws Exception {
    String why = KernelLab.unavailableReason();
    assumeTrue(why == null, why);
    try (KernelLab lab = KernelLab.create();
        LabNodes nodes = new LabNodes(lab, dir)) {
      List<LabHost> hosts =
          nodes.startSeeders(
              NatKind.SYMMETRIC,
              NatKind.SYMMETRIC,
              22,
              List.of("--set", "nat.peer_relay=false"),
              List.of());
      LabHost r = hosts.get(0);
      LabHost s = hosts.get(1);
      LabHost l = hosts.get(2);

      String sPublic = s.publicAddress();
      List<String> climbed = List.of();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
      JsonNode lStatus = null;
      while (System.nanoTime() < deadline
          && !climbed.contains("direct exhausted")
          && !climbed.contains("holepunch exhausted")) {
        Thread.sleep(500);
        lStatus = nodes.status(l);
        climbed = LabNodes.ladder(lStatus, sPublic);
      }
      assertThat(climbed)
          .as("l's ladder for s (log of l:%n%s)", nodes.log("l"))
          .containsSubsequence("direct failed", "holepunch failed", "peer_relay skipped");
      assertThat(climbed).doesNotContain("peer_relay trying", "peer_relay connected");
      assertThat(LabNodes.hasPeer(lStatus, sPublic, "relay")).isFalse();
      JsonNode rRelay = nodes.status(r).path("reachability").path("relay");
      assertThat(rRelay.path("served").asLong()).as("r: %s", rRelay).isZero();
    }
  }
}
