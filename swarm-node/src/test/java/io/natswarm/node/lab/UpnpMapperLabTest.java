package io.natswarm.node.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.natswarm.holepunch.portmap.PortMapping;
import io.natswarm.holepunch.portmap.upnp.UpnpConfig;
import io.natswarm.holepunch.portmap.upnp.UpnpMapper;
import io.natswarm.holepunch.portmap.upnp.UpnpStatus;
import io.natswarm.lab.KernelLab;
import io.natswarm.lab.KernelLab.LabHost;
import io.natswarm.lab.KernelLab.NatKind;
import io.natswarm.lab.KernelLab.PortForward;
import io.natswarm.lab.KernelLab.RouterOptions;
import io.natswarm.lab.LabListener;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The UPnP mapper ({@link UpnpMapper}) against miniupnpd 2.3.1 on a real kernel NAT: a JVM in the
 * host's namespace searches with SSDP multicast on its LAN, maps one port for UDP and TCP, and an
 * unsolicited datagram and a TCP connection from the internet then reach the host; after SIGTERM
 * (the mapper's release in a shutdown hook) nothing is left in miniupnpd's chains.
 */
@Timeout(120)
class UpnpMapperLabTest {
  private static final int PORT = 7010;
  private static final Duration WAIT = Duration.ofSeconds(3);

  @Test
  void mapsUdpAndTcpThroughMiniupnpdAndLeavesNothingAfterSigterm() throws Exception {
    String why = KernelLab.unavailableReason();
    assumeTrue(why == null, why);
    try (KernelLab lab = KernelLab.create()) {
      LabHost host =
          lab.addHostBehindNat(RouterOptions.of(NatKind.PORT_RESTRICTED_CONE).withMiniupnpd());
      LabHost internet = lab.addPublicHost();
      String wan = host.publicAddress();
      try (LabListener udp = lab.listenUdp(host, PORT);
          LabListener tcp = lab.listenTcp(host, PORT)) {
        Process probe = lab.startIn(host.namespace(), probeCommand(host.lanAddress()));
        try {
          BufferedReader out =
              new BufferedReader(
                  new InputStreamReader(probe.getInputStream(), StandardCharsets.UTF_8));
          List<String> lines = new ArrayList<>();
          String line = out.readLine();
          while (line != null && !line.startsWith("MAPPED ")) {
            lines.add(line);
            line = out.readLine();
          }
          assertThat(line)
              .as("probe output: %s; miniupnpd: %s", lines, lab.miniupnpdLog(host))
              .isEqualTo("MAPPED UDP " + wan + ":" + PORT + " TCP " + wan + ":" + PORT);
          assertThat(lab.portForwards(host))
              .extracting(
                  PortForward::protocol,
                  PortForward::externalPort,
                  PortForward::internalAddress,
                  PortForward::internalPort)
              .containsExactlyInAnyOrder(
                  tuple("udp", PORT, host.lanAddress(), PORT),
                  tuple("tcp", PORT, host.lanAddress(), PORT));

          lab.sendUdp(internet, 0, wan, PORT, "mapped");
          assertThat(udp.await("mapped", WAIT)).as("%s", udp).isTrue();
          assertThat(lab.tcpConnects(internet, wan, PORT, "mapped", 3)).isTrue();
          assertThat(tcp.await("mapped", WAIT)).as("%s", tcp).isTrue();

          // SIGTERM (ip netns exec execs the JVM itself); Process.destroy would close its output.
          assertThat(probe.toHandle().destroy()).isTrue();
          String rest = out.lines().collect(Collectors.joining("\n")); // until the JVM exits
          assertThat(probe.waitFor(30, TimeUnit.SECONDS)).isTrue();
          assertThat(rest).contains("RELEASED failures=[]");
          assertThat(lab.miniupnpdRules(host)).isEmpty();
          lab.sendUdp(internet, 0, wan, PORT, "released");
          assertThat(lab.tcpConnects(internet, wan, PORT, "released", 1)).isFalse();
          assertThat(udp.await("released", Duration.ofMillis(500))).isFalse();
        } finally {
          probe.destroyForcibly();
        }
      }
    }
  }

  @Test
  void mappingsComeBackAfterTheRouterRebootsAndGoOnSigterm() throws Exception {
    String why = KernelLab.unavailableReason();
    assumeTrue(why == null, why);
    try (KernelLab lab = KernelLab.create()) {
      LabHost host =
          lab.addHostBehindNat(RouterOptions.of(NatKind.PORT_RESTRICTED_CONE).withMiniupnpd());
      // A 6 s lease: renewed every 3 s, so a reboot's loss is repaired within a few seconds.
      Process probe = lab.startIn(host.namespace(), probeCommand(host.lanAddress(), 6));
      try {
        BufferedReader out =
            new BufferedReader(
                new InputStreamReader(probe.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        while (line != null && !line.startsWith("MAPPED ")) {
          line = out.readLine();
        }
        assertThat(line).startsWith("MAPPED UDP ");
        assertThat(lab.portForwards(host)).hasSize(2);

        lab.rebootMiniupnpd(host); // no lease_file: miniupnpd does not restore them itself
        assertThat(lab.portForwards(host)).isEmpty();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (lab.portForwards(host).size() < 2 && System.nanoTime() < deadline) {
          Thread.sleep(200);
        }
        assertThat(lab.portForwards(host))
            .as("miniupnpd: %s", lab.miniupnpdLog(host))
            .extracting(PortForward::protocol, PortForward::externalPort)
            .containsExactlyInAnyOrder(tuple("udp", PORT), tuple("tcp", PORT));

        assertThat(probe.toHandle().destroy()).isTrue();
        String rest = out.lines().collect(Collectors.joining("\n"));
        assertThat(probe.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(rest).contains("MAINTAINED mappings=2").contains("RELEASED failures=[]");
        assertThat(lab.miniupnpdRules(host)).isEmpty();
      } finally {
        probe.destroyForcibly();
      }
    }
  }

  private static String[] probeCommand(String lanAddress) {
    return probeCommand(lanAddress, 3600);
  }

  private static String[] probeCommand(String lanAddress, int leaseSeconds) {
    return new String[] {
      Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-cp",
      System.getProperty("java.class.path"),
      "-Xmx64m",
      "-XX:TieredStopAtLevel=1",
      Probe.class.getName(),
      lanAddress,
      Integer.toString(PORT),
      Integer.toString(leaseSeconds)
    };
  }

  /**
   * Runs in the host's namespace: maps the port with the production settings (SSDP multicast to
   * 239.255.255.250:1900 from the LAN address), prints the mappings, and releases them when the JVM
   * is told to stop.
   */
  static final class Probe {
    private Probe() {}

    public static void main(String[] args) throws Exception {
      UpnpConfig lan = UpnpConfig.forLan(InetAddress.getByName(args[0]));
      int lease = Integer.parseInt(args[2]);
      // The production settings, but the given lease and a retry after 1 s.
      UpnpConfig c =
          new UpnpConfig(
              lan.discoveryTarget(),
              lan.localAddress(),
              lan.discoveryTimeoutMillis(),
              lan.connectTimeoutMillis(),
              lan.readTimeoutMillis(),
              lan.totalTimeoutMillis(),
              lan.maxHeaderBytes(),
              lan.maxBodyBytes(),
              lease,
              1,
              "natswarm lab",
              System::nanoTime);
      UpnpMapper mapper = new UpnpMapper(c);
      int port = Integer.parseInt(args[1]);
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    UpnpStatus r = mapper.release();
                    System.out.println("RELEASED failures=" + r.failures());
                    System.out.flush();
                  }));
      UpnpStatus s = mapper.map(port);
      StringBuilder b = new StringBuilder("MAPPED");
      for (PortMapping m : s.mappings()) {
        b.append(' ')
            .append(m.protocol())
            .append(' ')
            .append(m.external().getAddress().getHostAddress())
            .append(':')
            .append(m.external().getPort());
      }
      System.out.println("STATUS " + s);
      System.out.println(b);
      System.out.flush();
      // What the node's background executor does: maintain at the time the status asks for.
      while (true) {
        long wait = s.nextActionNanos() - System.nanoTime();
        if (wait > 0) {
          Thread.sleep(Math.min(wait / 1_000_000L + 1, 60_000L));
          continue;
        }
        s = mapper.maintain();
        System.out.println(
            "MAINTAINED mappings=" + s.mappings().size() + " failures=" + s.failures());
        System.out.flush();
      }
    }
  }
}
