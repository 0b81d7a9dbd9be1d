package io.natswarm.config;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The settings could not be read: every problem found, each naming the key, the value and what is
 * allowed. The node must not start.
 */
public final class ConfigException extends Exception {
  private static final long serialVersionUID = 1L;

  @SuppressWarnings("serial") // an immutable list of records
  private final List<ConfigProblem> problems;

  public ConfigException(List<ConfigProblem> problems) {
    super(problems.stream().map(ConfigProblem::message).collect(Collectors.joining("\n")), null);
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("a ConfigException needs at least one problem");
    }
    this.problems = List.copyOf(problems);
  }

  /** Every problem found, in the order of the sources (file, environment, command line). */
  public List<ConfigProblem> problems() {
    return problems;
  }
}
