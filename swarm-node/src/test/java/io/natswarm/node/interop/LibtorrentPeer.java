package io.natswarm.node.interop;

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
 * A libtorrent 2.0.8 session in a {@code /usr/bin/python3} subprocess running {@code
 * src/test/resources/libtorrent/lt_swarm_peer.py}, which prints JSON lines. {@link #close()} closes
 * the script's stdin (it exits on EOF) and then ends the process by its handle.
 *
 * <p>Public for bench's {@code swarm-loopback} (through this module's test-jar).
 */
public final class LibtorrentPeer implements AutoCloseable {
  public static final String PYTHON = "/usr/bin/python3";
  private static final String SCRIPT = "/libtorrent/lt_swarm_peer.py";
  private static final String DHT_SCRIPT = "/libtorrent/lt_dht_swarm.py";

  /** How libtorrent's connections are carried. */
  public enum Transport {
    TCP,
    UTP;

    String arg() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** libtorrent's MSE policy: plaintext only, or RC4 required both ways. */
  public enum Encryption {
    PLAIN,
    ENCRYPTED;

    String arg() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private final Process process;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final StringBuilder stderr = new StringBuilder();

  private LibtorrentPeer(Process process) {
    this.process = process;
    daemon("lt-stdout", () -> pump(process.getInputStream(), lines::add));
    daemon(
        "lt-stderr",
        () ->
            pump(
                process.getErrorStream(),
                l -> {
                  synchronized (stderr) {
                    if (stderr.length() < 20_000) {
                      stderr.append(l).append('\n');
                    }
                  }
                }));
  }

  private static void daemon(String name, Runnable r) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    t.start();
  }

  private static void pump(java.io.InputStream in, java.util.function.Consumer<String> sink) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String l;
      while ((l = r.readLine()) != null) {
        sink.accept(l);
      }
    } catch (IOException e) {
      // the process is gone
    }
  }

  /** Why libtorrent cannot be used here, or null when {@code import libtorrent} works. */
  public static String unavailableReason() {
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
        return "python3-libtorrent (apt package) is not importable by "
            + PYTHON
            + ": "
            + msg.strip();
      }
      return null;
    } catch (IOException e) {
      return PYTHON + " cannot be started (install python3-libtorrent): " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted while looking for libtorrent";
    }
  }

  /** A seeder of {@code data} that writes its v1 torrent to {@code torrentOut}. */
  public static LibtorrentPeer seed(
      Path data, int pieceLength, Path torrentOut, Transport transport, Encryption encryption)
      throws IOException {
    return start(
        "seed",
        data.toString(),
        Integer.toString(pieceLength),
        torrentOut.toString(),
        transport.arg(),
        encryption.arg(),
        "120");
  }

  /** A leecher of {@code torrent} into {@code saveDir} that dials only 127.0.0.1:{@code port}. */
  public static LibtorrentPeer leech(
      Path torrent, Path saveDir, int port, Transport transport, Encryption encryption)
      throws IOException {
    return start(
        "leech",
        torrent.toString(),
        saveDir.toString(),
        Integer.toString(port),
        transport.arg(),
        encryption.arg(),
        "120");
  }

  /**
   * A seeder of {@code data} on libtorrent's {@code high_performance_seed()} settings (plus the
   * loopback settings of LAB.md) and its default encryption policy, in seed mode, for {@code
   * lifetimeSeconds}; writes its v1 torrent to {@code torrentOut}.
   */
  public static LibtorrentPeer highPerformanceSeed(
      Path data, int pieceLength, Path torrentOut, Transport transport, int lifetimeSeconds)
      throws IOException {
    return start(
        "seed",
        data.toString(),
        Integer.toString(pieceLength),
        torrentOut.toString(),
        transport.arg(),
        "any",
        Integer.toString(lifetimeSeconds),
        "high-performance");
  }

  /**
   * A leecher of {@code torrent} on libtorrent's default settings (plus the loopback settings of
   * LAB.md, its default encryption policy) that dials only 127.0.0.1:{@code port} and gives up
   * after {@code timeoutSeconds}.
   */
  public static LibtorrentPeer defaultLeech(
      Path torrent, Path saveDir, int port, Transport transport, int timeoutSeconds)
      throws IOException {
    return start(
        "leech",
        torrent.toString(),
        saveDir.toString(),
        Integer.toString(port),
        transport.arg(),
        "any",
        Integer.toString(timeoutSeconds));
  }

  /**
   * A DHT of {@code nodes} libtorrent sessions on 127.0.0.1 with one seeder of {@code data} in it
   * ({@code src/test/resources/libtorrent/lt_dht_swarm.py}; its first line says when the seeder can
   * be found, and {@link #send send("status")} asks for the seeder's upload count).
   */
  static LibtorrentPeer dhtSwarm(Path data, int pieceLength, int nodes, int timeoutSeconds)
      throws IOException {
    return run(
        DHT_SCRIPT,
        data.toString(),
        Integer.toString(pieceLength),
        Integer.toString(nodes),
        Integer.toString(timeoutSeconds));
  }

  /** Writes one line to the script's stdin. */
  void send(String line) throws IOException {
    java.io.OutputStream in = process.getOutputStream();
    in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    in.flush();
  }

  private static LibtorrentPeer start(String... args) throws IOException {
    return run(SCRIPT, args);
  }

  /** Another script of the test resources ({@code /libtorrent/NAME.py}) with {@code args}. */
  static LibtorrentPeer run(String script, String... args) throws IOException {
    return runIn(null, script, args);
  }

  /** {@link #run} inside the network namespace {@code namespace} (null: this one). */
  static LibtorrentPeer runIn(String namespace, String script, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    if (namespace != null) {
      cmd.addAll(List.of("ip", "netns", "exec", namespace));
    }
    cmd.add(PYTHON);
    cmd.add("-u");
    cmd.add(script(script).toString());
    cmd.addAll(List.of(args));
    return new LibtorrentPeer(new ProcessBuilder(cmd).start());
  }

  private static Path script(String name) {
    URL u = LibtorrentPeer.class.getResource(name);
    if (u == null) {
      throw new IllegalStateException("missing test resource " + name);
    }
    try {
      return Path.of(u.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The next JSON line, or an exception with the script's stderr when none comes in time. */
  public String nextLine(long timeoutMillis) throws IOException {
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

  public String stderr() {
    synchronized (stderr) {
      return stderr.toString();
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

  public static long longField(String json, String name) {
    return (long) doubleField(json, name);
  }

  public static double doubleField(String json, String name) {
    Matcher m = Pattern.compile("\"" + name + "\": (-?[0-9.eE+-]+)").matcher(json);
    if (!m.find()) {
      throw new IllegalArgumentException("no field " + name + " in " + json);
    }
    return Double.parseDouble(m.group(1));
  }

  public static String stringField(String json, String name) {
    Matcher m = Pattern.compile("\"" + name + "\": \"([^\"]*)\"").matcher(json);
    if (!m.find()) {
      throw new IllegalArgumentException("no field " + name + " in " + json);
    }
    return m.group(1);
  }

  public static boolean boolField(String json, String name) {
    Matcher m = Pattern.compile("\"" + name + "\": (true|false)").matcher(json);
    if (!m.find()) {
      throw new IllegalArgumentException("no field " + name + " in " + json);
    }
    return Boolean.parseBoolean(m.group(1));
  }
}
