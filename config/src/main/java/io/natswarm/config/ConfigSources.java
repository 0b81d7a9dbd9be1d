package io.natswarm.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where settings come from, lowest precedence first: the defaults, a TOML file, the environment,
 * the command line.
 *
 * @param configFile a file named on the command line ({@code --config}); it must exist
 * @param environment the process environment; only {@code NATSWARM_*} variables are read, and
 *     {@code NATSWARM_CONFIG} names a file as {@code --config} does
 * @param overrides values given on the command line, in order (a later one wins)
 * @param home the user's home directory: {@code ~/} in paths, and the default file {@code
 *     ~/.config/natswarm/natswarm.toml} (or under {@code $XDG_CONFIG_HOME}), read when it exists
 */
public record ConfigSources(
    Optional<Path> configFile,
    Map<String, String> environment,
    List<OptionValue> overrides,
    Path home) {

  /** The variable that names a configuration file. */
  public static final String CONFIG_ENV = "NATSWARM_CONFIG";

  public ConfigSources {
    configFile = configFile == null ? Optional.empty() : configFile;
    environment = Map.copyOf(environment);
    overrides = List.copyOf(overrides);
  }

  /** Defaults only: no file, no environment, no options. */
  public static ConfigSources none(Path home) {
    return new ConfigSources(Optional.empty(), Map.of(), List.of(), home);
  }

  /**
   * One value from the command line.
   *
   * @param key the setting's key
   * @param value the value as text
   * @param option the option that gave it, for messages ({@code --set}, {@code --port})
   */
  public record OptionValue(String key, String value, String option) {}
}
