package io.natswarm.node.cli;

import io.natswarm.node.demo.SwarmDemo;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code natswarm demo}: a swarm on this machine's loopback ({@link SwarmDemo}): a seeder, a DHT
 * bootstrap node and leechers that find the seeder through the DHT alone and download over µTP.
 * Exit 0 only when every leecher ends with every piece verified and the file byte-exact; 1
 * otherwise; 2 for bad arguments. It reads no settings file: nothing it does reaches beyond
 * loopback.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Run a swarm on this machine's loopback: a seeder, a DHT bootstrap node and leechers",
      "that find the seeder through the DHT alone and download over µTP, every piece verified.",
      "Nothing leaves this machine. Exit 0 only when every leecher verified the whole file."
    })
final class DemoCommand implements Callable<Integer> {

  private final CliContext ctx;

  @Spec CommandSpec spec;

  @Option(
      names = "--mib",
      defaultValue = "32",
      description = "Size of the shared file in MiB (default: ${DEFAULT-VALUE}).")
  int mib;

  @Option(
      names = "--leechers",
      defaultValue = "3",
      description = "How many leechers download it (default: ${DEFAULT-VALUE}).")
  int leechers;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      defaultValue = "120s",
      converter = DurationConverter.class,
      description = "Give up (exit 1) if the leechers are not done by then (default: 120s).")
  Duration timeout;

  DemoCommand(CliContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public Integer call() throws Exception {
    if (mib < 1 || mib > 4096) {
      throw new ParameterException(
          spec.commandLine(), "--mib must be between 1 and 4096, not " + mib);
    }
    if (leechers < 1 || leechers > 16) {
      throw new ParameterException(
          spec.commandLine(), "--leechers must be between 1 and 16, not " + leechers);
    }
    if (timeout.isZero() || timeout.isNegative()) {
      throw new ParameterException(spec.commandLine(), "--timeout must be positive");
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println("natswarm demo: a swarm on loopback; nothing leaves this machine.");
    out.println();
    SwarmDemo.Report report =
        new SwarmDemo(new SwarmDemo.Options(mib, leechers, timeout, null), out, ctx.interactive())
            .run();
    out.println();
    out.println(
        "Not built yet: NAT traversal (port mapping, hole punching, relays); every node here is");
    out.println("on loopback, so none is needed.");
    out.flush();
    return report.ok() ? ExitCodes.OK : ExitCodes.FAILED;
  }
}
