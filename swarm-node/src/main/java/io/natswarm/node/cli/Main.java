package io.natswarm.node.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code natswarm} command line: the entry point of the headless node. */
@Command(
    name = "natswarm",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "A BitTorrent-style swarm peer whose connections get through NATs.",
    subcommands = {DemoCommand.class})
public final class Main implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns its exit code (for tests). */
  public static int run(String... args) {
    return new CommandLine(new Main()).execute(args);
  }

  /** The version printed by {@code natswarm --version}. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"natswarm " + (v == null ? "0.1.0-SNAPSHOT" : v)};
    }
  }
}
