package io.natswarm.node.cli;

import io.natswarm.config.ConfigException;
import io.natswarm.config.ConfigLoader;
import io.natswarm.config.ConfigSources;
import io.natswarm.config.LoadedConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The options every node command shares: the configuration file, any setting by key, and shortcuts
 * for the common ones. They override the environment, which overrides the file (config/README.md).
 * The shortcuts are applied after {@code --set}, so {@code --port} wins over {@code --set
 * listen.port=...}.
 */
final class ConfigOptions {
  @Spec(Spec.Target.MIXEE)
  picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "TOML settings file (default: $NATSWARM_CONFIG, else ~/.config/natswarm/natswarm.toml"
              + " if it exists).")
  Path configFile;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description =
          "Any setting, e.g. --set dht.query_timeout=5s (repeatable; see config/README.md).")
  List<String> sets = new ArrayList<>();

  @Option(
      names = "--port",
      paramLabel = "PORT",
      description = "listen.port: the UDP and TCP port (0: any free port).")
  String port;

  @Option(
      names = "--bind",
      paramLabel = "ADDRESS",
      description = "listen.address: the IP address to listen on.")
  String bind;

  @Option(
      names = "--bootstrap",
      paramLabel = "HOST:PORT",
      split = ",",
      description =
          "dht.bootstrap_nodes: DHT nodes to join through, replacing the configured ones"
              + " (repeatable).")
  List<String> bootstrap = new ArrayList<>();

  @Option(
      names = "--status",
      paramLabel = "HOST:PORT",
      description =
          "status.listen: serve a status page, JSON and metrics there (e.g. 127.0.0.1:8080;"
              + " not loopback only with status.token).")
  String status;

  @Option(
      names = "--log-level",
      paramLabel = "LEVEL",
      description = "log.level: error, warn, info, debug or trace.")
  String logLevel;

  /** Reads the settings: defaults, file, environment, these options. */
  LoadedConfig load(CliContext ctx) throws ConfigException {
    List<ConfigSources.OptionValue> values = new ArrayList<>();
    for (String s : sets) {
      int eq = s.indexOf('=');
      if (eq <= 0) {
        throw new ParameterException(
            spec.commandLine(), "--set needs KEY=VALUE (e.g. --set dht.alpha=4), not '" + s + "'");
      }
      values.add(
          new ConfigSources.OptionValue(s.substring(0, eq).strip(), s.substring(eq + 1), "--set"));
    }
    if (port != null) {
      values.add(new ConfigSources.OptionValue("listen.port", port, "--port"));
    }
    if (bind != null) {
      values.add(new ConfigSources.OptionValue("listen.address", bind, "--bind"));
    }
    if (!bootstrap.isEmpty()) {
      values.add(
          new ConfigSources.OptionValue(
              "dht.bootstrap_nodes", String.join(",", bootstrap), "--bootstrap"));
    }
    if (status != null) {
      values.add(new ConfigSources.OptionValue("status.listen", status, "--status"));
    }
    if (logLevel != null) {
      values.add(new ConfigSources.OptionValue("log.level", logLevel, "--log-level"));
    }
    LoadedConfig loaded =
        ConfigLoader.load(
            new ConfigSources(
                Optional.ofNullable(configFile), ctx.environment(), values, ctx.home()));
    Logging.apply(loaded.config().log().level());
    return loaded;
  }
}
