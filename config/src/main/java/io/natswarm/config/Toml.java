package io.natswarm.config;

import com.fasterxml.jackson.databind.JsonNode;

/** Names of TOML value types, for messages. */
final class Toml {
  private Toml() {}

  static String typeName(JsonNode node) {
    if (node.isTextual()) {
      return "a string";
    }
    if (node.isBoolean()) {
      return "a boolean";
    }
    if (node.isIntegralNumber()) {
      return "an integer";
    }
    if (node.isNumber()) {
      return "a floating-point number";
    }
    if (node.isArray()) {
      return "an array";
    }
    if (node.isObject()) {
      return "a table";
    }
    return "a " + node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
  }
}
