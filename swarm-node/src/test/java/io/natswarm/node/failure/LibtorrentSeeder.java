package io.natswarm.node.failure;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A libtorrent 2.0.8 seeder in a {@code /usr/bin/python3} subprocess, run by the interop tests'
 * script {@code src/test/resources/libtorrent/lt_swarm_peer.py} in its {@code seed} mode over µTP
 * and TCP, any encryption. {@link #close()} closes its stdin (it exits on EOF), then ends it by its
 * handle.
 */
final class LibtorrentSeeder implements AutoCloseable {
  static final String PYTHON = "/usr/bin/python3";

  private final Process process;
  final int port;

  private LibtorrentSeeder(Process process, int port) {
    this.process = process;
    this.port = port;
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
      return p.exitValue() == 0 ? null : "python3-libtorrent is not importable by " + PYTHON;
    } catch (IOException e) {
      return PYTHON + " cannot be started (install python3-libtorrent): " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted while looking for libtorrent";
    }
  }

  /** Seeds {@code data} after writing its v1 torrent ({@code pieceLength}) to {@code torrent}. */
  static LibtorrentSeeder start(Path data, int pieceLength, Path torrent) throws IOException {
    URL u = LibtorrentSeeder.class.getResource("/libtorrent/lt_swarm_peer.py");
    if (u == null) {
      throw new IllegalStateException("missing test resource lt_swarm_peer.py");
    }
    String script;
    try {
      script = Path.of(u.toURI()).toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    Process p =
        new ProcessBuilder(
                List.of(
                    PYTHON,
                    "-u",
                    script,
                    "seed",
                    data.toString(),
                    Integer.toString(pieceLength),
                    torrent.toString(),
                    "both",
                    "any",
                    "300"))
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    try {
      BufferedReader r =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      String hello = r.readLine();
      Matcher m = hello == null ? null : Pattern.compile("\"port\": (\\d+)").matcher(hello);
      if (m == null || !m.find()) {
        throw new IOException("libtorrent seeder printed " + hello);
      }
      return new LibtorrentSeeder(p, Integer.parseInt(m.group(1)));
    } catch (IOException | RuntimeException e) {
      p.destroyForcibly();
      throw e;
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
        process.destroyForcibly();
        process.waitFor(3, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
