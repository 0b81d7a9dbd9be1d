package io.natswarm.node.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.natswarm.lab.KernelLab;
import io.natswarm.lab.KernelLab.LabHost;
import io.natswarm.lab.KernelLab.NatKind;
import io.natswarm.node.interop.Payload;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11's verdict on real kernel NATs: a public seeder and a leecher behind a port-restricted
 * cone NAT (Linux's default masquerade), both measuring their NAT with coturn ({@code
 * nat.stun_server}) from their own port. The leecher must say it is not reachable, why (the NAT and
 * its behaviour, measured), and what to do (forward the port to its LAN address); the seeder, once
 * the leecher connected to it from the internet, that it is reachable, proven by that connection.
 * Each also asks the other for a dial-back (µTP probes and a TCP connection from a fresh port):
 * nothing gets through the leecher's NAT, both get to the seeder. Every node is the {@code
 * natswarm} command line in its own namespace, observed through its status JSON, exactly as a
 * person would read it.
 */
@Timeout(180)
class ReachabilityLabTest {
  @TempDir Path dir;

  @Test
  void aNattedLeecherSaysWhatToDoAndThePublicSeederIsProvenReachable() throws Exception {
    String why = KernelLab.unavailableReason();
    assumeTrue(why == null, why);
    Path file = Payload.write(dir.resolve("reach.bin"), 16 << 20, 11);
    Path torrent = dir.resolve("reach.torrent");
    try (KernelLab lab = KernelLab.create();
        LabNodes nodes = new LabNodes(lab, dir)) {
      String stun = lab.addStunServer();
      LabHost seeder = lab.addPublicHost();
      LabHost leecher = lab.addHostBehindNat(NatKind.PORT_RESTRICTED_CONE);
      // 8 Mbit/s from the seeder: the download lasts long enough to read the leecher's status.
      nodes.limitUplink(seeder, "8mbit");

      nodes.start(
          seeder,
          "seeder",
          List.of("share", file.toString(), "--torrent-file", torrent.toString()),
          "--set",
          "nat.stun_server=" + stun);
      nodes.awaitStatus(seeder);
      LabNodes.awaitFile(torrent);
      Process get =
          nodes.start(
              leecher,
              "leecher",
              List.of(
                  "get",
                  torrent.toString(),
                  "--to",
                  dir.resolve("got").toString(),
                  "--peer",
                  seeder.publicAddress() + ":" + LabNodes.PORT),
              "--set",
              "nat.stun_server=" + stun);

      // The leecher's reachability once STUN has measured its NAT and the seeder has answered
      // both dial-back requests (µTP probes, a TCP connection, each from a fresh port).
      JsonNode measured = null;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      while (get.isAlive() && System.nanoTime() < deadline) {
        JsonNode s = nodes.status(leecher);
        JsonNode r = s == null ? null : s.path("reachability");
        if (r != null && r.path("natType").asText().startsWith("mapping")) {
          measured = r;
          if (r.path("dialBack").path("IPv4").size() == 2) {
            break;
          }
        }
        Thread.sleep(250);
      }
      assertThat(measured)
          .as("the leecher measured its NAT; log:%n%s", nodes.log("leecher"))
          .isNotNull();
      assertThat(get.waitFor(90, TimeUnit.SECONDS)).as(nodes.log("leecher")).isTrue();
      assertThat(get.exitValue()).as(nodes.log("leecher")).isZero();
      assertThat(Payload.sameBytes(dir.resolve("got/reach.bin"), file)).isTrue();

      assertThat(measured.get("natType").asText())
          .isEqualTo("mapping endpoint-independent, filtering address-and-port-dependent");
      JsonNode v4 = measured.get("families").get(0);
      assertThat(v4.get("family").asText()).isEqualTo("IPv4");
      assertThat(v4.get("verdict").asText()).as(v4.toString()).isEqualTo("not_reachable");
      assertThat(v4.get("summary").asText())
          .startsWith("behind a NAT")
          .contains(leecher.publicAddress());
      assertThat(v4.get("advice").get(0).asText())
          .contains("forward port 6881")
          .contains(leecher.lanAddress());
      assertThat(measured.get("candidates"))
          .extracting(c -> c.get("type").asText() + " " + c.get("address").asText())
          .contains(
              "host " + leecher.lanAddress() + ":6881",
              "srflx " + leecher.publicAddress() + ":6881");

      assertThat(measured.get("dialBack").get("IPv4").get("utp").asBoolean())
          .as("the seeder's µTP probes from a fresh port did not cross the leecher's NAT")
          .isFalse();
      assertThat(measured.get("dialBack").get("IPv4").get("tcp").asBoolean()).isFalse();

      JsonNode seen = nodes.status(seeder).get("reachability");
      for (int i = 0; i < 40 && seen.path("dialBack").path("IPv4").size() < 2; i++) {
        Thread.sleep(250); // the leecher's reports on the seeder's requests
        seen = nodes.status(seeder).get("reachability");
      }
      assertThat(seen.get("dialBack").get("IPv4").get("utp").asBoolean())
          .as("the leecher's probes reached the public seeder: %s", seen)
          .isTrue();
      assertThat(seen.get("dialBack").get("IPv4").get("tcp").asBoolean()).isTrue();
      JsonNode s4 = seen.get("families").get(0);
      assertThat(s4.get("verdict").asText()).as(seen.toString()).isEqualTo("reachable");
      assertThat(s4.get("summary").asText()).contains("peers on the internet connected to us");
      assertThat(seen.get("inbound").get("tcp").asLong() + seen.get("inbound").get("utp").asLong())
          .isPositive();
      assertThat(seen.get("natType").asText())
          .isEqualTo("mapping no-nat, filtering endpoint-independent");
    }
  }
}
