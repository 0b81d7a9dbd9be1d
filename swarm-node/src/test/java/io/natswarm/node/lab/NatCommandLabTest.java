package io.natswarm.node.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.natswarm.lab.KernelLab;
import io.natswarm.lab.KernelLab.LabHost;
import io.natswarm.lab.KernelLab.NatKind;
import io.natswarm.lab.KernelLab.RouterOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code natswarm nat} against coturn (RFC 5780, two addresses and two ports) on real kernel NATs:
 * behind every {@link NatKind} of the lab (full cone, restricted cone, Linux's default masquerade
 * as port-restricted cone, symmetric with random and with sequential ports), behind carrier NATs
 * (RFC 6598) in front of home NATs, and on a public host. The classification (mapping, filtering,
 * external address) must agree with what each router is built to do.
 */
@Timeout(240)
class NatCommandLabTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void classifiesEachKernelNatAgainstCoturn() throws Exception {
    String why = KernelLab.unavailableReason();
    assumeTrue(why == null, why);
    try (KernelLab lab = KernelLab.create()) {
      String stun;
      try {
        stun = lab.addStunServer();
      } catch (IOException e) {
        assumeTrue(false, "no STUN server: " + e.getMessage());
        return;
      }
      LabHost full = lab.addHostBehindNat(NatKind.FULL_CONE);
      LabHost restricted = lab.addHostBehindNat(NatKind.RESTRICTED_CONE);
      LabHost cone = lab.addHostBehindNat(NatKind.PORT_RESTRICTED_CONE);
      LabHost symmetric = lab.addHostBehindNat(NatKind.SYMMETRIC);
      LabHost sequential = lab.addHostBehindNat(NatKind.SYMMETRIC_SEQUENTIAL);
      LabHost carrierCone =
          lab.addHostBehindCarrierNat(NatKind.PORT_RESTRICTED_CONE, NatKind.PORT_RESTRICTED_CONE);
      LabHost carrierFull = lab.addHostBehindCarrierNat(NatKind.FULL_CONE, NatKind.FULL_CONE);
      LabHost carrierSymmetric =
          lab.addHostBehindCarrierNat(NatKind.FULL_CONE, NatKind.SYMMETRIC_SEQUENTIAL);
      LabHost open = lab.addPublicHost();
      LabHost mapped =
          lab.addHostBehindNat(RouterOptions.of(NatKind.PORT_RESTRICTED_CONE).withMiniupnpd());
      LabHost carrierMapped =
          lab.addHostBehindCarrierNat(
              RouterOptions.of(NatKind.PORT_RESTRICTED_CONE).withMiniupnpd(),
              RouterOptions.of(NatKind.PORT_RESTRICTED_CONE));
      List<LabHost> hosts =
          List.of(
              full,
              restricted,
              cone,
              symmetric,
              sequential,
              carrierCone,
              carrierFull,
              carrierSymmetric,
              open,
              mapped,
              carrierMapped);
      Map<LabHost, Process> runs = new LinkedHashMap<>();
      List<Process> all = new ArrayList<>();
      try {
        for (LabHost h : hosts) {
          Process p = nat(h, stun);
          runs.put(h, p);
          all.add(p);
        }
        Map<LabHost, JsonNode> verdicts = new LinkedHashMap<>();
        for (Map.Entry<LabHost, Process> e : runs.entrySet()) {
          Process p = e.getValue();
          assertThat(p.waitFor(150, TimeUnit.SECONDS)).isTrue();
          String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
          String err = Files.readString(dir.resolve(e.getKey().namespace() + ".err"));
          assertThat(p.exitValue()).as(out + err).isZero();
          verdicts.put(e.getKey(), JSON.readTree(out.strip()));
          System.out.println(describe(e.getKey()) + ": " + out.strip()); // the closing note's table
        }

        // Behind every kind of NAT, the classification is what the router is built to do.
        for (LabHost h : hosts) {
          JsonNode v = verdicts.get(h);
          String what = describe(h) + ": " + v;
          assertThat(v.get("mapping").asText())
              .as(what)
              .isEqualTo(h.expectedMapping().name().toLowerCase(Locale.ROOT));
          assertThat(v.get("filtering").asText())
              .as(what)
              .isEqualTo(
                  h.equals(mapped) // the mapping lets everyone in: what STUN sees after it
                      ? "endpoint_independent"
                      : h.expectedFiltering().name().toLowerCase(Locale.ROOT));
          String external = v.get("external").asText();
          assertThat(external).as(what).startsWith(h.publicAddress() + ":");
          int port = Integer.parseInt(external.substring(external.lastIndexOf(':') + 1));
          if (h.nat() == NatKind.SYMMETRIC_SEQUENTIAL
              || h.carrierNat() == NatKind.SYMMETRIC_SEQUENTIAL) {
            assertThat(port)
                .as(what)
                .isBetween(
                    NatKind.SEQUENTIAL_FIRST_PORT,
                    NatKind.SEQUENTIAL_FIRST_PORT + NatKind.SEQUENTIAL_PORTS - 1);
          } else if (h.expectedMapping() != KernelLab.Mapping.ADDRESS_AND_PORT_DEPENDENT) {
            assertThat(port).as(what).isEqualTo(6881); // Linux keeps the port when it is free
          }
        }

        // Per transport: a mapping opens both; a full cone lets UDP in and nothing maps TCP;
        // a public address needs nothing; a plain NAT stops both.
        assertThat(transports(verdicts.get(mapped)))
            .containsExactly("µTP=probably_reachable", "TCP=probably_reachable");
        assertThat(transports(verdicts.get(full)))
            .containsExactly("µTP=probably_reachable", "TCP=not_reachable");
        assertThat(transports(verdicts.get(open)))
            .containsExactly("µTP=probably_reachable", "TCP=probably_reachable");
        assertThat(transports(verdicts.get(cone)))
            .containsExactly("µTP=not_reachable", "TCP=not_reachable");

        JsonNode c = verdicts.get(cone);
        assertThat(c.get("external").asText()).isEqualTo(cone.publicAddress() + ":6881");
        assertThat(c.get("mapping").asText()).isEqualTo("endpoint_independent");
        assertThat(c.get("filtering").asText()).isEqualTo("address_and_port_dependent");
        assertThat(c.get("verdict").asText())
            .contains("forward port 6881 (UDP and TCP) to " + cone.lanAddress());
        assertThat(c.get("families").get(0).get("verdict").asText()).isEqualTo("not_reachable");

        JsonNode s = verdicts.get(symmetric);
        assertThat(s.get("external").asText()).startsWith(symmetric.publicAddress() + ":");
        assertThat(s.get("mapping").asText()).isEqualTo("address_and_port_dependent");
        assertThat(s.get("filtering").asText()).isEqualTo("address_and_port_dependent");
        assertThat(s.get("families").get(0).get("advice").toString()).contains("symmetric");

        JsonNode o = verdicts.get(open);
        assertThat(o.get("external").asText()).isEqualTo(open.publicAddress() + ":6881");
        assertThat(o.get("mapping").asText()).isEqualTo("no_nat");
        assertThat(o.get("filtering").asText()).isEqualTo("endpoint_independent");
        assertThat(o.get("families").get(0).get("verdict").asText())
            .isEqualTo("probably_reachable");

        // A gateway with miniupnpd maps the port (PCP first), so the verdict is hopeful; behind
        // a carrier NAT the same gateway cannot map (its STUN finds the carrier's address), and
        // the verdict says a NAT is in front with what to check.
        JsonNode m = verdicts.get(mapped);
        assertThat(m.get("port_mapping").asText()).as(m.toString()).contains("(PCP)");
        assertThat(m.get("families").get(0).get("verdict").asText())
            .isEqualTo("probably_reachable");
        JsonNode cm = verdicts.get(carrierMapped);
        assertThat(cm.get("port_mapping").asText()).as(cm.toString()).startsWith("no mapping");
        assertThat(cm.get("families").get(0).get("verdict").asText()).isEqualTo("not_reachable");
        assertThat(cm.get("verdict").asText()).contains("a second NAT");
        JsonNode plain = verdicts.get(cone);
        assertThat(plain.get("port_mapping").asText())
            .as("a router without a mapping service")
            .doesNotContain("mapped:");
      } finally {
        for (Process p : all) {
          p.destroyForcibly();
        }
      }
    }
  }

  /** The IPv4 family's verdict per transport, as "µTP=verdict". */
  private static List<String> transports(JsonNode v) {
    List<String> out = new ArrayList<>();
    for (JsonNode t : v.get("families").get(0).get("transports")) {
      out.add(t.get("transport").asText() + "=" + t.get("verdict").asText());
    }
    return out;
  }

  private static String describe(LabHost h) {
    if (h.nat() == null) {
      return "public";
    }
    return h.carrierNat() == null
        ? h.nat().toString()
        : h.nat() + " behind carrier " + h.carrierNat();
  }

  private Process nat(LabHost host, String stun) throws IOException {
    Path home = Files.createDirectories(dir.resolve("home-" + host.namespace()));
    List<String> cmd = new ArrayList<>();
    cmd.addAll(List.of("ip", "netns", "exec", host.namespace(), "env", "HOME=" + home));
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "-Xmx128m"));
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("io.natswarm.node.cli.Main");
    cmd.addAll(List.of("nat", "--stun", stun, "--json", "--bind", "0.0.0.0", "--port", "6881"));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().keySet().removeIf(k -> k.startsWith("NATSWARM_"));
    pb.redirectError(dir.resolve(host.namespace() + ".err").toFile());
    return pb.start();
  }
}
