package io.natswarm.node.cli;

import io.natswarm.config.ConfigKeys;
import io.natswarm.config.LoadedConfig;
import io.natswarm.config.Reference;
import io.natswarm.config.Setting;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code natswarm config}: prints the effective settings as TOML, each with where it came from, or
 * checks them (exit 2 with every problem when they are wrong).
 */
@Command(
    name = "config",
    mixinStandardHelpOptions = true,
    description = {
      "Print the effective settings as TOML, each with where its value came from.",
      "Sources: default, file, environment, option. Exit 2 with every problem if they are wrong."
    },
    subcommands = {ConfigCommand.ReferenceCommand.class, ConfigCommand.DefaultsCommand.class})
final class ConfigCommand implements Callable<Integer> {
  private final CliContext ctx;

  @Spec CommandSpec spec;
  @Mixin ConfigOptions options;

  ConfigCommand(CliContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public Integer call() throws Exception {
    LoadedConfig loaded = options.load(ctx);
    PrintWriter out = spec.commandLine().getOut();
    out.println("# natswarm settings; file: " + loaded.file().map(Object::toString).orElse("none"));
    for (Map.Entry<String, String> section : ConfigKeys.sections().entrySet()) {
      out.println();
      out.println("[" + section.getKey() + "]");
      for (Setting<?> s : ConfigKeys.all()) {
        if (s.section().equals(section.getKey())) {
          out.println(
              s.name()
                  + " = "
                  + loaded.values().get(s.key())
                  + "  # "
                  + loaded.origins().get(s.key()));
        }
      }
    }
    return ExitCodes.OK;
  }

  /** {@code natswarm config reference}: every setting, its default and what is allowed. */
  @Command(
      name = "reference",
      mixinStandardHelpOptions = true,
      description = "Print every setting with its default, what it allows and its variable.")
  static final class ReferenceCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      spec.commandLine().getOut().print(Reference.markdown());
      return ExitCodes.OK;
    }
  }

  /** {@code natswarm config defaults}: a TOML file with every setting at its default. */
  @Command(
      name = "defaults",
      mixinStandardHelpOptions = true,
      description = "Print a TOML file with every setting at its default, to start one from.")
  static final class DefaultsCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      spec.commandLine().getOut().print(Reference.defaultsToml());
      return ExitCodes.OK;
    }
  }
}
