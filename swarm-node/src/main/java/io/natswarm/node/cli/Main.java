package io.natswarm.node.cli;

import io.natswarm.config.ConfigException;
import io.natswarm.config.ConfigProblem;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code natswarm} command line: the entry point of the headless node. Exit codes: 0 done, 1
 * failed while running, 2 bad input (arguments, settings, a malformed torrent). A person who gave a
 * bad argument gets a message, never a stack trace ({@code --log-level debug} logs the trace).
 */
@Command(
    name = "natswarm",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "A BitTorrent-style swarm peer whose connections get through NATs.",
    subcommands = {
      ShareCommand.class,
      GetCommand.class,
      DhtCommand.class,
      NatCommand.class,
      ConfigCommand.class,
      DemoCommand.class
    })
public final class Main implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  /** How long SIGTERM waits for a command to flush and save before the process ends. */
  static final Duration STOP_GRACE = Duration.ofSeconds(20);

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  private final CliContext context;

  Main(CliContext context) {
    this.context = context;
  }

  /** The context the subcommands run in. */
  CliContext context() {
    return context;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  public static void main(String[] args) {
    CliContext ctx = CliContext.system();
    Thread hook =
        new Thread(
            () -> {
              ctx.stop().trip();
              try {
                if (!ctx.stop().awaitFinished(STOP_GRACE)) {
                  ctx.err()
                      .println("natswarm: did not stop within " + STOP_GRACE.toSeconds() + " s");
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "natswarm-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    int code = run(ctx, args);
    ctx.stop().finished();
    System.exit(code);
  }

  /** Runs the command line in the real process and returns its exit code. */
  public static int run(String... args) {
    return run(CliContext.system(), args);
  }

  /** Runs the command line in {@code ctx} and returns its exit code (tests run it in-process). */
  public static int run(CliContext ctx, String... args) {
    CommandLine cli = commandLine(ctx);
    try {
      return cli.execute(args);
    } finally {
      cli.getOut().flush();
      cli.getErr().flush();
      ctx.out().flush();
      ctx.err().flush();
    }
  }

  /** The command line, writing to {@code ctx}'s streams, reporting failures as messages. */
  static CommandLine commandLine(CliContext ctx) {
    CommandLine cli = new CommandLine(new Main(ctx), new Factory(ctx));
    cli.setOut(new PrintWriter(ctx.out(), true, StandardCharsets.UTF_8));
    cli.setErr(new PrintWriter(ctx.err(), true, StandardCharsets.UTF_8));
    cli.setExecutionExceptionHandler(Main::report);
    return cli;
  }

  private static int report(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
    PrintWriter err = cmd.getErr();
    if (e instanceof ConfigException c) {
      err.println("natswarm: the settings have problems; the node did not start:");
      for (ConfigProblem p : c.problems()) {
        err.println("  " + p.message());
      }
      err.println("(every setting and what it allows: natswarm config reference)");
      return ExitCodes.BAD_INPUT;
    }
    if (e instanceof UserError u) {
      err.println("natswarm: " + u.getMessage());
      return u.exitCode();
    }
    LOG.debug("natswarm {} failed", cmd.getCommandName(), e);
    String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    err.println("natswarm " + cmd.getCommandName() + ": failed: " + why);
    err.println("(--log-level debug shows the details)");
    return ExitCodes.FAILED;
  }

  /** Gives every command the context (picocli creates the commands). */
  private static final class Factory implements CommandLine.IFactory {
    private final CliContext ctx;
    private final CommandLine.IFactory fallback = CommandLine.defaultFactory();

    Factory(CliContext ctx) {
      this.ctx = ctx;
    }

    @Override
    public <K> K create(Class<K> type) throws Exception {
      if (type == ShareCommand.class) {
        return type.cast(new ShareCommand(ctx));
      }
      if (type == GetCommand.class) {
        return type.cast(new GetCommand(ctx));
      }
      if (type == DhtCommand.class) {
        return type.cast(new DhtCommand(ctx));
      }
      if (type == NatCommand.class) {
        return type.cast(new NatCommand(ctx));
      }
      if (type == ConfigCommand.class) {
        return type.cast(new ConfigCommand(ctx));
      }
      if (type == DemoCommand.class) {
        return type.cast(new DemoCommand(ctx));
      }
      return fallback.create(type);
    }
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
