package io.natswarm.node.cli;

import io.natswarm.node.demo.DhtSwarmDemo;
import io.natswarm.node.demo.UtpTransferDemo;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code natswarm demo}: runs, on loopback only, each part of natswarm that is real so far, and
 * says plainly which parts are not built yet.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = "Run what natswarm can do today on this machine's loopback interface.")
final class DemoCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--mib",
      defaultValue = "64",
      description = "MiB to move over the µTP demo connection (default: ${DEFAULT-VALUE}).")
  int mib;

  @Option(
      names = "--nodes",
      defaultValue = "24",
      description = "DHT nodes to start on loopback (default: ${DEFAULT-VALUE}).")
  int nodes;

  /** One demo step; it may fail, and the demo says how instead of stopping. */
  interface Step {
    boolean run() throws Exception;
  }

  private static boolean step(Step step, PrintStream out) {
    try {
      return step.run();
    } catch (Exception e) {
      out.println("  FAILED: " + e);
      return false;
    }
  }

  @Override
  public Integer call() {
    if (mib < 1 || mib > 4096) {
      throw new ParameterException(
          spec.commandLine(), "--mib must be between 1 and 4096, not " + mib);
    }
    if (nodes < 3 || nodes > 500) {
      throw new ParameterException(
          spec.commandLine(), "--nodes must be between 3 and 500, not " + nodes);
    }
    PrintStream out = System.out;
    out.println("natswarm demo - everything runs on loopback; nothing leaves this machine.");
    out.println();
    boolean ok = true;
    out.println(
        "1. µTP (BEP 29, LEDBAT): one stream between two nodes, each with its own UDP socket");
    ok &= step(() -> UtpTransferDemo.run(mib, out), out);
    out.println();
    out.println("2. The mainline DHT (BEP 5) and µTP sharing one socket per node");
    ok &= step(() -> DhtSwarmDemo.run(nodes, out), out);
    out.println();
    out.println("Not in this demo yet: a torrent swarm (natswarm share and get work; see");
    out.println("--help). Not built yet (honestly): PEX, the NAT traversal ladder (port mapping,");
    out.println("hole punching, relays). This demo grows as they land.");
    return ok ? 0 : 1;
  }
}
