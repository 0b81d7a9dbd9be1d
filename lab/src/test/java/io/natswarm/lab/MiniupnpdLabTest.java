package io.natswarm.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.natswarm.lab.KernelLab.LabHost;
import io.natswarm.lab.KernelLab.NatKind;
import io.natswarm.lab.KernelLab.PortForward;
import io.natswarm.lab.KernelLab.RouterOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A lab router running miniupnpd 2.3.1 (LAB.md), driven by Debian's clients from the host's
 * namespace: {@code natpmpc} (NAT-PMP, RFC 6886) and {@code upnpc} (UPnP-IGD). After a mapping an
 * unsolicited datagram and a TCP connection from a public host reach the host; after its deletion
 * they do not, and nothing is left in miniupnpd's chains.
 */
@Tag("lab")
class MiniupnpdLabTest {
  private static final Duration WAIT = Duration.ofSeconds(3);

  private static void needsLabAndClients() {
    String reason = KernelLab.unavailableReason();
    Assumptions.assumeTrue(reason == null, reason);
  }

  @Test
  void natPmpMapsUdpAndTcpUntilDeleted() throws Exception {
    needsLabAndClients();
    try (KernelLab lab = KernelLab.create()) {
      LabHost host =
          lab.addHostBehindNat(RouterOptions.of(NatKind.PORT_RESTRICTED_CONE).withMiniupnpd());
      LabHost internet = lab.addPublicHost();
      String wan = host.publicAddress();
      assertThat(lab.miniupnpdRules(host)).isEmpty();
      try (LabListener udp = lab.listenUdp(host, 7000);
          LabListener tcp = lab.listenTcp(host, 7000)) {
        lab.sendUdp(internet, 0, wan, 7000, "before");
        assertThat(lab.tcpConnects(internet, wan, 7000, "before", 1)).isFalse();

        String out = natpmpc(lab, host, "-a", "7000", "7000", "udp", "60");
        assertThat(out)
            .contains("Public IP address : " + wan)
            .contains("Mapped public port 7000 protocol UDP to local port 7000");
        assertThat(natpmpc(lab, host, "-a", "7000", "7000", "tcp", "60"))
            .contains("Mapped public port 7000 protocol TCP to local port 7000");
        assertThat(lab.portForwards(host))
            .extracting(
                PortForward::protocol,
                PortForward::externalPort,
                PortForward::internalAddress,
                PortForward::internalPort)
            .containsExactlyInAnyOrder(
                tuple("udp", 7000, host.lanAddress(), 7000),
                tuple("tcp", 7000, host.lanAddress(), 7000));

        lab.sendUdp(internet, 0, wan, 7000, "mapped");
        assertThat(udp.await("mapped", WAIT)).as("%s", udp).isTrue();
        assertThat(lab.tcpConnects(internet, wan, 7000, "mapped", 3)).isTrue();
        assertThat(tcp.await("mapped", WAIT)).as("%s", tcp).isTrue();

        assertThat(natpmpc(lab, host, "-a", "7000", "7000", "udp", "0")).contains("liftime 0");
        assertThat(natpmpc(lab, host, "-a", "7000", "7000", "tcp", "0")).contains("liftime 0");
        assertThat(lab.miniupnpdRules(host)).isEmpty();
        assertThat(lab.portForwards(host)).isEmpty();
        lab.sendUdp(internet, 0, wan, 7000, "deleted");
        assertThat(lab.tcpConnects(internet, wan, 7000, "deleted", 1)).isFalse();
        assertThat(udp.await("deleted", Duration.ofMillis(500))).isFalse();
        assertThat(udp.lines()).containsExactly("mapped");
        assertThat(tcp.lines()).containsExactly("mapped");
      }
    }
  }

  @Test
  void upnpIgdMapsUdpAndTcpUntilDeletedAndOnlyForTheAskingHost() throws Exception {
    needsLabAndClients();
    try (KernelLab lab = KernelLab.create()) {
      LabHost host =
          lab.addHostBehindNat(RouterOptions.of(NatKind.PORT_RESTRICTED_CONE).withMiniupnpd());
      LabHost internet = lab.addPublicHost();
      String wan = host.publicAddress();
      try (LabListener udp = lab.listenUdp(host, 7001);
          LabListener tcp = lab.listenTcp(host, 7001)) {
        assertThat(upnpc(lab, host, "-a", host.lanAddress(), "7001", "7001", "UDP"))
            .contains("ExternalIPAddress = " + wan)
            .contains("external " + wan + ":7001 UDP is redirected to internal");
        assertThat(upnpc(lab, host, "-a", host.lanAddress(), "7001", "7001", "TCP"))
            .contains("external " + wan + ":7001 TCP is redirected to internal");
        // secure_mode: a host may not map a port to another LAN address (UPnP error 718).
        String other = host.lanAddress().substring(0, host.lanAddress().lastIndexOf('.')) + ".3";
        String refused = upnpc(lab, host, "-a", other, "7002", "7002", "TCP");
        assertThat(refused).doesNotContain("is redirected").contains("718");
        assertThat(lab.portForwards(host))
            .extracting(PortForward::protocol, PortForward::externalPort)
            .containsExactlyInAnyOrder(tuple("udp", 7001), tuple("tcp", 7001));

        lab.sendUdp(internet, 0, wan, 7001, "mapped");
        assertThat(udp.await("mapped", WAIT)).as("%s", udp).isTrue();
        assertThat(lab.tcpConnects(internet, wan, 7001, "mapped", 3)).isTrue();
        assertThat(tcp.await("mapped", WAIT)).as("%s", tcp).isTrue();

        assertThat(upnpc(lab, host, "-d", "7001", "UDP")).contains("returned : 0");
        assertThat(upnpc(lab, host, "-d", "7001", "TCP")).contains("returned : 0");
        assertThat(lab.miniupnpdRules(host)).isEmpty();
        lab.sendUdp(internet, 0, wan, 7001, "deleted");
        assertThat(lab.tcpConnects(internet, wan, 7001, "deleted", 1)).isFalse();
        assertThat(udp.await("deleted", Duration.ofMillis(500))).isFalse();
      }
    }
  }

  @Test
  void aRebootForgetsTheMappingsAndStartsANewEpoch() throws Exception {
    needsLabAndClients();
    try (KernelLab lab = KernelLab.create()) {
      LabHost host =
          lab.addHostBehindNat(RouterOptions.of(NatKind.PORT_RESTRICTED_CONE).withMiniupnpd());
      long pid = lab.miniupnpdPid(host);
      Thread.sleep(2000);
      long before = epoch(natpmpc(lab, host, "-a", "7003", "7003", "udp", "60"));
      assertThat(lab.portForwards(host)).hasSize(1);
      lab.rebootMiniupnpd(host);
      assertThat(lab.miniupnpdPid(host)).isNotEqualTo(pid);
      assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
      assertThat(lab.miniupnpdRules(host)).isEmpty();
      long after = epoch(natpmpc(lab, host, "-a", "7003", "7003", "udp", "60"));
      assertThat(after).isLessThan(before);
      assertThat(lab.portForwards(host)).hasSize(1);
    }
  }

  @Test
  void behindAFilteringCarrierNatMiniupnpdSeesTheCarriersAddressAndMapsNothing() throws Exception {
    needsLabAndClients();
    try (KernelLab lab = KernelLab.create()) {
      LabHost host =
          lab.addHostBehindCarrierNat(
              RouterOptions.of(NatKind.PORT_RESTRICTED_CONE).withMiniupnpd(),
              RouterOptions.of(NatKind.PORT_RESTRICTED_CONE));
      // Its own STUN test told miniupnpd the public address (the carrier's) and that the
      // carrier's NAT filters, so it refuses to forward: NAT-PMP and UPnP-IGD both fail.
      KernelLab.Result pmp =
          lab.execIn(
              host.namespace(),
              15,
              "timeout",
              "10",
              "natpmpc",
              "-g",
              host.gateway(),
              "-a",
              "7004",
              "7004",
              "udp",
              "60");
      assertThat(pmp.output()).contains("Public IP address : " + host.publicAddress());
      assertThat(pmp.output()).doesNotContain("Mapped public port");
      String igd = upnpc(lab, host, "-a", host.lanAddress(), "7004", "7004", "TCP");
      assertThat(igd).contains("ExternalIPAddress = " + host.publicAddress());
      assertThat(igd).doesNotContain("is redirected").contains("failed with code");
      assertThat(lab.miniupnpdRules(host)).isEmpty();
    }
  }

  @Test
  void closeEndsMiniupnpdAndRemovesEverythingEvenWhenATestFails() throws Exception {
    needsLabAndClients();
    KernelLab lab = KernelLab.create();
    long pid = -1;
    String prefix = lab.prefix();
    try (lab) {
      LabHost host =
          lab.addHostBehindNat(RouterOptions.of(NatKind.FULL_CONE).withMiniupnpd().withLoss(1));
      pid = lab.miniupnpdPid(host);
      assertThat(namespacesStartingWith(prefix)).hasSize(4); // pub, srv, router, host
      assertThat(tempFilesStartingWith(prefix)).hasSize(1);
      throw new IllegalStateException("a failing test");
    } catch (IllegalStateException expected) {
      // close() ran first.
    }
    assertThat(pid).isPositive();
    assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
    assertThat(namespacesStartingWith(prefix)).isEmpty();
    assertThat(tempFilesStartingWith(prefix)).isEmpty();
  }

  private static List<String> namespacesStartingWith(String prefix) throws IOException {
    Process p = new ProcessBuilder("ip", "netns", "list").redirectErrorStream(true).start();
    String out =
        new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    List<String> names = new ArrayList<>();
    for (String line : out.split("\n", -1)) {
      if (line.startsWith(prefix + "-")) {
        names.add(line.split(" ", -1)[0]);
      }
    }
    return names;
  }

  private static List<java.nio.file.Path> tempFilesStartingWith(String prefix) throws IOException {
    try (java.util.stream.Stream<java.nio.file.Path> files =
        java.nio.file.Files.list(java.nio.file.Path.of(System.getProperty("java.io.tmpdir")))) {
      return files.filter(f -> f.getFileName().toString().startsWith(prefix + "-")).toList();
    }
  }

  @Test
  void pcpMapsUntilDeletedWithTheMappingsNonce() throws Exception {
    needsLabAndClients();
    try (KernelLab lab = KernelLab.create()) {
      LabHost host =
          lab.addHostBehindNat(RouterOptions.of(NatKind.PORT_RESTRICTED_CONE).withMiniupnpd());
      LabHost internet = lab.addPublicHost();
      String wan = host.publicAddress();
      byte[] nonce = "natswarm-lab".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      try (LabListener udp = lab.listenUdp(host, 7005)) {
        ByteBuffer answer = pcp(lab, host, nonce, 60);
        assertThat(answer.get(1) & 0xff).isEqualTo(0x81); // a MAP response
        assertThat(answer.get(3)).isZero(); // SUCCESS
        assertThat(answer.getShort(24 + 18) & 0xffff).isEqualTo(7005); // the assigned port
        byte[] external = new byte[4];
        answer.get(24 + 32, external);
        assertThat(java.net.InetAddress.getByAddress(external).getHostAddress()).isEqualTo(wan);
        lab.sendUdp(internet, 0, wan, 7005, "mapped");
        assertThat(udp.await("mapped", WAIT)).as("%s", udp).isTrue();

        // RFC 6887 section 15: a delete with another nonce is refused (NOT_AUTHORIZED).
        byte[] other = "another-one!".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertThat(pcp(lab, host, other, 0).get(3)).isEqualTo((byte) 2);
        assertThat(lab.portForwards(host)).hasSize(1);
        assertThat(pcp(lab, host, nonce, 0).get(3)).isZero();
        assertThat(lab.miniupnpdRules(host)).isEmpty();
        lab.sendUdp(internet, 0, wan, 7005, "deleted");
        assertThat(udp.await("deleted", Duration.ofMillis(500))).isFalse();
      }
    }
  }

  /** A PCP MAP request for UDP port 7005 (RFC 6887 sections 7.1 and 11.1) and its answer. */
  private static ByteBuffer pcp(KernelLab lab, LabHost host, byte[] nonce, int lifetime)
      throws IOException {
    ByteBuffer b = ByteBuffer.allocate(60);
    b.put((byte) 2).put((byte) 1).putShort((short) 0).putInt(lifetime);
    b.put(new byte[10]).putShort((short) 0xffff);
    b.put(java.net.InetAddress.getByName(host.lanAddress()).getAddress());
    b.put(nonce).put((byte) 17).put(new byte[3]).putShort((short) 7005).putShort((short) 7005);
    b.put(new byte[10]).putShort((short) 0xffff).put(new byte[4]);
    byte[] answer = lab.udpExchange(host, 7006, host.gateway(), KernelLab.NAT_PMP_PORT, b.array());
    assertThat(answer).isNotNull().hasSize(60);
    return ByteBuffer.wrap(answer);
  }

  @Test
  void parsesMiniupnpdsPreroutingRules() {
    PortForward f =
        KernelLab.parsePortForward(
            "iif \"wan0\" @nh,72,8 0x11 th dport 7000 dnat ip to 10.0.1.2:7001");
    assertThat(f.protocol()).isEqualTo("udp");
    assertThat(f.externalPort()).isEqualTo(7000);
    assertThat(f.internalAddress()).isEqualTo("10.0.1.2");
    assertThat(f.internalPort()).isEqualTo(7001);
    PortForward t =
        KernelLab.parsePortForward(
            "iif \"wan0\" @nh,72,8 0x6 th dport 6881 dnat ip to 10.0.3.2:6881");
    assertThat(t.protocol()).isEqualTo("tcp");
    assertThat(t.externalPort()).isEqualTo(6881);
  }

  private static long epoch(String natpmpcOutput) {
    Matcher m = Pattern.compile("epoch = (\\d+)").matcher(natpmpcOutput);
    assertThat(m.find()).as(natpmpcOutput).isTrue();
    return Long.parseLong(m.group(1));
  }

  private static String natpmpc(KernelLab lab, LabHost host, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("timeout", "10", "natpmpc", "-g", host.gateway()));
    cmd.addAll(List.of(args));
    KernelLab.Result r = lab.execIn(host.namespace(), 15, cmd.toArray(String[]::new));
    assertThat(r.status()).as(r.output()).isZero();
    return r.output();
  }

  private static String upnpc(KernelLab lab, LabHost host, String... args) throws IOException {
    List<String> cmd =
        new ArrayList<>(List.of("timeout", "10", "upnpc", "-u", lab.miniupnpdUrl(host)));
    cmd.addAll(List.of(args));
    return lab.execIn(host.namespace(), 15, cmd.toArray(String[]::new)).output();
  }
}
