package io.natswarm.config;

/**
 * One thing wrong with the settings, for a person: where it came from, the key, the value, what is
 * wrong and what is allowed.
 *
 * @param source where the value came from: {@code file /etc/natswarm.toml}, {@code environment
 *     NATSWARM_DHT_K}, {@code option --port}
 * @param key the setting's key, or null for a problem with the file as a whole
 * @param value the value as given, or null when there is none (a file that does not exist)
 * @param problem what is wrong: "out of range", "unknown setting"
 * @param allowed what would be accepted
 */
public record ConfigProblem(
    String source, String key, String value, String problem, String allowed) {

  /** One line: {@code file x.toml: dht.k = 99: out of range; allowed: an integer from 1 to 64}. */
  public String message() {
    StringBuilder b = new StringBuilder(source).append(": ");
    if (key != null) {
      b.append(key);
      if (value != null) {
        b.append(" = ").append(value);
      }
      b.append(": ");
    } else if (value != null) {
      b.append(value).append(": ");
    }
    b.append(problem);
    if (allowed != null && !allowed.isEmpty()) {
      b.append("; allowed: ").append(allowed);
    }
    return b.toString();
  }

  @Override
  public String toString() {
    return message();
  }
}
