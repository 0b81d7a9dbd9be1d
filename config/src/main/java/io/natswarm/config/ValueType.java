package io.natswarm.config;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * How one kind of setting value is read: from a TOML value (typed) or from text (an environment
 * variable or a command-line option), with a description of what is allowed for messages and for
 * the reference. Never throws on bad input: the result says what was wrong.
 *
 * @param <T> the value's Java type
 */
public interface ValueType<T> {

  /** What is allowed, for a person: "an integer from 1 to 16". */
  String allowed();

  /** Reads {@code text} (environment or command line). */
  Parsed<T> parse(String text);

  /** Reads a value of a TOML file; by default a TOML string read as text, anything else refused. */
  default Parsed<T> read(JsonNode node) {
    if (node.isTextual()) {
      return parse(node.textValue());
    }
    return Parsed.problem("wrong type (" + Toml.typeName(node) + ")");
  }

  /** {@code value} as a person would write it in the TOML file. */
  String format(T value);

  /** A parsed value, or why it could not be parsed. */
  record Parsed<T>(T value, String problem) {
    static <T> Parsed<T> ok(T value) {
      return new Parsed<>(value, null);
    }

    static <T> Parsed<T> problem(String why) {
      return new Parsed<>(null, why);
    }

    boolean isOk() {
      return problem == null;
    }
  }
}
