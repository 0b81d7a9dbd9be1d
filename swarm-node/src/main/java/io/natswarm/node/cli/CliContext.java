package io.natswarm.node.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;

/**
 * What a command reads from and writes to outside its arguments: the environment, the home
 * directory, standard output and error, and the signal that stops a long-running command. {@link
 * #system()} is the real process; tests pass their own, so commands run in-process.
 *
 * @param environment the process environment (settings, {@code NATSWARM_CONFIG})
 * @param home the user's home directory
 * @param out standard output: results, progress, JSON lines
 * @param err standard error: messages for a person
 * @param stop tripped by SIGTERM or Ctrl-C (or a test) to stop a running node cleanly
 * @param interactive whether {@code out} is a terminal (progress is then redrawn in place)
 */
public record CliContext(
    Map<String, String> environment,
    Path home,
    PrintStream out,
    PrintStream err,
    StopSignal stop,
    boolean interactive) {

  public CliContext {
    environment = Map.copyOf(environment);
  }

  /**
   * The real process: its environment, home, standard streams and a fresh stop signal. On Java 17
   * (the build's release) {@code System.console()} is null when standard output is not a terminal.
   */
  @SuppressWarnings("SystemConsoleNull")
  public static CliContext system() {
    return new CliContext(
        System.getenv(),
        Path.of(System.getProperty("user.home")),
        System.out,
        System.err,
        new StopSignal(),
        System.console() != null);
  }
}
