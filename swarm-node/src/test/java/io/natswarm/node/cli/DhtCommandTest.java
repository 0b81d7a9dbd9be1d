package io.natswarm.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.natswarm.dht.routing.RoutingTableStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code natswarm dht} nodes on loopback only: they bootstrap from each other (never from the
 * public routers), report their tables, save them when stopped, and a restarted node rejoins from
 * its saved table with the same id.
 */
class DhtCommandTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path tmp;

  /** A loopback node's arguments: all nodes are 127.0.0.1, so per-IP limits are off. */
  private static List<String> args(Path state, String... more) {
    List<String> a =
        new ArrayList<>(
            List.of(
                "dht",
                "--bind",
                "127.0.0.1",
                "--port",
                "0",
                "--json",
                "--report-every",
                "200ms",
                "--set",
                "dht.unique_ips=false",
                "--set",
                "dht.max_per_subnet=0",
                "--set",
                "storage.state_dir=" + state));
    a.addAll(List.of(more));
    return a;
  }

  private static Predicate<JsonNode> tableAtLeast(int n) {
    return j ->
        "report".equals(j.path("event").asText()) && j.path("ipv4").path("table_size").asInt() >= n;
  }

  @Test
  void aSecondNodeWithTheSameTableFileIsRefusedWhileTheFirstRuns() throws Exception {
    Path state = tmp.resolve("shared");
    Cli a = new Cli(tmp).start(args(state, "--set", "dht.bootstrap_nodes=").toArray(String[]::new));
    a.awaitJson(Cli.event("started"), WAIT);
    Cli b = new Cli(tmp);
    assertThat(b.run(args(state, "--set", "dht.bootstrap_nodes=").toArray(String[]::new)))
        .isEqualTo(ExitCodes.FAILED);
    assertThat(b.err()).contains("is in use by another running node").doesNotContain("\tat ");
    assertThat(a.stopAndWait(WAIT)).isZero();
    assertThat(state.resolve("dht-routing-table")).exists();
  }

  @Test
  void threeNodesFindEachOtherAndARestartedNodeRejoinsFromItsSavedTable() throws Exception {
    Cli a = new Cli(tmp);
    // no bootstrap nodes at all: an empty list replaces the public routers
    a.start(args(tmp.resolve("a"), "--set", "dht.bootstrap_nodes=").toArray(String[]::new));
    JsonNode started = a.awaitJson(Cli.event("started"), WAIT);
    String first = "127.0.0.1:" + started.get("port").asInt();
    assertThat(a.err()).contains("no bootstrap node");

    Cli b = new Cli(tmp).start(args(tmp.resolve("b"), "--bootstrap", first).toArray(String[]::new));
    JsonNode bStarted = b.awaitJson(Cli.event("started"), WAIT);
    b.awaitJson(tableAtLeast(1), WAIT);
    Cli c = new Cli(tmp).start(args(tmp.resolve("c"), "--bootstrap", first).toArray(String[]::new));
    c.awaitJson(tableAtLeast(2), WAIT);
    a.awaitJson(tableAtLeast(2), WAIT);
    b.awaitJson(tableAtLeast(2), WAIT);

    JsonNode report = c.awaitJson(tableAtLeast(2), WAIT).get("ipv4");
    assertThat(report.get("queries_out").asLong()).isPositive();
    assertThat(report.get("responses_in").asLong()).isPositive();
    assertThat(a.awaitJson(tableAtLeast(2), WAIT).get("ipv4").get("queries_in").asLong())
        .isPositive();

    // stop b: it saves its table (a and c) under its state dir
    assertThat(b.stopAndWait(WAIT)).isZero();
    JsonNode stopped = b.awaitJson(Cli.event("stopped"), WAIT);
    assertThat(stopped.get("saved").get(0).get("nodes").asInt()).isGreaterThanOrEqualTo(2);
    Path table = tmp.resolve("b").resolve("dht-routing-table");
    RoutingTableStore.Loaded saved = RoutingTableStore.decode(Files.readAllBytes(table));
    assertThat(saved.problem()).isEmpty();
    assertThat(saved.nodes()).hasSizeGreaterThanOrEqualTo(2);

    // restarted with no bootstrap node, it rejoins through the saved table, with the same id
    Cli b2 =
        new Cli(tmp)
            .start(args(tmp.resolve("b"), "--set", "dht.bootstrap_nodes=").toArray(String[]::new));
    JsonNode again = b2.awaitJson(Cli.event("started"), WAIT);
    assertThat(again.get("ipv4").get("node_id").asText())
        .isEqualTo(bStarted.get("ipv4").get("node_id").asText());
    assertThat(again.get("ipv4").get("restored_nodes").asInt()).isGreaterThanOrEqualTo(2);
    b2.awaitJson(tableAtLeast(2), WAIT);

    assertThat(b2.stopAndWait(WAIT)).isZero();
    assertThat(c.stopAndWait(WAIT)).isZero();
    assertThat(a.stopAndWait(WAIT)).isZero();
    for (Cli cli : List.of(a, b, c, b2)) {
      assertThat(cli.jsonLines()).isNotEmpty(); // every line of output was JSON
      assertThat(cli.err()).doesNotContain("\tat ");
    }
  }

  @Test
  void runForStopsByItselfAndTextReportsNameTheTable() throws Exception {
    Cli a = new Cli(tmp);
    List<String> argv =
        args(tmp.resolve("t"), "--set", "dht.bootstrap_nodes=", "--run-for", "700ms");
    argv.remove("--json");
    assertThat(a.run(argv.toArray(String[]::new))).isZero();
    assertThat(a.out())
        .contains("natswarm dht: listening on UDP 127.0.0.1:")
        .contains("ipv4: 0 nodes; in 0 datagrams")
        .contains(
            "routing table (0 nodes) saved to " + tmp.resolve("t").resolve("dht-routing-table"));
    assertThat(Files.exists(tmp.resolve("t").resolve("dht-routing-table"))).isTrue();
  }

  @Test
  void aDualStackNodeRunsOneDhtNodePerFamilyAndSavesBothTables() throws Exception {
    Cli a = new Cli(tmp);
    List<String> argv =
        args(
            tmp.resolve("dual"),
            "--set",
            "dht.bootstrap_nodes=",
            "--set",
            "dht.ipv6=true",
            "--run-for",
            "500ms");
    argv.set(argv.indexOf("127.0.0.1"), "::");
    assertThat(a.run(argv.toArray(String[]::new))).as(a.err()).isZero();
    JsonNode started = a.awaitJson(Cli.event("started"), WAIT);
    assertThat(started.get("ipv4").get("node_id").asText()).hasSize(40);
    assertThat(started.get("ipv6").get("node_id").asText()).hasSize(40);
    JsonNode stopped = a.awaitJson(Cli.event("stopped"), WAIT);
    assertThat(stopped.get("saved")).hasSize(2);
    assertThat(Files.exists(tmp.resolve("dual").resolve("dht-routing-table"))).isTrue();
    assertThat(Files.exists(tmp.resolve("dual").resolve("dht-routing-table-v6"))).isTrue();
  }

  @Test
  void aPortInUseIsAClearFailure() throws Exception {
    try (var socket = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
      Cli a = new Cli(tmp);
      int code =
          a.run(
              "dht",
              "--bind",
              "127.0.0.1",
              "--port",
              Integer.toString(socket.getLocalPort()),
              "--set",
              "dht.bootstrap_nodes=",
              "--set",
              "storage.state_dir=" + tmp);
      assertThat(code).isEqualTo(ExitCodes.FAILED);
      assertThat(a.err()).contains("cannot listen on UDP").contains("choose one with --port");
      assertThat(a.err()).doesNotContain("\tat ");
    }
  }

  /**
   * A real process: SIGTERM stops it cleanly, and the routing table it learnt is on disk
   * afterwards.
   */
  @Test
  void sigtermSavesTheRoutingTable() throws Exception {
    Cli a = new Cli(tmp);
    a.start(args(tmp.resolve("a"), "--set", "dht.bootstrap_nodes=").toArray(String[]::new));
    int port = a.awaitJson(Cli.event("started"), WAIT).get("port").asInt();
    Path state = tmp.resolve("proc");
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add(Main.class.getName());
    cmd.addAll(args(state, "--bootstrap", "127.0.0.1:" + port));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD);
    pb.environment().keySet().removeIf(k -> k.startsWith("NATSWARM_"));
    Process p = pb.start();
    List<JsonNode> lines = new ArrayList<>();
    ObjectMapper json = new ObjectMapper();
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      boolean signalled = false;
      while ((line = r.readLine()) != null) {
        JsonNode n = json.readTree(line);
        lines.add(n);
        if (!signalled && tableAtLeast(1).test(n)) {
          // SIGTERM; Process.destroy() would also close our end of its output
          p.toHandle().destroy();
          signalled = true;
        }
      }
      assertThat(signalled).as("the process joined before it was stopped: " + lines).isTrue();
    } finally {
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
    assertThat(p.exitValue()).isEqualTo(143); // 128 + SIGTERM, after the shutdown hook ran
    JsonNode last = lines.get(lines.size() - 1);
    assertThat(last.get("event").asText()).isEqualTo("stopped");
    assertThat(last.get("saved").get(0).get("nodes").asInt()).isEqualTo(1);
    RoutingTableStore.Loaded saved =
        RoutingTableStore.decode(Files.readAllBytes(state.resolve("dht-routing-table")));
    assertThat(saved.nodes()).hasSize(1);
    assertThat(saved.nodes().get(0).address().getPort()).isEqualTo(port);
    assertThat(a.stopAndWait(WAIT)).isZero();
  }
}
