package io.natswarm.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.natswarm.lab.KernelLab.LabHost;
import io.natswarm.lab.KernelLab.NatKind;
import io.natswarm.lab.KernelLab.RouterOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A router built with {@link RouterOptions#withDelay} delays its WAN link (a TAP link with a
 * userspace forwarder, since this kernel has no netem): round trips through it take twice the
 * delay, jitter spreads them, TCP and UDP still cross the NAT as before, loss still applies, and
 * {@link KernelLab#close()} ends the forwarder and deletes the namespaces.
 */
@Tag("lab")
class DelayLabTest {
  private static final String P1 = "203.0.113.101";
  private static final String P2 = "203.0.113.102";
  private static final Pattern RTT = Pattern.compile("time=(\\d+(?:\\.\\d+)?) ms");

  @BeforeAll
  static void needsRoot() {
    String reason = KernelLab.unavailableReason();
    Assumptions.assumeTrue(reason == null, reason);
  }

  @Test
  void optionsCarryAndCheckTheDelay() {
    RouterOptions o = RouterOptions.of(NatKind.FULL_CONE).withDelay(40, 5).withLoss(10);
    assertThat(o.delayMs()).isEqualTo(40);
    assertThat(o.jitterMs()).isEqualTo(5);
    assertThat(o.lossPerMille()).isEqualTo(10);
    assertThat(o.withMiniupnpd().withUdpTimeout(3).withTcpTimeout(4).delayMs()).isEqualTo(40);
    assertThat(new RouterOptions(NatKind.SYMMETRIC, 1, 2, 3, false).delayMs()).isZero();
    assertThat(RouterOptions.of(NatKind.FULL_CONE).jitterMs()).isZero();
    assertThatThrownBy(() -> RouterOptions.of(NatKind.FULL_CONE).withDelay(-1, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RouterOptions.of(NatKind.FULL_CONE).withDelay(10, -1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> RouterOptions.of(NatKind.FULL_CONE).withDelay(RouterOptions.MAX_DELAY_MS + 1, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aRoundTripTakesTwiceTheDelay() throws Exception {
    try (KernelLab lab = KernelLab.create()) {
      LabHost delayed =
          lab.addHostBehindNat(RouterOptions.of(NatKind.PORT_RESTRICTED_CONE).withDelay(40, 0));
      LabHost clean = lab.addHostBehindNat(NatKind.PORT_RESTRICTED_CONE);
      lab.addPublicHost();
      assertThat(lab.tapLinkPid(delayed.router())).isPresent();
      assertThat(lab.tapLinkPid(clean.router())).isEmpty();
      // wan0 is a TAP device, not a veth.
      assertThat(lab.execIn(delayed.router(), 5, "ip", "-d", "link", "show", "wan0").output())
          .contains("tun type tap");
      List<Double> rtts = pingTimes(lab, delayed, P1, 11, "0.1");
      assertThat(rtts).hasSizeGreaterThanOrEqualTo(10);
      double median = median(rtts);
      System.out.printf("DelayLabTest: 40 ms each way, RTTs %s, median %.2f ms%n", rtts, median);
      assertThat(median).isGreaterThanOrEqualTo(78.0).isLessThan(130.0);
      // Every echo waits 40 ms each way; none overtakes the link.
      assertThat(Collections.min(rtts)).isGreaterThanOrEqualTo(78.0);
      assertThat(median(pingTimes(lab, clean, P1, 5, "0.1"))).isLessThan(20.0);
    }
  }

  @Test
  void jitterSpreadsRoundTripsAboveTheDelay() throws Exception {
    try (KernelLab lab = KernelLab.create()) {
      LabHost host = lab.addHostBehindNat(RouterOptions.of(NatKind.FULL_CONE).withDelay(20, 20));
      lab.addPublicHost();
      List<Double> rtts = pingTimes(lab, host, P1, 21, "0.05");
      assertThat(rtts).hasSizeGreaterThanOrEqualTo(20);
      double median = median(rtts);
      System.out.printf("DelayLabTest: 20 ms + 0-20 ms each way, median %.2f ms%n", median);
      assertThat(Collections.min(rtts)).isGreaterThanOrEqualTo(38.0);
      assertThat(median).isLessThan(2 * 20 + 20 + 50.0);
      // Two uniform 0-20 ms draws per round trip: 21 round trips within 5 ms of each other would
      // mean the jitter is not applied.
      assertThat(Collections.max(rtts) - Collections.min(rtts)).isGreaterThan(5.0);
    }
  }

  @Test
  void theNatMapsAsBeforeBehindADelay() throws Exception {
    try (KernelLab lab = KernelLab.create()) {
      LabHost host =
          lab.addHostBehindNat(RouterOptions.of(NatKind.PORT_RESTRICTED_CONE).withDelay(30, 5));
      LabHost p1 = lab.addPublicHost();
      LabHost p2 = lab.addPublicHost();
      lab.startUdpReflector(p1, 5000);
      lab.startUdpReflector(p2, 5000);
      // The reflexive address is the router's WAN address with the host's port, towards either
      // reflector (endpoint-independent mapping, as without delay).
      assertThat(lab.reflexiveAddress(host, 7781, P1, 5000))
          .isEqualTo(host.publicAddress() + ":7781");
      assertThat(lab.reflexiveAddress(host, 7781, P2, 5000))
          .isEqualTo(host.publicAddress() + ":7781");
      // Port-restricted filtering too: through a mapping towards P1:5000, only P1:5000 gets in.
      // The link keeps the order of each direction, so what was sent before "solicited" and let
      // in has arrived by the time it has.
      assertThat(lab.reflexiveAddress(host, 7782, P1, 5000))
          .isEqualTo(host.publicAddress() + ":7782");
      try (LabListener in = lab.listenUdp(host, 7782)) {
        lab.sendUdp(p2, 5001, host.publicAddress(), 7782, "other-address");
        lab.sendUdp(p1, 5001, host.publicAddress(), 7782, "other-port");
        lab.sendUdp(p1, 5000, host.publicAddress(), 7782, "solicited");
        assertThat(in.await("solicited", Duration.ofSeconds(3))).as("%s", in).isTrue();
        Thread.sleep(200);
        assertThat(in.lines()).containsExactly("solicited");
      }
    }
  }

  @Test
  void tcpConnectsThroughADelayedNat() throws Exception {
    try (KernelLab lab = KernelLab.create()) {
      LabHost host = lab.addHostBehindNat(RouterOptions.of(NatKind.SYMMETRIC).withDelay(40, 10));
      LabHost p1 = lab.addPublicHost();
      try (LabListener in = lab.listenTcp(p1, 6000)) {
        assertThat(lab.tcpConnects(host, P1, 6000, "over a slow link", 5)).isTrue();
        assertThat(in.await("over a slow link", Duration.ofSeconds(5))).isTrue();
      }
    }
  }

  @Test
  void delayAndLossTogether() throws Exception {
    try (KernelLab lab = KernelLab.create()) {
      LabHost host =
          lab.addHostBehindNat(RouterOptions.of(NatKind.FULL_CONE).withDelay(20, 0).withLoss(100));
      lab.addPublicHost();
      // 10 % each way on the TAP wan0: about 81 of 100 echoes come back (sd 4).
      List<Double> rtts = pingTimes(lab, host, P1, 100, "0.01");
      System.out.printf("DelayLabTest: 20 ms and 10 %% loss each way, %d of 100%n", rtts.size());
      assertThat(rtts.size()).isBetween(55, 97);
      assertThat(Collections.min(rtts)).isGreaterThanOrEqualTo(38.0);
    }
  }

  @Test
  void carrierAndDualStackRoutersTakeADelay() throws Exception {
    try (KernelLab lab = KernelLab.create()) {
      LabHost behindCarrier =
          lab.addHostBehindCarrierNat(
              RouterOptions.of(NatKind.FULL_CONE).withDelay(10, 0),
              RouterOptions.of(NatKind.PORT_RESTRICTED_CONE).withDelay(15, 0));
      LabHost dual =
          lab.addDualStackHostBehindNat(RouterOptions.of(NatKind.FULL_CONE).withDelay(25, 0));
      LabHost p1 = lab.addPublicHost();
      assertThat(lab.tapLinkPid(behindCarrier.router())).isPresent();
      assertThat(lab.tapLinkPid(behindCarrier.carrierRouter())).isPresent();
      // Both links on the way: (10 + 15) ms each way.
      List<Double> carrierRtts = pingTimes(lab, behindCarrier, P1, 7, "0.1");
      double carrierRtt = median(carrierRtts);
      assertThat(carrierRtt).as("%s", carrierRtts).isGreaterThanOrEqualTo(48.0).isLessThan(100.0);
      // A fresh dual-stack lab takes 1 to 2 s to resolve its first IPv6 neighbours, with or
      // without a delay (measured): one echo first, so that the round trips measure the link.
      pingTimes(lab, dual, p1.ipv6Address(), 1, "0.1");
      List<Double> v4Rtts = pingTimes(lab, dual, P1, 7, "0.1");
      List<Double> v6Rtts = pingTimes(lab, dual, p1.ipv6Address(), 7, "0.1");
      double v4 = median(v4Rtts);
      double v6 = median(v6Rtts);
      System.out.printf(
          "DelayLabTest: carrier 10+15 ms median %.2f ms; dual-stack 25 ms v4 %.2f ms, v6 %.2f ms%n",
          carrierRtt, v4, v6);
      assertThat(v4).as("%s", v4Rtts).isGreaterThanOrEqualTo(48.0).isLessThan(100.0);
      assertThat(v6).as("%s", v6Rtts).isGreaterThanOrEqualTo(48.0).isLessThan(100.0);
    }
  }

  @Test
  void closeEndsTheForwarderAndDeletesTheNamespaces() throws Exception {
    KernelLab lab = KernelLab.create();
    long pid;
    String prefix = lab.prefix();
    try {
      LabHost host = lab.addHostBehindNat(RouterOptions.of(NatKind.FULL_CONE).withDelay(10, 0));
      pid = lab.tapLinkPid(host.router()).orElseThrow();
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).contains(true);
      assertThat(namespaces()).anyMatch(ns -> ns.startsWith(prefix + "-"));
    } finally {
      lab.close();
    }
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    assertThat(namespaces()).noneMatch(ns -> ns.startsWith(prefix + "-"));
    assertThat(lab.tapLinkPid(prefix + "-r1")).isEmpty();
  }

  private static List<String> namespaces() throws Exception {
    Process p = new ProcessBuilder("ip", "netns", "list").redirectErrorStream(true).start();
    String out =
        new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
    List<String> names = new ArrayList<>();
    for (String line : out.split("\n", -1)) {
      if (!line.isBlank()) {
        names.add(line.strip().split("\\s+", -1)[0]);
      }
    }
    return names;
  }

  /** The round-trip times of the echoes that came back, in milliseconds. */
  private static List<Double> pingTimes(
      KernelLab lab, LabHost from, String to, int count, String interval) throws Exception {
    String out =
        lab.execIn(
                from.namespace(),
                60,
                "ping",
                "-n",
                "-c",
                Integer.toString(count),
                "-i",
                interval,
                "-W",
                "3",
                to)
            .output();
    List<Double> rtts = new ArrayList<>();
    Matcher m = RTT.matcher(out);
    while (m.find()) {
      rtts.add(Double.parseDouble(m.group(1)));
    }
    assertThat(rtts).as(out).isNotEmpty();
    return rtts;
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
