package io.natswarm.node.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.natswarm.lab.KernelLab;
import io.natswarm.lab.KernelLab.LabHost;
import io.natswarm.lab.KernelLab.NatKind;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11: a rogue UPnP device on a real lab LAN gets nothing from the node. Each scenario has its
 * own host behind a kernel NAT without miniupnpd; in the router's namespace (the host's gateway)
 * {@code rogue_igd.py} answers SSDP M-SEARCH on 239.255.255.250:1900 and serves one hostile device
 * description: an external entity at a local file (a FIFO whose opening the device notices), an
 * external DTD, parameter entity and entity at a watched HTTP server, a billion-laughs document, a
 * gigabyte-long description, a control URL on another host, and a device that is not an IGD. The
 * node ({@code natswarm nat --json}, with a 64 MB heap and no STUN server) must fetch the
 * description, then exit normally reporting no mapping with the UPnP failure in words, without
 * opening the file, without any request to the watched server, and without an error on stderr.
 */
@Timeout(180)
class RogueIgdLabTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Each scenario and the words of the UPnP failure the node must report for it. */
  private static final Map<String, String> SCENARIOS =
      Map.of(
          "file", "a document type declaration (DTD), refused",
          "url", "a document type declaration (DTD), refused",
          "laughs", "a document type declaration (DTD), refused",
          "endless", "more than 65536 bytes",
          "foreign-control", "a URL on another host",
          "not-igd", "no WANIPConnection or WANPPPConnection service");

  @TempDir Path dir;

  @Test
  void aRogueDeviceGetsNothingFromTheNode() throws Exception {
    String why = KernelLab.unavailableReason();
    assumeTrue(why == null, why);
    Path script = dir.resolve("rogue_igd.py");
    try (InputStream in = RogueIgdLabTest.class.getResourceAsStream("rogue_igd.py")) {
      Files.write(script, in.readAllBytes());
    }
    List<Process> started = new ArrayList<>();
    try (KernelLab lab = KernelLab.create()) {
      Map<String, LabHost> hosts = new LinkedHashMap<>();
      Map<String, Process> nodes = new LinkedHashMap<>();
      try {
        for (String scenario : SCENARIOS.keySet()) {
          LabHost h = lab.addHostBehindNat(NatKind.PORT_RESTRICTED_CONE);
          hosts.put(scenario, h);
          Path marks = Files.createDirectories(dir.resolve("marks-" + scenario));
          Path fifo = dir.resolve("secret-" + scenario);
          Process mk = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
          assertThat(mk.waitFor(10, TimeUnit.SECONDS)).isTrue();
          assertThat(mk.exitValue()).isZero();
          Process rogue =
              lab.startIn(
                  h.router(),
                  "/usr/bin/python3",
                  script.toString(),
                  h.gateway(),
                  scenario,
                  fifo.toString(),
                  marks.toString(),
                  h.publicAddress());
          started.add(rogue);
          BufferedReader r =
              new BufferedReader(
                  new InputStreamReader(rogue.getInputStream(), StandardCharsets.UTF_8));
          String line = r.readLine();
          assertThat(line).as("rogue device for %s", scenario).isEqualTo("READY");
        }
        for (Map.Entry<String, LabHost> e : hosts.entrySet()) {
          Process p = nat(e.getValue(), e.getKey());
          started.add(p);
          nodes.put(e.getKey(), p);
        }
        for (Map.Entry<String, Process> e : nodes.entrySet()) {
          String scenario = e.getKey();
          Process p = e.getValue();
          assertThat(p.waitFor(90, TimeUnit.SECONDS)).as(scenario).isTrue();
          String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
          String err = Files.readString(dir.resolve(scenario + ".err"));
          Path marks = dir.resolve("marks-" + scenario);
          String what = scenario + ": " + out + err;
          System.out.println(scenario + ": " + out.strip()); // the closing note's table
          assertThat(p.exitValue()).as(what).isZero();
          assertThat(err).as(what).doesNotContain("OutOfMemoryError").doesNotContain("\tat ");
          JsonNode v = JSON.readTree(out.strip());
          String mapping = v.get("port_mapping").asText();
          assertThat(mapping)
              .as(what)
              .contains("UPnP-IGD: ")
              .contains(SCENARIOS.get(scenario))
              .doesNotContain("mapped");
          assertThat(Files.exists(marks.resolve("desc")))
              .as("the node fetched the rogue description: %s", what)
              .isTrue();
          assertThat(Files.exists(marks.resolve("secret-read")))
              .as("the secret file was opened: %s", what)
              .isFalse();
          assertThat(Files.exists(marks.resolve("watched")))
              .as("the watched server got a request: %s", what)
              .isFalse();
        }
      } finally {
        for (Process p : started) {
          p.destroyForcibly();
        }
        for (Process p : started) {
          p.waitFor(10, TimeUnit.SECONDS);
        }
      }
    }
  }

  private Process nat(LabHost host, String scenario) throws IOException {
    Path home = Files.createDirectories(dir.resolve("home-" + scenario));
    List<String> cmd = new ArrayList<>();
    cmd.addAll(List.of("ip", "netns", "exec", host.namespace(), "env", "HOME=" + home));
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "-Xmx64m"));
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("io.natswarm.node.cli.Main");
    cmd.addAll(List.of("nat", "--json", "--bind", "0.0.0.0", "--port", "6881"));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().keySet().removeIf(k -> k.startsWith("NATSWARM_"));
    pb.redirectError(dir.resolve(scenario + ".err").toFile());
    return pb.start();
  }
}
