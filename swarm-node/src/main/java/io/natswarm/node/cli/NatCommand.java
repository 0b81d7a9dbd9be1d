package io.natswarm.node.cli;

import io.natswarm.config.HostPort;
import io.natswarm.config.NodeConfig;
import io.natswarm.datagram.UdpEndpoint;
import io.natswarm.holepunch.reach.Candidate;
import io.natswarm.holepunch.reach.FamilyReachability;
import io.natswarm.holepunch.reach.TransportReachability;
import io.natswarm.holepunch.stun.BindingDiscovery;
import io.natswarm.holepunch.stun.FilteringBehavior;
import io.natswarm.holepunch.stun.MappingBehavior;
import io.natswarm.node.net.NodeSocket;
import io.natswarm.node.net.NodeSocketSettings;
import io.natswarm.node.reach.LocalRoute;
import io.natswarm.node.reach.NatService;
import io.natswarm.node.reach.ReachabilityMonitor;
import io.natswarm.node.reach.ReachabilityReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code natswarm nat}: where this node stands, from its own port: how the world sees it (STUN, RFC
 * 8489; with an RFC 5780 server, the NAT's mapping and filtering behaviour), whether the gateway
 * maps the port (PCP, NAT-PMP, UPnP-IGD; released again on exit), and the verdict per address
 * family with what the user can do (holepunch's reachability assessor, as the running node's status
 * page shows it).
 */
@Command(
    name = "nat",
    mixinStandardHelpOptions = true,
    description = {
      "Find this node's external address and NAT type with STUN, try to map its port on the",
      "gateway, and say whether peers can connect to it and what to do if they cannot.",
      "Mappings made here are released on exit; share and get keep theirs while they run."
    })
final class NatCommand implements Callable<Integer> {
  private static final Duration POLL = Duration.ofMillis(50);
  private static final Duration LOOP_CALL = Duration.ofSeconds(5);
  private static final Duration MAP_WAIT = Duration.ofSeconds(20);

  private final CliContext ctx;

  @Spec CommandSpec spec;
  @Mixin ConfigOptions options;

  @Option(
      names = "--stun",
      paramLabel = "HOST:PORT",
      description =
          "The STUN server to ask (an RFC 5780 server, such as coturn with two addresses,"
              + " also tells the NAT's behaviour); default: nat.stun_server, if set.")
  String stun;

  @Option(
      names = "--no-map",
      description = "Do not try to map the port on the gateway (default: nat.port_mapping).")
  boolean noMap;

  @Option(names = "--json", description = "Print one JSON object instead of text.")
  boolean json;

  NatCommand(CliContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public Integer call() throws Exception {
    NodeConfig config = options.load(ctx).config();
    InetSocketAddress server = stunServer(config);
    boolean map = !noMap && config.nat().portMapping();
    InetSocketAddress bindTo =
        new InetSocketAddress(config.listen().address(), config.listen().port());
    UdpEndpoint udp;
    try {
      udp = UdpEndpoint.builder().bind(bindTo).open();
    } catch (IOException | RuntimeException e) {
      throw UserError.failed(
          "cannot listen on UDP "
              + Units.address(bindTo)
              + ": "
              + UserError.reason(e)
              + " (is a node running on that port? stop it, or choose another with --port)");
    }
    try (udp) {
      ReachabilityMonitor monitor =
          new ReachabilityMonitor(
              udp.localAddress(), ReachabilityMonitor::interfaceAddresses, Map::of, () -> 0);
      // The node's own composition of the socket: STUN and port mapping run where a node runs them.
      NodeSocket socket = NodeSocket.open(udp, NodeSocketSettings.utpOnly());
      try (NatService nat =
          NatService.start(
              udp, socket, monitor, null, map, config.nat().portMappingLifetimeSeconds())) {
        // Mapping first: STUN then measures what peers meet, with the mapping in place.
        long deadline = System.nanoTime() + MAP_WAIT.toNanos();
        while (!nat.mappingSettled() && System.nanoTime() - deadline < 0) {
          Thread.sleep(POLL.toMillis());
        }
        Stun measured = server == null ? null : measure(udp, socket, server, monitor);
        report(measured, monitor.report(), udp.port(), map);
        return measured == null || measured.result().outcome() == BindingDiscovery.Outcome.DONE
            ? ExitCodes.OK
            : ExitCodes.FAILED;
      } // closing the service releases what was mapped
    }
  }

  private InetSocketAddress stunServer(NodeConfig config) throws UserError {
    HostPort hp;
    if (stun != null) {
      hp = HostPort.parse(stun.strip());
      if (hp == null) {
        throw new ParameterException(
            spec.commandLine(), "--stun needs HOST:PORT (IPv6 as [addr]:port), not '" + stun + "'");
      }
    } else {
      hp = config.nat().stunServer();
      if (hp == null) {
        return null;
      }
    }
    InetSocketAddress server = hp.resolve();
    if (server.isUnresolved()) {
      throw UserError.failed("cannot resolve the STUN server " + hp);
    }
    return server;
  }

  /** One STUN measurement and where it was made from. */
  private record Stun(
      BindingDiscovery.Result result,
      BindingDiscovery.Counters counters,
      InetSocketAddress local,
      InetSocketAddress server) {}

  private static Stun measure(
      UdpEndpoint udp, NodeSocket socket, InetSocketAddress server, ReachabilityMonitor m)
      throws IOException, InterruptedException {
    InetSocketAddress local = LocalRoute.toward(server, udp.localAddress());
    BindingDiscovery discovery =
        udp.call(
            () -> {
              BindingDiscovery d =
                  new BindingDiscovery(
                      server,
                      local,
                      true,
                      BindingDiscovery.Settings.defaults(),
                      new SecureRandom(),
                      udp.clock().nanoTime());
              var unused = socket.stun().install(d);
              return d;
            },
            LOOP_CALL);
    while (!udp.call(discovery::finished, LOOP_CALL)) {
      Thread.sleep(POLL.toMillis());
    }
    BindingDiscovery.Result r = udp.call(discovery::result, LOOP_CALL);
    if (r.outcome() == BindingDiscovery.Outcome.DONE) {
      m.stunMeasured(server, r.mapped(), r.mapping(), r.filtering());
    } else {
      m.stunFailed(server, stunProblem(r));
    }
    return new Stun(r, udp.call(discovery::counters, LOOP_CALL), local, server);
  }

  private void report(Stun stunRun, ReachabilityReport rep, int port, boolean map) {
    PrintWriter out = spec.commandLine().getOut();
    FamilyReachability v4 = rep.families().get(0);
    String verdict = v4.summary() + (v4.advice().isEmpty() ? "" : ": " + v4.advice().get(0));
    if (json) {
      Map<String, Object> m = new LinkedHashMap<>();
      if (stunRun != null) {
        BindingDiscovery.Result r = stunRun.result();
        m.put("outcome", r.outcome().name().toLowerCase(Locale.ROOT));
        m.put("stun_server", Units.address(stunRun.server()));
        m.put("local", Units.address(stunRun.local()));
        m.put("external", r.mapped() == null ? null : Units.address(r.mapped()));
        m.put("mapping", r.mapping().name().toLowerCase(Locale.ROOT));
        m.put("filtering", r.filtering().name().toLowerCase(Locale.ROOT));
        m.put("requests", stunRun.counters().requestsSent());
      } else {
        m.put("outcome", "no_stun_server");
      }
      m.put("port_mapping", rep.mappingStatus());
      List<Map<String, Object>> families = new ArrayList<>();
      for (FamilyReachability f : rep.families()) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("family", f.family().label());
        o.put("verdict", f.verdict().name().toLowerCase(Locale.ROOT));
        o.put("summary", f.summary());
        o.put("advice", f.advice());
        List<Map<String, Object>> transports = new ArrayList<>();
        for (TransportReachability t : f.transports()) {
          Map<String, Object> to = new LinkedHashMap<>();
          to.put("transport", t.transport().label());
          to.put("verdict", t.verdict().name().toLowerCase(Locale.ROOT));
          to.put("reason", t.reason());
          transports.add(to);
        }
        o.put("transports", transports);
        families.add(o);
      }
      m.put("families", families);
      List<Map<String, Object>> candidates = new ArrayList<>();
      for (Candidate c : rep.candidates()) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("type", c.type().label());
        o.put("transport", c.transport().label());
        o.put("address", Units.address(c.address()));
        o.put("priority", c.priority());
        candidates.add(o);
      }
      m.put("candidates", candidates);
      m.put("verdict", verdict);
      new JsonLines(out).print(m);
      return;
    }
    if (stunRun != null) {
      BindingDiscovery.Result r = stunRun.result();
      out.printf(
          "natswarm nat: asked %s from UDP %s%n",
          Units.address(stunRun.server()), Units.address(stunRun.local()));
      if (r.mapped() != null) {
        out.printf("  external address: %s%n", Units.address(r.mapped()));
        out.printf("  mapping:   %s%n", describe(r.mapping()));
        out.printf("  filtering: %s%n", describe(r.filtering()));
      } else {
        out.printf("  STUN: %s%n", stunProblem(r));
      }
    } else {
      out.printf("natswarm nat: no STUN server (--stun or nat.stun_server); port %d%n", port);
    }
    out.printf(
        "  port mapping: %s%s%n",
        rep.mappingStatus(), map && !rep.mappings().isEmpty() ? " (released again on exit)" : "");
    out.printf("  candidates (ICE priority order):%n");
    for (Candidate c : rep.candidates()) {
      out.printf(
          "    %-6s %-4s %s%n",
          c.type().label(), c.transport().label(), Units.address(c.address()));
    }
    for (FamilyReachability f : rep.families()) {
      out.printf(
          "  %s: %s. %s%n",
          f.family().label(),
          f.verdict().name().toLowerCase(Locale.ROOT).replace('_', ' '),
          f.summary());
      for (TransportReachability t : f.transports()) {
        out.printf(
            "    %-4s %s: %s%n",
            t.transport().label(),
            t.verdict().name().toLowerCase(Locale.ROOT).replace('_', ' '),
            t.reason());
      }
      for (String a : f.advice()) {
        out.printf("    - %s%n", a);
      }
    }
  }

  private static String stunProblem(BindingDiscovery.Result r) {
    return switch (r.outcome()) {
      case SERVER_UNREACHABLE ->
          "no answer from the STUN server: UDP may be blocked on this network, or the server is"
              + " down";
      case SERVER_ERROR -> "the STUN server refused the request (error " + r.errorCode() + ")";
      case RUNNING -> "unfinished";
      case DONE -> "done";
    };
  }

  private static String describe(MappingBehavior m) {
    return switch (m) {
      case NO_NAT -> "none (the server sees this machine's own address)";
      case ENDPOINT_INDEPENDENT -> "endpoint-independent (one external port for every peer)";
      case ADDRESS_DEPENDENT -> "address-dependent (a new external port per peer address)";
      case ADDRESS_AND_PORT_DEPENDENT ->
          "address-and-port-dependent (a new external port per peer: symmetric)";
      case UNKNOWN -> "unknown";
    };
  }

  private static String describe(FilteringBehavior f) {
    return switch (f) {
      case ENDPOINT_INDEPENDENT -> "endpoint-independent (anyone may send once mapped)";
      case ADDRESS_DEPENDENT -> "address-dependent (only addresses this node sent to)";
      case ADDRESS_AND_PORT_DEPENDENT ->
          "address-and-port-dependent (only address and port pairs this node sent to)";
      case UNKNOWN -> "unknown";
    };
  }
}
