package io.natswarm.utp.interop;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A libtorrent 2.0.8 session in a {@code /usr/bin/python3} subprocess running one of the helper
 * scripts in {@code src/test/resources/interop/}. The scripts print JSON lines; this class hands
 * them over line by line. {@link #close()} closes the script's stdin (it exits on EOF) and then
 * kills the process by its handle.
 */
final class LibtorrentPeer implements AutoCloseable {
  static final String PYTHON = "/usr/bin/python3";

  private final Process process;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final StringBuilder stderr = new StringBuilder();

  private LibtorrentPeer(Process process) {
    this.process = process;
    Thread out =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String l;
                while ((l = r.readLine()) != null) {
                  lines.add(l);
                }
              } catch (IOException e) {
                // process gone
              }
            },
            "lt-stdout");
    out.setDaemon(true);
    out.start();
    Thread err =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                String l;
                while ((l = r.readLine()) != null) {
                  synchronized (stderr) {
                    if (stderr.length() < 1_000_000) {
                      stderr.append(l).append('\n');
                    }
                  }
                }
              } catch (IOException e) {
                // process gone
              }
            },
            "lt-stderr");
    err.setDaemon(true);
    err.start();
  }

  /** Why libtorrent cannot be used here, or null when {@code import libtorrent} works. */
  static String unavailableReason() {
    try {
      Process p =
          new ProcessBuilder(PYTHON, "-c", "import libtorrent").redirectErrorStream(true).start();
      p.getOutputStream().close();
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return PYTHON + " -c 'import libtorrent' did not finish within 20 s";
      }
      if (p.exitValue() != 0) {
        String msg = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return "python3-libtorrent is not importable by " + PYTHON + ": " + msg.strip();
      }
      return null;
    } catch (IOException e) {
      return PYTHON + " cannot be started: " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  /** Path of a helper script shipped in the test resources. */
  static Path script(String name) {
    URL u = LibtorrentPeer.class.getResource("/interop/" + name);
    if (u == null) {
      throw new IllegalStateException("missing test resource interop/" + name);
    }
    try {
      return Path.of(u.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static LibtorrentPeer start(String scriptName, String... args) throws IOException {
    return startIn(null, scriptName, args);
  }

  /**
   * Starts a helper script inside the network namespace {@code netns} (with {@code ip netns exec};
   * needs root), or in the caller's namespace when it is null.
   */
  static LibtorrentPeer startIn(String netns, String scriptName, String... args)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    if (netns != null) {
      cmd.addAll(List.of("ip", "netns", "exec", netns));
    }
    cmd.add(PYTHON);
    cmd.add("-u");
    cmd.add(script(scriptName).toString());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.directory(script(scriptName).getParent().toFile());
    return new LibtorrentPeer(pb.start());
  }

  /** The next JSON line, or an exception with the script's stderr when none comes in time. */
  String nextLine(long timeoutMillis) throws IOException {
    try {
      String l = lines.poll(timeoutMillis, TimeUnit.MILLISECONDS);
      if (l == null) {
        throw new IOException(
            "libtorrent helper printed nothing within "
                + timeoutMillis
                + " ms (alive="
                + process.isAlive()
                + "); stderr:\n"
                + stderr());
      }
      return l;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  String stderr() {
    synchronized (stderr) {
      return stderr.toString();
    }
  }

  long pid() {
    return process.pid();
  }

  /** Closes the script's stdin (the helpers finish and print their last line on EOF). */
  void closeInput() {
    try {
      process.getOutputStream().close();
    } catch (IOException e) {
      // already gone
    }
  }

  @Override
  public void close() {
    try {
      process.getOutputStream().close();
    } catch (IOException e) {
      // already gone
    }
    try {
      if (!process.waitFor(3, TimeUnit.SECONDS)) {
        process.destroy();
        if (!process.waitFor(2, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          process.waitFor(2, TimeUnit.SECONDS);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  // --- tiny JSON field extraction for the helpers' flat output --------------------------------

  static long longField(String json, String name) {
    Matcher m = Pattern.compile("\"" + name + "\": (-?[0-9.]+)").matcher(json);
    if (!m.find()) {
      throw new IllegalArgumentException("no field " + name + " in " + json);
    }
    return (long) Double.parseDouble(m.group(1));
  }

  static double doubleField(String json, String name) {
    Matcher m = Pattern.compile("\"" + name + "\": (-?[0-9.eE+-]+)").matcher(json);
    if (!m.find()) {
      throw new IllegalArgumentException("no field " + name + " in " + json);
    }
    return Double.parseDouble(m.group(1));
  }

  static String stringField(String json, String name) {
    Matcher m = Pattern.compile("\"" + name + "\": \"([^\"]*)\"").matcher(json);
    if (!m.find()) {
      throw new IllegalArgumentException("no field " + name + " in " + json);
    }
    return m.group(1);
  }

  static boolean boolField(String json, String name) {
    Matcher m = Pattern.compile("\"" + name + "\": (true|false)").matcher(json);
    if (!m.find()) {
      throw new IllegalArgumentException("no field " + name + " in " + json);
    }
    return Boolean.parseBoolean(m.group(1));
  }

  static List<String> stringList(String json, String name) {
    Matcher m = Pattern.compile("\"" + name + "\": \\[([^\\]]*)\\]").matcher(json);
    if (!m.find()) {
      throw new IllegalArgumentException("no field " + name + " in " + json);
    }
    List<String> out = new ArrayList<>();
    Matcher s = Pattern.compile("\"([^\"]*)\"").matcher(m.group(1));
    while (s.find()) {
      out.add(s.group(1));
    }
    return out;
  }
}
