package io.natswarm.config;

import java.util.Locale;

/**
 * One setting: its key ({@code section.name}, as in the TOML file), its type, its default and what
 * it does. The environment variable is derived from the key: {@code dht.query_timeout} is {@code
 * NATSWARM_DHT_QUERY_TIMEOUT}.
 *
 * @param key {@code section.name}, lower case with underscores
 * @param type how values are read and what is allowed
 * @param defaultValue the value when no source sets one
 * @param description what the setting does, for the reference
 * @param <T> the value's Java type
 */
public record Setting<T>(String key, ValueType<T> type, T defaultValue, String description) {

  /** The prefix of every setting's environment variable. */
  public static final String ENV_PREFIX = "NATSWARM_";

  /** The table the key lives in. */
  public String section() {
    return key.substring(0, key.indexOf('.'));
  }

  /** The key within its table. */
  public String name() {
    return key.substring(key.indexOf('.') + 1);
  }

  /** The environment variable that sets it. */
  public String envVar() {
    return ENV_PREFIX + key.replace('.', '_').toUpperCase(Locale.ROOT);
  }

  /** What values are allowed, for a person. */
  public String allowed() {
    return type.allowed();
  }

  /** The default as written in a TOML file. */
  public String defaultText() {
    return type.format(defaultValue);
  }

  /** {@code value} (of this setting's type) as written in a TOML file. */
  String format(Object value) {
    @SuppressWarnings("unchecked")
    T v = (T) value;
    return type.format(v);
  }
}
