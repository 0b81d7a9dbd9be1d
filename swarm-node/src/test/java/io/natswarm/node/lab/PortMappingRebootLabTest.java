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
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11's proof that the node keeps its port mapped when the gateway forgets it: a {@code
 * natswarm share} node behind a port-restricted NAT whose router runs miniupnpd, asking for 120 s
 * mappings ({@code nat.port_mapping_lifetime}), so that it renews them 60 to 75 s after each grant.
 *
 * <ul>
 *   <li>The router reboots (miniupnpd's rules flushed, miniupnpd started again with a new epoch):
 *       nothing from the internet gets in; at the next renewal the node sees the epoch went back
 *       (RFC 6887 section 8.5), counts a gateway restart in its status, and maps both protocols
 *       again, after which an unsolicited datagram and a TCP connection from the internet reach it.
 *   <li>The router loses the mappings while miniupnpd keeps running (its epoch goes on): the next
 *       renewal alone brings them back, and no restart is counted.
 * </ul>
 */
@Timeout(240)
class PortMappingRebootLabTest {
  private static final byte[] DHT_PING =
      "d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe"
          .getBytes(StandardCharsets.US_ASCII);
  private static final int LIFETIME_SECONDS = 120;

  /** A renewal comes at 5/8 of the lifetime at the latest (75 s), plus slack for a busy machine. */
  private static final long REMAP_WITHIN_SECONDS = 90;

  /**
   * How long the mapping is held before the reboot. PCP tells a restart by the server's epoch
   * moving differently from the client's clock by more than 2 s and 1/16 (RFC 6887 section 8.5): up
   * to about 7 s at a 75 s renewal. A reboot right after the grant would hide in that slack.
   */
  private static final long HOLD_BEFORE_REBOOT_SECONDS = 10;

  @TempDir Path dir;

  @Test
  void afterTheRouterRebootsTheNodeNoticesTheNewEpochAndMapsItsPortAgain() throws Exception {
    String why = KernelLab.unavailableReason();
    assumeTrue(why == null, why);
    try (KernelLab lab = KernelLab.create();
        LabNodes nodes = new LabNodes(lab, dir)) {
      LabHost host =
          lab.addHostBehindNat(RouterOptions.of(NatKind.PORT_RESTRICTED_CONE).withMiniupnpd());
      LabHost internet = lab.addPublicHost();
      startMappingNode(nodes, host);
      JsonNode mapped = awaitMapped(nodes, host);
      assertThat(mapped.get("gatewayRestarts").asLong()).isZero();
      assertReachedFromTheInternet(lab, host, internet);

      Thread.sleep(TimeUnit.SECONDS.toMillis(HOLD_BEFORE_REBOOT_SECONDS));
      long rebootedAt = System.nanoTime();
      lab.rebootMiniupnpd(host);
      assertThat(lab.portForwards(host)).as("a rebooted router has forgotten them").isEmpty();
      assertNothingGetsIn(lab, host, internet);

      double seconds = awaitForwards(lab, nodes, host, rebootedAt);
      System.out.printf("PortMappingRebootLabTest: re-mapped %.1f s after the reboot%n", seconds);
      JsonNode after = awaitGatewayRestarts(nodes, host, 1);
      assertThat(after.get("mappings"))
          .extracting(m -> m.get("protocol").asText() + " " + m.get("external").asText())
          .containsExactlyInAnyOrder(
              "UDP " + host.publicAddress() + ":" + LabNodes.PORT,
              "TCP " + host.publicAddress() + ":" + LabNodes.PORT);
      assertReachedFromTheInternet(lab, host, internet);
    }
  }

  @Test
  void mappingsTheRouterLostWithoutRestartingComeBackAtTheNextRenewal() throws Exception {
    String why = KernelLab.unavailableReason();
    assumeTrue(why == null, why);
    try (KernelLab lab = KernelLab.create();
        LabNodes nodes = new LabNodes(lab, dir)) {
      LabHost host =
          lab.addHostBehindNat(RouterOptions.of(NatKind.PORT_RESTRICTED_CONE).withMiniupnpd());
      LabHost internet = lab.addPublicHost();
      startMappingNode(nodes, host);
      awaitMapped(nodes, host);
      long pid = lab.miniupnpdPid(host);

      long lostAt = System.nanoTime();
      lab.flushMiniupnpdRules(host);
      assertThat(lab.portForwards(host)).isEmpty();
      assertNothingGetsIn(lab, host, internet);

      double seconds = awaitForwards(lab, nodes, host, lostAt);
      System.out.printf(
          "PortMappingRebootLabTest: re-mapped %.1f s after the rules were flushed%n", seconds);
      assertReachedFromTheInternet(lab, host, internet);
      assertThat(lab.miniupnpdPid(host)).as("the same miniupnpd all along").isEqualTo(pid);
      assertThat(nodes.status(host).get("reachability").get("gatewayRestarts").asLong())
          .as("the epoch went on: no restart")
          .isZero();
    }
  }

  private void startMappingNode(LabNodes nodes, LabHost host) throws Exception {
    Path file = Payload.write(dir.resolve("mapped.bin"), 1 << 20, 12);
    nodes.start(
        host,
        "node",
        List.of("share", file.toString()),
        "--set",
        "nat.port_mapping=true",
        "--set",
        "nat.port_mapping_lifetime=" + LIFETIME_SECONDS);
    nodes.awaitStatus(host);
  }

  /** Waits up to 60 s for the node's status to show both mappings; its reachability section. */
  private static JsonNode awaitMapped(LabNodes nodes, LabHost host) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      JsonNode s = nodes.status(host);
      if (s != null && s.path("reachability").path("mappings").size() == 2) {
        JsonNode r = s.get("reachability");
        assertThat(r.get("mappings").get(0).get("via").asText()).isEqualTo("PCP");
        return r;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("no two mappings within 60 s; log:\n" + nodes.log("node"));
  }

  /**
   * Polls the router until it forwards the node's port for UDP and TCP again, at most {@link
   * #REMAP_WITHIN_SECONDS} after {@code sinceNanos}; the seconds it took.
   */
  private static double awaitForwards(KernelLab lab, LabNodes nodes, LabHost host, long sinceNanos)
      throws Exception {
    long deadline = sinceNanos + TimeUnit.SECONDS.toNanos(REMAP_WITHIN_SECONDS);
    List<PortForward> forwards = List.of();
    while (System.nanoTime() < deadline) {
      forwards = lab.portForwards(host);
      if (forwards.size() == 2) {
        break;
      }
      Thread.sleep(500);
    }
    double seconds = (System.nanoTime() - sinceNanos) / 1e9;
    assertThat(forwards)
        .as(
            "forwards %.1f s later (%s); node log:%n%s%nminiupnpd log:%n%s",
            seconds, lab.miniupnpdRules(host), nodes.log("node"), lab.miniupnpdLog(host))
        .extracting(
            PortForward::protocol,
            PortForward::externalPort,
            PortForward::internalAddress,
            PortForward::internalPort)
        .containsExactlyInAnyOrder(forward(host, "udp"), forward(host, "tcp"));
    return seconds;
  }

  private static Tuple forward(LabHost host, String protocol) {
    return tuple(protocol, LabNodes.PORT, host.lanAddress(), LabNodes.PORT);
  }

  /** Waits up to 10 s for the status to count {@code restarts}; its reachability section. */
  private static JsonNode awaitGatewayRestarts(LabNodes nodes, LabHost host, long restarts)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    JsonNode r = null;
    while (System.nanoTime() < deadline) {
      JsonNode s = nodes.status(host);
      r = s == null ? r : s.get("reachability");
      if (r != null && r.get("gatewayRestarts").asLong() == restarts) {
        return r;
      }
      Thread.sleep(200);
    }
    assertThat(r).as("status").isNotNull();
    assertThat(r.get("gatewayRestarts").asLong()).as(r.toString()).isEqualTo(restarts);
    return r;
  }

  private static void assertReachedFromTheInternet(KernelLab lab, LabHost host, LabHost internet)
      throws Exception {
    byte[] pong = lab.udpExchange(internet, 0, host.publicAddress(), LabNodes.PORT, DHT_PING);
    assertThat(pong).as("the node's DHT answers a ping from the internet").isNotNull();
    assertThat(new String(pong, StandardCharsets.ISO_8859_1)).contains("1:y1:r");
    assertThat(lab.tcpConnects(internet, host.publicAddress(), LabNodes.PORT, "hello", 3))
        .as("a TCP connection from the internet")
        .isTrue();
  }

  private static void assertNothingGetsIn(KernelLab lab, LabHost host, LabHost internet)
      throws Exception {
    assertThat(lab.udpExchange(internet, 0, host.publicAddress(), LabNodes.PORT, DHT_PING))
        .as("no datagram gets in without the mapping")
        .isNull();
    assertThat(lab.tcpConnects(internet, host.publicAddress(), LabNodes.PORT, "hello", 3))
        .as("no TCP connection gets in without the mapping")
        .isFalse();
  }
}
