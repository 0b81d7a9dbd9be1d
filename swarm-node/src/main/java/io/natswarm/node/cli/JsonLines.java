package io.natswarm.node.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Machine-readable output: one JSON object per line, each with an {@code event} field first ({@code
 * started}, {@code progress}, {@code report}, {@code complete}, {@code error}, ...).
 */
final class JsonLines {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final PrintWriter out;

  JsonLines(PrintWriter out) {
    this.out = out;
  }

  /** A new object whose first field is {@code event}. */
  static Map<String, Object> event(String name) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("event", name);
    return m;
  }

  void print(Map<String, Object> line) {
    try {
      out.println(MAPPER.writeValueAsString(line));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("maps of strings and numbers always serialize", e);
    }
  }
}
