package io.natswarm.config;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The result of {@link ConfigLoader#load}: the configuration, the file that was read (if any) and,
 * for each key, its value as TOML text and where it came from.
 *
 * @param config the validated configuration
 * @param file the TOML file read, if any
 * @param values every key's effective value, as written in a TOML file
 * @param origins every key's source: "default", "file ...", "environment ...", "option ..."
 */
public record LoadedConfig(
    NodeConfig config,
    Optional<Path> file,
    Map<String, String> values,
    Map<String, String> origins) {

  public LoadedConfig {
    values = Map.copyOf(values);
    origins = Map.copyOf(origins);
  }
}
