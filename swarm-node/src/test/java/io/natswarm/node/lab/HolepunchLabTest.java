package io.natswarm.node.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.natswarm.lab.KernelLab;
import io.natswarm.lab.KernelLab.LabHost;
import io.natswarm.lab.KernelLab.NatKind;
import io.natswarm.node.interop.Payload;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * ut_holepunch (BEP 55) on real kernel NATs, natswarm on all three sides: a seeder {@code s} and a
 * leecher {@code l}, each behind its own port-restricted cone NAT (Linux's default: neither can
 * reach the other unasked), and a public seeder {@code r} that both connect to. {@code l} learns
 * {@code s} only from {@code r}'s PEX (flagged 0x08, ut_holepunch), fails to reach it over µTP and
 * TCP, asks {@code r} for a rendezvous, and after {@code r}'s connect messages both punch and
 * {@code l} dials: a connection between the two NATed hosts is made (µTP, or TCP when l's TCP dial,
 * still trying after µTP failed, meets s's TCP punch first) and recorded as "holepunch" on both
 * sides, and the download completes with every piece verified. The public seeder's uplink is slow,
 * so most of the file comes through the punched connection.
 */
@Timeout(240)
class HolepunchLabTest {
  @TempDir Path dir;

  @Test
  void twoNodesBehindPortRestrictedNatsConnectThroughARendezvous() throws Exception {
    String why = KernelLab.unavailableReason();
    assumeTrue(why == null, why);
    byte[] data = new byte[16 << 20];
    new Random(12).nextBytes(data);
    Path rdir = Files.createDirectories(dir.resolve("r"));
    Path sdir = Files.createDirectories(dir.resolve("s"));
    Path file = Files.write(rdir.resolve("punch.bin"), data);
    Files.write(sdir.resolve("punch.bin"), data);
    Path torrent = dir.resolve("punch.torrent");

    try (KernelLab lab = KernelLab.create();
        LabNodes nodes = new LabNodes(lab, dir)) {
      LabHost r = lab.addPublicHost();
      LabHost s = lab.addHostBehindNat(NatKind.PORT_RESTRICTED_CONE);
      LabHost l = lab.addHostBehindNat(NatKind.PORT_RESTRICTED_CONE);
      // Slow enough that l is still downloading from r when the punched connection is made.
      nodes.limitUplink(r, "2mbit");
      // And s slow enough that the punched connection lasts seconds, not the one status tick in
      // which l could fetch all 16 MiB from s at the lab's speed and exit.
      nodes.limitUplink(s, "16mbit");
      String rEndpoint = r.publicAddress() + ":" + LabNodes.PORT;

      nodes.start(r, "r", List.of("share", file.toString(), "--torrent-file", torrent.toString()));
      nodes.awaitStatus(r);
      LabNodes.awaitFile(torrent);
      nodes.start(
          s,
          "s",
          List.of(
              "share",
              sdir.resolve("punch.bin").toString(),
              "--torrent-file",
              dir.resolve("s.torrent").toString(),
              "--peer",
              rEndpoint),
          // s never learns l: only l dials, so only a rendezvous can connect them (with PEX on
          // both sides, both dial at the same moment and the crossing SYNs connect them anyway)
          LabNodes.TARGET_OF_A_RENDEZVOUS.toArray(String[]::new));
      nodes.awaitStatus(s);
      // s must be connected to r before l arrives: r's first PEX message to l then names s.
      nodes.awaitPeers(r, 1);

      long started = System.nanoTime();
      Process pl =
          nodes.start(
              l,
              "l",
              List.of(
                  "get",
                  torrent.toString(),
                  "--to",
                  dir.resolve("l").toString(),
                  "--peer",
                  rEndpoint));

      String sPublic = s.publicAddress();
      String punchedAtL = null;
      boolean sSawPunched = false;
      JsonNode lHp = null;
      long connectedNanos = 0;
      long deadline = started + TimeUnit.SECONDS.toNanos(150);
      while (pl.isAlive() && System.nanoTime() < deadline) {
        JsonNode st = nodes.status(l);
        if (st != null) {
          lHp = st.path("reachability").path("holepunch");
        }
        if (st != null && punchedAtL == null) {
          for (JsonNode t : st.path("torrents")) {
            for (JsonNode p : t.path("peers")) {
              if (p.path("address").asText().equals(sPublic)) {
                punchedAtL = p.path("transport").asText() + " " + p.path("path").asText();
                connectedNanos = System.nanoTime();
              }
            }
          }
        }
        if (punchedAtL != null && !sSawPunched) {
          sSawPunched = LabNodes.hasPeer(nodes.status(s), l.publicAddress(), "holepunch");
        }
        Thread.sleep(200);
      }
      JsonNode sStatus = nodes.status(s);
      JsonNode rStatus = nodes.status(r);
      assertThat(pl.waitFor(60, TimeUnit.SECONDS)).as(nodes.log("l")).isTrue();
      assertThat(pl.exitValue()).as(nodes.log("l")).isZero();
      assertThat(Payload.sameBytes(dir.resolve("l/punch.bin"), file)).isTrue();

      assertThat(punchedAtL)
          .as("l's connection to s (log of l:%n%s)", nodes.log("l"))
          // µTP, or TCP when l's TCP dial (after µTP failed) met s's TCP punch first
          .isIn("utp holepunch", "tcp holepunch");
      System.out.printf(
          "holepunch lab: l connected to s %.1f s after l started; l %s; r %s; s %s%n",
          (connectedNanos - started) / 1e9,
          lHp,
          rStatus.path("reachability").path("holepunch"),
          sStatus.path("reachability").path("holepunch"));
      assertThat(lHp).isNotNull();
      assertThat(lHp.path("unreachableDirectly").asLong())
          .as("l: %s", lHp)
          .isGreaterThanOrEqualTo(1);
      assertThat(lHp.path("rendezvousAsked").asLong()).as("l: %s", lHp).isGreaterThanOrEqualTo(1);
      assertThat(lHp.path("punchedConnections").asLong())
          .as("l: %s", lHp)
          .isGreaterThanOrEqualTo(1);
      assertThat(lHp.path("punchMillis").size()).as("l: %s", lHp).isGreaterThanOrEqualTo(1);
      JsonNode rHp = rStatus.path("reachability").path("holepunch");
      assertThat(rHp.path("relayed").asLong()).as("r relayed: %s", rHp).isGreaterThanOrEqualTo(1);
      JsonNode sHp = sStatus.path("reachability").path("holepunch");
      assertThat(sHp.path("invited").asLong())
          .as("s was introduced: %s", sHp)
          .isGreaterThanOrEqualTo(1);
      assertThat(sHp.path("probesSent").asLong())
          .as("s punched: %s", sHp)
          .isGreaterThanOrEqualTo(1);
      assertThat(sSawPunched).as("s records its incoming connection from l as punched").isTrue();
      assertThat(nodes.log("l")).doesNotContain("Exception in thread");
    }
  }

  /**
   * The same three nodes without the slow uplink, and {@code l} a seeder as well: no data queues in
   * front of the ut_holepunch messages, so {@code l} gets {@code r}'s connect message at once and
   * dials {@code s} itself, the BEP 55 path of the initiator.
   */
  @Test
  void theInitiatorDialsWhenTheRendezvousIntroducesIt() throws Exception {
    String why = KernelLab.unavailableReason();
    assumeTrue(why == null, why);
    try (KernelLab lab = KernelLab.create();
        LabNodes nodes = new LabNodes(lab, dir)) {
      List<LabHost> hosts =
          nodes.startSeeders(
              NatKind.PORT_RESTRICTED_CONE, NatKind.PORT_RESTRICTED_CONE, 13, List.of(), List.of());
      LabHost r = hosts.get(0);
      LabHost s = hosts.get(1);
      LabHost l = hosts.get(2);

      // up to 150 s: if r's first PEX message to l went out without s (a seeder's link to r may
      // be re-made meanwhile), the next one comes a minute later (BEP 11's rate)
      // connectedAfterPunch counts the µTP stream as soon as it is made; the connection (and
      // punchedConnections, punchMillis) only after the MSE handshake on the acceptor's thread,
      // on either side: wait for the handshake on both
      JsonNode lHp = nodes.awaitHolepunch(l, "punchedConnections", 1, 150);
      JsonNode sHp = nodes.awaitHolepunch(s, "punchedConnections", 1, 15);
      JsonNode rHp = nodes.status(r).path("reachability").path("holepunch");
      System.out.printf("holepunch lab, seeders: l %s; r %s; s %s%n", lHp, rHp, sHp);
      assertThat(lHp).as(nodes.log("l")).isNotNull();
      assertThat(lHp.path("introduced").asLong()).as("l: %s%n%s", lHp, nodes.log("l")).isEqualTo(1);
      assertThat(lHp.path("connectedAfterPunch").asLong())
          .as("l dialled s after the connect message: %s%n%s", lHp, nodes.log("l"))
          .isEqualTo(1);
      assertThat(lHp.path("punchMillis").size()).as("l: %s", lHp).isEqualTo(1);
      assertThat(lHp.path("probesReceived").asLong()).as("s's probes reached l").isPositive();
      assertThat(rHp.path("relayed").asLong()).as("r: %s", rHp).isEqualTo(1);
      assertThat(sHp.path("invited").asLong()).as("s: %s", sHp).isEqualTo(1);
      assertThat(sHp.path("punchedConnections").asLong()).as("s: %s", sHp).isEqualTo(1);
    }
  }

  /**
   * The seeders again, with {@code l} dialling TCP only: after {@code r}'s connect messages {@code
   * l} opens TCP from its listen port toward {@code s} and {@code s}, seeing no µTP connection
   * within a second, opens TCP toward {@code l} from its own: each NAT has seen its host's SYN
   * leave when the other's arrives (TCP simultaneous open), and the connection is recorded as a
   * punched TCP one on both sides.
   */
  @Test
  void tcpSimultaneousOpenConnectsAnInitiatorThatDialsTcpOnly() throws Exception {
    String why = KernelLab.unavailableReason();
    assumeTrue(why == null, why);
    try (KernelLab lab = KernelLab.create();
        LabNodes nodes = new LabNodes(lab, dir)) {
      List<LabHost> hosts =
          nodes.startSeeders(
              NatKind.PORT_RESTRICTED_CONE,
              NatKind.PORT_RESTRICTED_CONE,
              14,
              List.of(),
              List.of("--set", "peers.transports=tcp-only"));
      LabHost s = hosts.get(1);
      LabHost l = hosts.get(2);

      String sPublic = s.publicAddress();
      String atL = null;
      boolean sSawPunchedTcp = false;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
      while (System.nanoTime() < deadline && (atL == null || !sSawPunchedTcp)) {
        if (atL == null) {
          atL = LabNodes.link(nodes.status(l), sPublic);
        }
        if (atL != null && !sSawPunchedTcp) {
          sSawPunchedTcp =
              "tcp holepunch".equals(LabNodes.link(nodes.status(s), l.publicAddress()));
        }
        Thread.sleep(200);
      }
      JsonNode lHp = nodes.status(l).path("reachability").path("holepunch");
      JsonNode sHp = nodes.status(s).path("reachability").path("holepunch");
      System.out.printf("holepunch lab, TCP: l %s; s %s%n", lHp, sHp);
      assertThat(atL)
          .as("l's connection to s (log of l:%n%s)", nodes.log("l"))
          .isEqualTo("tcp holepunch");
      assertThat(sSawPunchedTcp)
          .as("s records a punched TCP connection from l (log of s:%n%s)", nodes.log("s"))
          .isTrue();
      assertThat(lHp.path("introduced").asLong()).as("l: %s", lHp).isGreaterThanOrEqualTo(1);
      assertThat(lHp.path("tcpPunched").asLong() + sHp.path("tcpPunched").asLong())
          .as("l: %s; s: %s", lHp, sHp)
          .isGreaterThanOrEqualTo(1);
    }
  }
}
