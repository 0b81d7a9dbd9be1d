package io.natswarm.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Runs the command line in-process with its own environment, home, captured output and stop signal,
 * as a test needs it: to completion, or in the background until stopped.
 */
final class Cli {
  private static final ObjectMapper JSON = new ObjectMapper();

  final Map<String, String> env = new HashMap<>();
  final Path home;
  final StopSignal stop = new StopSignal();
  private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
  private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
  private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);
  private CompletableFuture<Integer> background;

  Cli(Path home) {
    this.home = home;
  }

  CliContext context() {
    return new CliContext(env, home, out, err, stop, false);
  }

  /** Runs {@code args} to the end; returns the exit code. */
  int run(String... args) {
    return Main.run(context(), args);
  }

  /** Starts {@code args} on another thread. */
  Cli start(String... args) {
    background = CompletableFuture.supplyAsync(() -> Main.run(context(), args));
    return this;
  }

  /** Trips the stop signal and returns the exit code of the background run. */
  int stopAndWait(Duration timeout) throws Exception {
    stop.trip();
    return background.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Waits for the background run to end by itself. */
  int await(Duration timeout) throws Exception {
    return background.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  String out() {
    synchronized (outBytes) {
      return outBytes.toString(StandardCharsets.UTF_8);
    }
  }

  String err() {
    synchronized (errBytes) {
      return errBytes.toString(StandardCharsets.UTF_8);
    }
  }

  /** Every line of standard output parsed as JSON (failing the test if one is not). */
  List<JsonNode> jsonLines() {
    List<JsonNode> lines = new ArrayList<>();
    for (String line : out().split("\n", -1)) {
      if (line.isBlank()) {
        continue;
      }
      try {
        lines.add(JSON.readTree(line));
      } catch (IOException e) {
        throw new UncheckedIOException("not a JSON line: " + line, e);
      }
    }
    return lines;
  }

  /** Waits until a JSON line matches {@code test}; returns it. */
  JsonNode awaitJson(Predicate<JsonNode> test, Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end) {
      for (JsonNode n : jsonLines()) {
        if (test.test(n)) {
          return n;
        }
      }
      if (background != null && background.isDone()) {
        break;
      }
      Thread.sleep(50);
    }
    throw new AssertionError(
        "no matching JSON line within " + timeout + "\nout:\n" + out() + "\nerr:\n" + err());
  }

  static Predicate<JsonNode> event(String name) {
    return n -> name.equals(n.path("event").asText());
  }
}
