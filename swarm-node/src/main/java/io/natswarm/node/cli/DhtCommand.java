package io.natswarm.node.cli;

import io.natswarm.config.DhtSettings;
import io.natswarm.config.NodeConfig;
import io.natswarm.datagram.EndpointStats;
import io.natswarm.datagram.UdpEndpoint;
import io.natswarm.dht.DhtConfig;
import io.natswarm.dht.DhtCounters;
import io.natswarm.dht.DhtNode;
import io.natswarm.dht.routing.RoutingTableStore;
import io.natswarm.node.dht.DhtService;
import io.natswarm.node.dht.RoutingTableFile;
import io.natswarm.node.net.NodeSocket;
import io.natswarm.node.net.NodeSocketSettings;
import io.natswarm.node.status.StatusServer;
import io.natswarm.node.status.StatusSource;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code natswarm dht}: a DHT participant only (BEP 5, and BEP 32 with {@code dht.ipv6}). It binds
 * the node's one UDP socket through {@link NodeSocket}, joins through the configured bootstrap
 * nodes and the routing table saved by its last run, reports its table and traffic periodically,
 * saves the table every minute and when it stops (SIGTERM, Ctrl-C, {@code --run-for}). The table
 * file is claimed ({@link RoutingTableFile}) for the run, so no other node on the machine uses it
 * meanwhile.
 */
@Command(
    name = "dht",
    mixinStandardHelpOptions = true,
    description = {
      "Run as a DHT participant only, reporting its routing table and traffic.",
      "SIGTERM or Ctrl-C stops it and saves the routing table."
    })
final class DhtCommand implements Callable<Integer> {
  private static final Duration SAVE_EVERY = Duration.ofMinutes(1);

  private final CliContext ctx;

  @Spec CommandSpec spec;
  @Mixin ConfigOptions options;

  @Option(
      names = "--report-every",
      paramLabel = "DURATION",
      defaultValue = "10s",
      converter = DurationConverter.class,
      description = "How often to report the table and traffic (default: ${DEFAULT-VALUE}).")
  Duration reportEvery;

  @Option(
      names = "--run-for",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Stop (and save) after this long; default: until SIGTERM or Ctrl-C.")
  Duration runFor;

  @Option(names = "--json", description = "Print JSON lines instead of text.")
  boolean json;

  DhtCommand(CliContext ctx) {
    this.ctx = ctx;
  }

  /** One address family's node: its service and its routing-table file. */
  private record Family(String name, DhtService service, Path tableFile) {}

  @Override
  public Integer call() throws Exception {
    NodeConfig config = options.load(ctx).config();
    DhtSettings dht = config.dht();
    if (!dht.ipv4() && !dht.ipv6()) {
      throw UserError.badInput(
          "dht.ipv4 and dht.ipv6 are both false: a DHT node needs at least one address family");
    }
    PrintWriter out = spec.commandLine().getOut();
    JsonLines lines = new JsonLines(out);
    InetSocketAddress bindTo =
        new InetSocketAddress(config.listen().address(), config.listen().port());
    UdpEndpoint udp;
    try {
      udp =
          UdpEndpoint.builder()
              .bind(bindTo)
              .receiveBufferBytes(config.udp().receiveBufferBytes())
              .sendBufferBytes(config.udp().sendBufferBytes())
              .open();
    } catch (IOException e) {
      throw UserError.failed(
          "cannot listen on UDP "
              + Units.address(bindTo)
              + ": "
              + e.getMessage()
              + " (is another node on that port? choose one with --port)");
    }
    List<Family> families = new ArrayList<>();
    List<RoutingTableFile> claims = new ArrayList<>();
    StatusServer status = null; // --status: the first family's DHT (issue 10)
    try {
      // the table files are claimed first: a share or get with the same settings leaves them alone
      RoutingTableFile table4 = dht.ipv4() ? claim(dht.tableFile(false), claims) : null;
      RoutingTableFile table6 = dht.ipv6() ? claim(dht.tableFile(true), claims) : null;
      List<InetSocketAddress> resolved = NodeSettings.resolve(dht.bootstrapNodes(), this::warn);
      DhtConfig v4 =
          dht.ipv4() ? dht.nodeConfig(false, of(resolved, false), table4.savedNodeId()) : null;
      DhtConfig v6 =
          dht.ipv6() ? dht.nodeConfig(true, of(resolved, true), table6.savedNodeId()) : null;
      NodeSocket socket =
          NodeSocket.open(udp, new NodeSocketSettings(config.utp(), v4, v6, null, null));
      if (v4 != null) {
        families.add(
            new Family("ipv4", DhtService.over(udp, socket.dhtV4()), dht.tableFile(false)));
      }
      if (v6 != null) {
        families.add(new Family("ipv6", DhtService.over(udp, socket.dhtV6()), dht.tableFile(true)));
      }
      Map<String, Object> started = JsonLines.event("started");
      started.put("address", udp.localAddress().getAddress().getHostAddress());
      started.put("port", udp.port());
      for (Family f : families) {
        RoutingTableStore.Loaded loaded = f.service().loadRoutingTable(f.tableFile());
        loaded.problem().filter(p -> !p.startsWith("no saved")).ifPresent(this::warn);
        Map<String, Object> fam = new java.util.LinkedHashMap<>();
        fam.put("node_id", f.service().selfId().toString());
        fam.put("restored_nodes", loaded.problem().isPresent() ? 0 : loaded.nodes().size());
        fam.put("table_file", f.tableFile().toString());
        started.put(f.name(), fam);
      }
      if (!families.isEmpty()) {
        status =
            StatusServing.startIfConfigured(
                StatusSource.dhtOnly(families.get(0).service(), udp.localAddress()),
                config,
                spec.commandLine().getErr(),
                "natswarm dht");
      }
      if (json) {
        lines.print(started);
      } else {
        out.printf(
            "natswarm dht: listening on UDP %s; bootstrap nodes: %s%n",
            Units.address(udp.localAddress()),
            resolved.isEmpty()
                ? "none"
                : String.join(", ", resolved.stream().map(Units::address).toList()));
        for (Family f : families) {
          out.printf(
              "  %s node %s; routing table kept in %s%n",
              f.name(), f.service().selfId(), f.tableFile());
        }
      }
      if (resolved.isEmpty()) {
        warn(
            "no bootstrap node (dht.bootstrap_nodes, --bootstrap): this node joins only when"
                + " another contacts it, or through a routing table saved by an earlier run");
      }
      for (Family f : families) {
        var unused =
            f.service()
                .bootstrap()
                .whenComplete(
                    (r, e) -> {
                      if (e != null) {
                        return;
                      }
                      int size = tableSize(f);
                      if (json) {
                        Map<String, Object> m = JsonLines.event("joined");
                        m.put("family", f.name());
                        m.put("table_size", size);
                        m.put("queries", r.queries());
                        lines.print(m);
                      } else {
                        out.printf(
                            "  %s: bootstrap done after %d queries: %d nodes in the routing table%n",
                            f.name(), r.queries(), size);
                      }
                    });
      }
      runUntilStopped(udp, families, lines, out);
      return ExitCodes.OK;
    } finally {
      if (status != null) {
        status.close();
      }
      List<Map<String, Object>> saved = new ArrayList<>();
      for (Family f : families) {
        saved.add(save(f));
        f.service().close();
      }
      for (RoutingTableFile t : claims) {
        try {
          t.close();
        } catch (IOException e) {
          warn("releasing " + t.path() + ": " + e.getMessage());
        }
      }
      udp.close();
      if (!families.isEmpty()) {
        if (json) {
          Map<String, Object> m = JsonLines.event("stopped");
          m.put("saved", saved);
          lines.print(m);
        } else {
          for (Map<String, Object> s : saved) {
            out.printf(
                "natswarm dht: stopped; %s routing table (%s nodes) saved to %s%n",
                s.get("family"), s.get("nodes"), s.get("file"));
          }
        }
      }
      out.flush();
    }
  }

  private void runUntilStopped(
      UdpEndpoint udp, List<Family> families, JsonLines lines, PrintWriter out)
      throws InterruptedException, IOException {
    long start = System.nanoTime();
    long nextReport = start + reportEvery.toNanos();
    long nextSave = start + SAVE_EVERY.toNanos();
    long end = runFor == null ? Long.MAX_VALUE : start + runFor.toNanos();
    while (true) {
      long now = System.nanoTime();
      long wake = Math.min(Math.min(nextReport, nextSave), end);
      if (ctx.stop().await(Duration.ofNanos(Math.max(0, wake - now)))) {
        return;
      }
      now = System.nanoTime();
      if (now - nextReport >= 0) {
        report(udp, families, Duration.ofNanos(now - start), lines, out);
        nextReport = now + reportEvery.toNanos();
      }
      if (now - nextSave >= 0) {
        for (Family f : families) {
          save(f);
        }
        nextSave = now + SAVE_EVERY.toNanos();
      }
      if (now - end >= 0) {
        return;
      }
    }
  }

  private void report(
      UdpEndpoint udp, List<Family> families, Duration elapsed, JsonLines lines, PrintWriter out)
      throws IOException {
    EndpointStats udpStats = udp.stats();
    if (json) {
      Map<String, Object> m = JsonLines.event("report");
      m.put("elapsed_seconds", elapsed.toMillis() / 1000.0);
      m.put("udp_bytes_in", udpStats.bytesReceived());
      m.put("udp_bytes_out", udpStats.bytesSent());
      for (Family f : families) {
        DhtCounters c = f.service().counters();
        Map<String, Object> fam = new java.util.LinkedHashMap<>();
        fam.put("table_size", tableSize(f));
        fam.put("datagrams_in", c.datagramsIn());
        fam.put("datagrams_out", c.datagramsOut());
        fam.put("queries_in", c.queriesIn());
        fam.put("queries_out", c.queriesOut());
        fam.put("responses_in", c.responsesIn());
        fam.put("timeouts", c.timeouts());
        fam.put("bad_datagrams", c.badDatagrams());
        fam.put("rate_limited", c.rateLimited());
        fam.put("peers_stored", c.announcesStored());
        m.put(f.name(), fam);
      }
      lines.print(m);
      return;
    }
    StringBuilder b = new StringBuilder();
    long s = elapsed.toSeconds();
    b.append(String.format(Locale.ROOT, "[%d:%02d:%02d]", s / 3600, s / 60 % 60, s % 60));
    for (Family f : families) {
      DhtCounters c = f.service().counters();
      b.append(
          String.format(
              Locale.ROOT,
              " %s: %d nodes; in %d datagrams (%d queries, %d answers); out %d (%d queries, %d"
                  + " timed out);",
              f.name(),
              tableSize(f),
              c.datagramsIn(),
              c.queriesIn(),
              c.responsesIn(),
              c.datagramsOut(),
              c.queriesOut(),
              c.timeouts()));
    }
    b.append(
        String.format(
            Locale.ROOT,
            " udp %s in, %s out",
            Units.bytes((double) udpStats.bytesReceived()),
            Units.bytes((double) udpStats.bytesSent())));
    out.println(b);
  }

  private Map<String, Object> save(Family f) {
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("family", f.name());
    m.put("file", f.tableFile().toString());
    try {
      int size = tableSize(f);
      f.service().saveRoutingTable(f.tableFile());
      m.put("nodes", size);
    } catch (IOException | RuntimeException e) {
      warn(
          "could not save the "
              + f.name()
              + " routing table to "
              + f.tableFile()
              + ": "
              + e.getMessage());
      m.put("nodes", -1);
      m.put("error", String.valueOf(e.getMessage()));
    }
    return m;
  }

  private static int tableSize(Family f) {
    try {
      return f.service().inspect((DhtNode n) -> n.routingTable().size());
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /**
   * Claims a routing-table file for this run (the saved id and nodes are then ours to reuse), or
   * fails when another node holds it.
   */
  private static RoutingTableFile claim(Path file, List<RoutingTableFile> claims)
      throws IOException, UserError {
    RoutingTableFile t =
        RoutingTableFile.claim(file)
            .orElseThrow(
                () ->
                    UserError.failed(
                        "the DHT routing table "
                            + file
                            + " is in use by another running node; give this one its own with"
                            + " --set dht.table_file=FILE"));
    claims.add(t);
    return t;
  }

  private static List<InetSocketAddress> of(List<InetSocketAddress> all, boolean v6) {
    return all.stream().filter(a -> (a.getAddress() instanceof Inet6Address) == v6).toList();
  }

  private void warn(String message) {
    spec.commandLine().getErr().println("natswarm dht: " + message);
  }
}
