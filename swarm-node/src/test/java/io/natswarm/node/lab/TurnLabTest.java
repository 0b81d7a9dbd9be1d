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
 * The ladder's last rung on real kernel NATs, against coturn 4.6.1 with long-term credentials: the
 * three seeders of {@link RelayLabTest} ({@code s} and {@code l} each behind a symmetric NAT with
 * random ports, a public {@code r}), {@code r} with peer relaying off, and {@code l} configured
 * with the lab's TURN server. Direct fails, the hole punch fails, no peer relays; {@code l} offers
 * its relayed address through {@code r} (ns_turn), {@code s} dials it over µTP, and the connection
 * is recorded as "turn" on both sides.
 */
@Timeout(300)
class TurnLabTest {
  @TempDir Path dir;

  @Test
  void twoNodesBehindSymmetricNatsConnectThroughTheOperatorsTurnServer() throws Exception {
    String why = KernelLab.unavailableReason();
    assumeTrue(why == null, why);
    try (KernelLab lab = KernelLab.create();
        LabNodes nodes = new LabNodes(lab, dir)) {
      String turn = lab.addTurnServer("natswarm", "lab-secret");
      String turnAddress = turn.substring(0, turn.indexOf(':'));
      long started = System.nanoTime();
      List<LabHost> hosts =
          nodes.startSeeders(
              NatKind.SYMMETRIC,
              NatKind.SYMMETRIC,
              23,
              List.of("--set", "nat.peer_relay=false"),
              turnClient(turn));
      LabHost r = hosts.get(0);
      LabHost s = hosts.get(1);
      LabHost l = hosts.get(2);

      String sPublic = s.publicAddress();
      String atL = null;
      long connectedNanos = 0;
      boolean sSawTurn = false;
      long deadline = started + TimeUnit.SECONDS.toNanos(170);
      while (System.nanoTime() < deadline && (atL == null || !sSawTurn)) {
        if (atL == null) {
          atL = LabNodes.link(nodes.status(l), sPublic);
          connectedNanos = System.nanoTime();
        }
        if (atL != null && !sSawTurn) {
          sSawTurn = "utp turn".equals(LabNodes.link(nodes.status(s), turnAddress));
        }
        Thread.sleep(200);
      }
      // The status shows the TURN client's counters as of the service's last tick (each second):
      // wait for the tick after the relayed stream's handshakes.
      JsonNode lStatus = nodes.status(l);
      long countersBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (atL != null
          && lStatus.path("reachability").path("turn").path("client").path("bytesOut").asLong()
              <= 164
          && System.nanoTime() < countersBy) {
        Thread.sleep(200);
        lStatus = nodes.status(l);
      }
      JsonNode lTurn = lStatus.path("reachability").path("turn");
      JsonNode rTurn = nodes.status(r).path("reachability").path("turn");
      JsonNode sTurn = nodes.status(s).path("reachability").path("turn");
      System.out.printf(
          "turn lab: l connected to s %.1f s after the three nodes started; l %s; r %s; s %s%n",
          (connectedNanos - started) / 1e9, lTurn, rTurn, sTurn);
      assertThat(atL)
          .as("l's connection to s (log of l:%n%s)", nodes.log("l"))
          .isEqualTo("utp turn");
      assertThat(sSawTurn)
          .as(
              "s records its connection to l's relayed address as turn (log of s:%n%s)",
              nodes.log("s"))
          .isTrue();
      assertThat(lTurn.path("state").asText()).as("l: %s", lTurn).isEqualTo("allocated");
      assertThat(lTurn.path("relayedAddress").asText()).startsWith(turnAddress + ":");
      assertThat(lTurn.path("offersSent").asLong()).as("l: %s", lTurn).isEqualTo(1);
      assertThat(lTurn.path("connected").asLong()).as("l: %s", lTurn).isEqualTo(1);
      assertThat(lTurn.path("client").path("allocations").asLong()).as("l: %s", lTurn).isEqualTo(1);
      assertThat(lTurn.path("client").path("permissions").asLong()).as("l: %s", lTurn).isPositive();
      // The stream's bytes went through the relay: at least an MSE key (96 bytes) and a BitTorrent
      // handshake (68 bytes) each way, inside ChannelData.
      assertThat(lTurn.path("client").path("bytesIn").asLong())
          .as("l: %s", lTurn)
          .isGreaterThan(164);
      assertThat(lTurn.path("client").path("bytesOut").asLong())
          .as("l: %s", lTurn)
          .isGreaterThan(164);
      assertThat(rTurn.path("configured").asBoolean()).isFalse();
      assertThat(rTurn.path("forwarded").asLong()).as("r: %s", rTurn).isEqualTo(1);
      assertThat(sTurn.path("dialsAsked").asLong()).as("s: %s", sTurn).isEqualTo(1);
      assertThat(sTurn.path("dialsConnected").asLong()).as("s: %s", sTurn).isEqualTo(1);
      List<String> climbed = LabNodes.ladder(lStatus, sPublic);
      assertThat(climbed)
          .as("l's ladder for s: %s", lStatus.path("reachability").path("ladder"))
          .containsSubsequence(
              "direct failed",
              "holepunch failed",
              "peer_relay skipped",
              "turn trying",
              "turn connected");
      assertThat(nodes.log("l")).doesNotContain("Exception in thread");
    }
  }

  /**
   * Three nodes as above but {@code s} behind a port-restricted NAT (against {@code l}'s symmetric
   * one no punch gets through, and {@code r} relays nothing): once {@code l} is connected to {@code
   * s} through TURN, a UDP port forwarded on {@code s}'s router opens the direct path. Bt dials
   * {@code s} no more (it holds the TURN connection under the same endpoint, since {@code s}'s NAT
   * keeps its port), so {@code l}'s ladder retries it 30 s after the TURN connection was made; the
   * retry's µTP datagrams pass the TURN client unwrapped (the client relays whatever else goes to
   * {@code s}'s address), and the direct connection takes the TURN one's place on both sides.
   */
  @Test
  void aTurnConnectionMovesToTheDirectPathWhenOneOpens() throws Exception {
    String why = KernelLab.unavailableReason();
    assumeTrue(why == null, why);
    try (KernelLab lab = KernelLab.create();
        LabNodes nodes = new LabNodes(lab, dir)) {
      String turn = lab.addTurnServer("natswarm", "lab-secret");
      String turnAddress = turn.substring(0, turn.indexOf(':'));
      List<LabHost> hosts =
          nodes.startSeeders(
              NatKind.PORT_RESTRICTED_CONE,
              NatKind.SYMMETRIC,
              23,
              List.of("--set", "nat.peer_relay=false"),
              turnClient(turn));
      LabHost s = hosts.get(1);
      LabHost l = hosts.get(2);
      String sPublic = s.publicAddress();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(170);
      String atL = null;
      while (System.nanoTime() < deadline && atL == null) {
        atL = LabNodes.link(nodes.status(l), sPublic);
        Thread.sleep(200);
      }
      assertThat(atL)
          .as("l through TURN to s (log of l:%n%s)", nodes.log("l"))
          .isEqualTo("utp turn");
      long turnedAt = System.nanoTime();

      lab.forwardUdpPort(s, LabNodes.PORT);
      deadline = turnedAt + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < deadline
          && !"utp direct".equals(LabNodes.link(nodes.status(l), sPublic))) {
        Thread.sleep(200);
      }
      long movedAfter = System.nanoTime() - turnedAt;
      // l's close of the TURN connection reaches s through the relay; give it a status tick
      Thread.sleep(2500);
      JsonNode lStatus = nodes.status(l);
      JsonNode sStatus = nodes.status(s);
      System.out.printf(
          "turn lab: l moved from TURN to a direct connection with s %.1f s after the TURN"
              + " connection; l's ladder counters %s%n",
          movedAfter / 1e9, lStatus.path("reachability").path("ladderCounters"));
      assertThat(LabNodes.links(lStatus, sPublic))
          .as("l's connections with s (log of l:%n%s)", nodes.log("l"))
          .containsExactly("utp direct");
      assertThat(LabNodes.links(sStatus, l.publicAddress()))
          .as("s's connections with l (log of s:%n%s)", nodes.log("s"))
          .containsExactly("utp direct");
      assertThat(LabNodes.links(sStatus, turnAddress))
          .as("s's connection to l's relayed address closed (log of s:%n%s)", nodes.log("s"))
          .isEmpty();
      JsonNode counters = lStatus.path("reachability").path("ladderCounters");
      assertThat(counters.path("directRetriesWhileRelayed").asLong()).isGreaterThanOrEqualTo(1);
      assertThat(counters.path("relayedTakenOver").asLong()).isEqualTo(1);
      assertThat(LabNodes.ladder(lStatus, sPublic))
          .as("l's ladder for s: %s", lStatus.path("reachability").path("ladder"))
          .containsSubsequence("turn connected", "direct trying", "direct connected");
      assertThat(nodes.log("l")).doesNotContain("Exception in thread");
    }
  }

  /**
   * A wrong password: coturn refuses the allocation (401 after credentials), the status says so
   * with the server's reason, and the node runs on without the rung.
   */
  @Test
  void aRefusedPasswordIsReportedAndTheRungIsNotOffered() throws Exception {
    String why = KernelLab.unavailableReason();
    assumeTrue(why == null, why);
    try (KernelLab lab = KernelLab.create();
        LabNodes nodes = new LabNodes(lab, dir)) {
      String turn = lab.addTurnServer("natswarm", "lab-secret");
      LabHost h = lab.addHostBehindNat(NatKind.PORT_RESTRICTED_CONE);
      java.nio.file.Path file =
          java.nio.file.Files.write(
              java.nio.file.Files.createDirectories(dir.resolve("h")).resolve("f.bin"),
              new byte[4096]);
      nodes.start(
          h,
          "h",
          List.of("share", file.toString()),
          "--set",
          "nat.turn_server=" + turn,
          "--set",
          "nat.turn_username=natswarm",
          "--set",
          "nat.turn_password=wrong");
      nodes.awaitStatus(h);
      JsonNode t = null;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < deadline) {
        t = nodes.status(h).path("reachability").path("turn");
        if ("failed".equals(t.path("state").asText())) {
          break;
        }
        Thread.sleep(200);
      }
      assertThat(t.path("state").asText()).as("h: %s", t).isEqualTo("failed");
      assertThat(t.path("failure").asText()).as("h: %s", t).contains("401");
      assertThat(t.path("relayedAddress").isNull()).isTrue();
    }
  }

  /**
   * The options of a node that uses the lab's TURN server at {@code turn} with the right password.
   */
  private static List<String> turnClient(String turn) {
    return List.of(
        "--set",
        "nat.turn_server=" + turn,
        "--set",
        "nat.turn_username=natswarm",
        "--set",
        "nat.turn_password=lab-secret");
  }
}
