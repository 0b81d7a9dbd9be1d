package io.natswarm.node.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.natswarm.lab.KernelLab;
import io.natswarm.lab.KernelLab.LabHost;
import io.natswarm.lab.KernelLab.NatKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * ut_holepunch (BEP 55) interop on real kernel NATs with libtorrent 2.0.8 (python3-libtorrent):
 * libtorrent as the rendezvous of two natswarm nodes behind port-restricted cone NATs, and natswarm
 * as the rendezvous of two libtorrent peers behind them. In both, the initiator learns the target
 * only from the rendezvous' PEX (flag 0x08), cannot reach it directly, and asks the rendezvous; the
 * assertions are on each side's own record of the punched connection (natswarm's status JSON,
 * libtorrent's {@code peer_info} holepunched flag).
 */
@Timeout(240)
class HolepunchLibtorrentLabTest {

  @TempDir Path dir;

  private static void assumeLab() {
    String why = KernelLab.unavailableReason();
    assumeTrue(why == null, why);
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "no /usr/bin/python3");
  }

  private Path file(String node, byte[] data) throws IOException {
    return Files.write(Files.createDirectories(dir.resolve(node)).resolve("hp.bin"), data);
  }

  @Test
  void libtorrentIntroducesTwoNatswarmNodes() throws Exception {
    assumeLab();
    byte[] data = new byte[1 << 20];
    new Random(14).nextBytes(data);
    Path sFile = file("s", data);
    Path lFile = file("l", data);
    Files.createDirectories(dir.resolve("r"));
    Path torrent = dir.resolve("hp.torrent");
    try (KernelLab lab = KernelLab.create();
        LabNodes nodes = new LabNodes(lab, dir)) {
      LabHost r = lab.addPublicHost();
      LabHost s = lab.addHostBehindNat(NatKind.PORT_RESTRICTED_CONE);
      LabHost l = lab.addHostBehindNat(NatKind.PORT_RESTRICTED_CONE);
      String rEndpoint = r.publicAddress() + ":" + LabNodes.PORT;
      // s seeds (never learning l: PEX off) and keeps dialling r until r is up
      nodes.start(
          s,
          "s",
          List.of(
              "share", sFile.toString(), "--torrent-file", torrent.toString(), "--peer", rEndpoint),
          LabNodes.TARGET_OF_A_RENDEZVOUS.toArray(String[]::new));
      LabNodes.awaitFile(torrent);
      // libtorrent leeches slowly: it disconnects seeds when it is one itself
      try (LibtorrentLabPeer lt =
          new LibtorrentLabPeer(
              r,
              dir.resolve("r.log"),
              String.valueOf(LabNodes.PORT),
              torrent.toString(),
              dir.resolve("r").toString(),
              "slow",
              "-",
              "200")) {
        awaitLt(lt, s.publicAddress(), "libtorrent connected to s");
        nodes.start(l, "l", List.of("share", lFile.toString(), "--peer", rEndpoint));

        JsonNode lHp = nodes.awaitHolepunch(l, "punchedConnections", 1, 90);
        JsonNode sHp = nodes.status(s).path("reachability").path("holepunch");
        System.out.printf("libtorrent as rendezvous: l %s; s %s%n", lHp, sHp);
        assertThat(lHp).as(nodes.log("l")).isNotNull();
        assertThat(lHp.path("rendezvousAsked").asLong())
            .as("l asked libtorrent: %s%n%s", lHp, punchLines(nodes.log("l")))
            .isEqualTo(1);
        assertThat(lHp.path("introduced").asLong())
            .as("libtorrent's connect (its 8-byte form) reached l: %s%n%s", lHp, nodes.log("l"))
            .isEqualTo(1);
        assertThat(lHp.path("punchedConnections").asLong()).as("l: %s", lHp).isEqualTo(1);
        assertThat(sHp.path("invited").asLong()).as("s: %s", sHp).isEqualTo(1);
        assertThat(sHp.path("punchedConnections").asLong()).as("s: %s", sHp).isEqualTo(1);
      }
    }
  }

  @Test
  void natswarmIntroducesTwoLibtorrentPeers() throws Exception {
    assumeLab();
    byte[] data = new byte[8 << 20];
    new Random(15).nextBytes(data);
    Path rFile = file("r", data);
    file("s", data); // what libtorrent's seed s has
    Files.createDirectories(dir.resolve("l"));
    Files.createDirectories(dir.resolve("rr"));
    Path torrent = dir.resolve("hp.torrent");
    try (KernelLab lab = KernelLab.create();
        LabNodes nodes = new LabNodes(lab, dir)) {
      LabHost r = lab.addPublicHost();
      LabHost s = lab.addHostBehindNat(NatKind.PORT_RESTRICTED_CONE);
      LabHost l = lab.addHostBehindNat(NatKind.PORT_RESTRICTED_CONE);
      String rEndpoint = r.publicAddress() + ":" + LabNodes.PORT;
      // natswarm makes the torrent, then runs as a leecher of it: libtorrent drops fellow seeds
      nodes.makeTorrent(r, rFile, torrent);
      // s, a libtorrent seed behind its NAT, uploads slowly so that r stays a leecher
      nodes.limitUplink(s, "1mbit");
      try (LibtorrentLabPeer ltS =
              new LibtorrentLabPeer(
                  s,
                  dir.resolve("lt-s.log"),
                  String.valueOf(LabNodes.PORT),
                  torrent.toString(),
                  dir.resolve("s").toString(),
                  "seed",
                  rEndpoint,
                  "200",
                  // no ut_pex: s never learns l, so only the rendezvous can connect them (with PEX
                  // both dial at once, and the crossing SYNs connect them without it)
                  "nopex");
          LibtorrentLabPeer ltL =
              new LibtorrentLabPeer(
                  l,
                  dir.resolve("lt-l.log"),
                  String.valueOf(LabNodes.PORT),
                  torrent.toString(),
                  dir.resolve("l").toString(),
                  "slow",
                  rEndpoint,
                  "200")) {
        nodes.start(
            r, "r", List.of("get", torrent.toString(), "--to", dir.resolve("rr").toString()));
        awaitLt(ltS, r.publicAddress(), "libtorrent s connected to r");
        // l (libtorrent) dials r and learns s from r's PEX only
        JsonNode punched = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
          JsonNode p = ltL.peer(s.publicAddress());
          if (p != null) {
            punched = p;
            break;
          }
          Thread.sleep(200);
        }
        JsonNode st = nodes.status(r);
        JsonNode rHp = st == null ? null : st.path("reachability").path("holepunch");
        System.out.printf(
            "natswarm as rendezvous: r %s; l's peer s %s; l's peers %s%n",
            rHp, punched, ltL.output());
        assertThat(punched).as("l's peers: %s%nr: %s", ltL.output(), nodes.log("r")).isNotNull();
        // libtorrent flags the connection its holepunch mode dialled: on the side that won the race
        JsonNode other = ltS.peer(l.publicAddress());
        assertThat(
                punched.path("holepunched").asBoolean()
                    || (other != null && other.path("holepunched").asBoolean()))
            .as("l's peer s %s, s's peer l %s", punched, other)
            .isTrue();
        assertThat(rHp).isNotNull();
        assertThat(rHp.path("relayed").asLong()).as("r: %s", rHp).isGreaterThanOrEqualTo(1);
      }
    }
  }

  /** The lines of a node's log about the hole punch. */
  private static String punchLines(String log) {
    StringBuilder b = new StringBuilder();
    for (String line : log.lines().toList()) {
      if (line.contains("punch") || line.contains("rendezvous") || line.contains("dialling")) {
        b.append(line).append('\n');
      }
    }
    return b.toString();
  }

  private static void awaitLt(LibtorrentLabPeer lt, String address, String what) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (lt.peer(address) == null) {
      assertThat(System.nanoTime()).as("%s: %s", what, lt.output()).isLessThan(deadline);
      Thread.sleep(200);
    }
  }
}
