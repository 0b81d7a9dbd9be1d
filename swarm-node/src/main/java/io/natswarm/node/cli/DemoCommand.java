package io.natswarm.node.cli;

import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code natswarm demo}: runs, on loopback only, each part of natswarm that is real so far, and
 * says plainly which parts are not built yet.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = "Run what natswarm can do today on this machine's loopback interface.")
final class DemoCommand implements Callable<Integer> {

  @Option(
      names = "--mib",
      defaultValue = "64",
      description = "MiB to move over the µTP demo connection (default: ${DEFAULT-VALUE}).")
  int mib;

  @Override
  public Integer call() {
    PrintStream out = System.out;
    out.println("natswarm demo - everything runs on loopback; nothing leaves this machine.");
    out.println();
    out.println("Not built yet (honestly): the µTP transport, the DHT, the swarm node on Bt,");
    out.println("PEX and the NAT traversal ladder. This demo grows as they land.");
    return 0;
  }
}
