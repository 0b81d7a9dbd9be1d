package io.natswarm.node.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.natswarm.lab.KernelLab;
import io.natswarm.lab.KernelLab.LabHost;
import io.natswarm.lab.KernelLab.NatKind;
import io.natswarm.lab.KernelLab.PortForward;
import io.natswarm.lab.KernelLab.RouterOptions;
import io.natswarm.node.interop.Payload;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11's port-mapping proof against a real gateway: a {@code natswarm share} node behind a
 * port-restricted NAT whose router runs miniupnpd (UPnP-IGD, NAT-PMP and PCP). With {@code
 * nat.port_mapping} on, the node maps its port for UDP and TCP; then an unsolicited datagram from
 * the internet (a DHT ping, which the node answers) and a TCP connection from the internet reach
 * it, and its status says it is reachable, proven by that connection. After SIGTERM, nothing is
 * left mapped on the router.
 */
@Timeout(180)
class PortMappingLabTest {
  private static final byte[] DHT_PING =
      "d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe"
          .getBytes(StandardCharsets.US_ASCII);

  @TempDir Path dir;

  @Test
  void theNodeMapsItsPortIsReachedFromTheInternetAndLeavesNothingMapped() throws Exception {
    String why = KernelLab.unavailableReason();
    assumeTrue(why == null, why);
    Path file = Payload.write(dir.resolve("mapped.bin"), 1 << 20, 12);
    try (KernelLab lab = KernelLab.create();
        LabNodes nodes = new LabNodes(lab, dir)) {
      LabHost host =
          lab.addHostBehindNat(RouterOptions.of(NatKind.PORT_RESTRICTED_CONE).withMiniupnpd());
      LabHost internet = lab.addPublicHost();
      String wan = host.publicAddress();
      int port = LabNodes.PORT;
      assertThat(lab.udpExchange(internet, 0, wan, port, DHT_PING))
          .as("nothing gets in before the mapping")
          .isNull();

      Process node =
          nodes.start(
              host, "node", List.of("share", file.toString()), "--set", "nat.port_mapping=true");
      nodes.awaitStatus(host);
      JsonNode mapped = null;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (mapped == null && System.nanoTime() < deadline) {
        JsonNode s = nodes.status(host);
        if (s != null && s.path("reachability").path("mappings").size() == 2) {
          mapped = s.get("reachability");
        }
        Thread.sleep(200);
      }
      assertThat(mapped).as("two mappings; log:%n%s", nodes.log("node")).isNotNull();
      assertThat(mapped.get("mappings"))
          .extracting(m -> m.get("protocol").asText() + " " + m.get("external").asText())
          .containsExactlyInAnyOrder("UDP " + wan + ":" + port, "TCP " + wan + ":" + port);
      assertThat(mapped.get("mappings").get(0).get("via").asText()).isEqualTo("PCP");
      assertThat(lab.portForwards(host))
          .extracting(
              PortForward::protocol,
              PortForward::externalPort,
              PortForward::internalAddress,
              PortForward::internalPort)
          .containsExactlyInAnyOrder(
              tuple("udp", port, host.lanAddress(), port),
              tuple("tcp", port, host.lanAddress(), port));
      assertThat(mapped.get("families").get(0).get("verdict").asText())
          .as("mapped, not yet proven")
          .isEqualTo("probably_reachable");

      byte[] pong = lab.udpExchange(internet, 0, wan, port, DHT_PING);
      assertThat(pong).as("the node's DHT answers a ping from the internet").isNotNull();
      assertThat(new String(pong, StandardCharsets.ISO_8859_1)).contains("1:y1:r");
      assertThat(lab.tcpConnects(internet, wan, port, "hello", 3))
          .as("a TCP connection from the internet")
          .isTrue();
      JsonNode proven = null;
      deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (proven == null && System.nanoTime() < deadline) {
        JsonNode s = nodes.status(host);
        if (s != null
            && s.path("reachability")
                .path("families")
                .path(0)
                .path("verdict")
                .asText()
                .equals("reachable")) {
          proven = s.get("reachability");
        }
        Thread.sleep(200);
      }
      assertThat(proven).as("reachable, proven by the connection").isNotNull();
      assertThat(proven.get("inbound").get("tcp").asLong()).isPositive();

      node.destroy(); // SIGTERM: the node deletes its mappings on the way out
      assertThat(node.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(lab.portForwards(host)).as(nodes.log("node")).isEmpty();
      assertThat(lab.miniupnpdRules(host)).isEmpty();
      assertThat(lab.udpExchange(internet, 0, wan, port, DHT_PING)).isNull();
    }
  }

  /**
   * {@code natswarm nat} behind the same kind of gateway: it maps the port (PCP), says the node is
   * probably reachable through the mapping, and releases the mapping when it exits.
   */
  @Test
  void natswarmNatMapsReportsAndReleases() throws Exception {
    String why = KernelLab.unavailableReason();
    assumeTrue(why == null, why);
    try (KernelLab lab = KernelLab.create()) {
      LabHost host =
          lab.addHostBehindNat(RouterOptions.of(NatKind.PORT_RESTRICTED_CONE).withMiniupnpd());
      String stun = lab.addStunServer();
      KernelLab.Result r =
          lab.execIn(
              host.namespace(),
              60,
              Path.of(System.getProperty("java.home"), "bin", "java").toString(),
              "-cp",
              System.getProperty("java.class.path"),
              "-XX:TieredStopAtLevel=1",
              "io.natswarm.node.cli.Main",
              "nat",
              "--stun",
              stun,
              "--json",
              "--bind",
              "0.0.0.0",
              "--port",
              "6881");
      assertThat(r.status()).as(r.output()).isZero();
      String line =
          r.output().lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElseThrow();
      JsonNode j = new com.fasterxml.jackson.databind.ObjectMapper().readTree(line);
      assertThat(j.get("port_mapping").asText())
          .contains("UDP as " + host.publicAddress() + ":6881 (PCP)")
          .contains("TCP as " + host.publicAddress() + ":6881 (PCP)");
      JsonNode v4 = j.get("families").get(0);
      assertThat(v4.get("verdict").asText()).as(v4.toString()).isEqualTo("probably_reachable");
      assertThat(v4.get("summary").asText()).contains("mapped on the gateway (PCP)");
      assertThat(lab.portForwards(host)).as("released on exit").isEmpty();
    }
  }
}
