package io.natswarm.node.failure;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * {@code natswarm} as a separate JVM: {@code io.natswarm.node.cli.Main} on the test's class path,
 * with its own HOME and none of the caller's {@code NATSWARM_*} variables, stdout read as JSON
 * lines, stderr kept.
 */
final class CliProcess implements AutoCloseable {
  /**
   * Options (after the subcommand) that keep a run on loopback: loopback trackers, no DHT
   * bootstrap, no port mapping.
   */
  static final List<String> LOOPBACK =
      List.of(
          "--bind",
          "127.0.0.1",
          "--port",
          "0",
          "--set",
          "peers.trackers=loopback-only",
          "--set",
          "dht.bootstrap_nodes=",
          "--set",
          "nat.port_mapping=false");

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Process process;
  private final BlockingQueue<JsonNode> lines = new LinkedBlockingQueue<>();
  private final List<JsonNode> seen = new ArrayList<>();
  private final StringBuilder stdoutText = new StringBuilder();
  private final StringBuilder stderr = new StringBuilder();
  private final Thread outPump;
  private final Thread errPump;

  private CliProcess(Process process) {
    this.process = process;
    outPump = pump(process.getInputStream(), this::stdoutLine);
    errPump =
        pump(
            process.getErrorStream(),
            l -> {
              synchronized (stderr) {
                stderr.append(l).append('\n');
              }
            });
  }

  static CliProcess start(Path home, List<String> args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-Xmx256m");
    cmd.add("io.natswarm.node.cli.Main");
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().keySet().removeIf(k -> k.startsWith("NATSWARM_"));
    pb.environment().put("HOME", home.toString());
    return new CliProcess(pb.start());
  }

  private void stdoutLine(String l) {
    synchronized (stdoutText) {
      stdoutText.append(l).append('\n');
    }
    try {
      lines.add(JSON.readTree(l));
    } catch (IOException e) {
      // not JSON: kept in stdoutText only
    }
  }

  private static Thread pump(InputStream in, java.util.function.Consumer<String> sink) {
    Thread t =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String l;
                while ((l = r.readLine()) != null) {
                  sink.accept(l);
                }
              } catch (IOException e) {
                // the process is gone
              }
            },
            "cli-pump");
    t.setDaemon(true);
    t.start();
    return t;
  }

  /**
   * The first JSON line (from now on) that matches {@code test}; null if the process ended or
   * {@code timeout} passed first.
   */
  JsonNode await(Predicate<JsonNode> test, Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = end - System.nanoTime();
      if (left <= 0) {
        return null;
      }
      JsonNode n =
          lines.poll(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)), TimeUnit.NANOSECONDS);
      if (n != null) {
        seen.add(n);
        if (test.test(n)) {
          return n;
        }
      } else if (!process.isAlive() && lines.isEmpty()) {
        outPump.join(1000);
        if (lines.isEmpty()) {
          return null;
        }
      }
    }
  }

  /**
   * The most bytes a {@code get} run had received, in any of its progress {@code lines} that know
   * the torrent, beyond the pieces it had verified over {@code before}: the pieces the previous run
   * had reported verified. Each line is one consistent snapshot of the transfer, and Bt counts a
   * block only when it is written into a piece not yet verified, so a run that lost verified pieces
   * and fetched them again, or fetched pieces it did not keep, shows here beyond the blocks in
   * flight.
   */
  static long receivedBeyondVerified(
      List<JsonNode> lines, int pieces, int pieceLength, int before) {
    long most = 0;
    for (JsonNode l : lines) {
      if (l.path("pieces_total").asInt() == pieces) {
        long gained = (long) (l.get("pieces_verified").asInt() - before) * pieceLength;
        most = Math.max(most, l.get("downloaded_bytes").asLong() - gained);
      }
    }
    return most;
  }

  /**
   * The pieces verified when the run started, from its first progress line that knows the torrent,
   * if nothing had been received yet at that line; else -1 (the run was already downloading).
   */
  static int verifiedAtStart(List<JsonNode> lines, int pieces) {
    for (JsonNode l : lines) {
      if (l.path("pieces_total").asInt() == pieces) {
        return l.get("downloaded_bytes").asLong() == 0 ? l.get("pieces_verified").asInt() : -1;
      }
    }
    return -1;
  }

  /** SIGKILL, and waits for the process to be gone. */
  void kill9() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  /** Waits for the exit; returns the code. */
  int waitFor(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("natswarm did not exit within " + timeout + "\n" + output());
    }
    outPump.join(2000);
    errPump.join(2000);
    JsonNode n;
    while ((n = lines.poll()) != null) {
      seen.add(n);
    }
    return process.exitValue();
  }

  /** The JSON lines taken so far, in order. */
  List<JsonNode> seen() {
    return seen;
  }

  String stderr() {
    synchronized (stderr) {
      return stderr.toString();
    }
  }

  String stdout() {
    synchronized (stdoutText) {
      return stdoutText.toString();
    }
  }

  String output() {
    return "stdout:\n" + stdout() + "\nstderr:\n" + stderr();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
