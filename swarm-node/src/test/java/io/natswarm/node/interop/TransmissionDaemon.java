package io.natswarm.node.interop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

/**
 * A Transmission 3.00 daemon ({@code transmission-daemon -f}) inside a {@link VethNamespace},
 * driven through its JSON RPC (Transmission's rpc-spec.txt: {@code torrent-add}, {@code
 * torrent-get}, {@code torrent-remove}, the {@code X-Transmission-Session-Id} handshake).
 *
 * <p>Its configuration directory is a fresh temp directory; peer port {@value #PEER_PORT} and RPC
 * port {@value #RPC_PORT} are on the namespace's address, in a namespace of the test's own, so no
 * other process can hold them; DHT, LPD, PEX, port forwarding, the blocklist and the watch dir are
 * off, so the daemon contacts nobody: peers come only from natswarm's incoming connection. {@link
 * #close()} ends the daemon by its PID ({@code ip netns exec} runs it in place).
 */
final class TransmissionDaemon implements AutoCloseable {
  static final String DAEMON = "transmission-daemon";
  static final String CREATE = "transmission-create";
  static final int PEER_PORT = 51413;
  static final int RPC_PORT = 9091;

  /** Transmission's {@code encryption} setting: 0 clear preferred, 2 encryption required. */
  enum Encryption {
    /** Transmission prefers plaintext and natswarm refuses MSE: the connection is plaintext. */
    PLAIN(0),
    /** Transmission requires MSE (its RC4 mode) and so does natswarm. */
    ENCRYPTED(2);

    final int setting;

    Encryption(int setting) {
      this.setting = setting;
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Process process;
  private final URI rpc;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final StringBuilder log = new StringBuilder();
  private volatile String sessionId = "";

  private TransmissionDaemon(Process process, URI rpc) {
    this.process = process;
    this.rpc = rpc;
    Thread t =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String l;
                while ((l = r.readLine()) != null) {
                  synchronized (log) {
                    if (log.length() < 50_000) {
                      log.append(l).append('\n');
                    }
                  }
                }
              } catch (IOException e) {
                // the daemon is gone
              }
            },
            "transmission-log");
    t.setDaemon(true);
    t.start();
  }

  /** Why Transmission cannot run here, or {@code null} when its daemon and creator are present. */
  static String unavailableReason() {
    for (String tool : new String[] {DAEMON, CREATE}) {
      if (!onPath(tool)) {
        return "needs '"
            + tool
            + "' (Debian packages transmission-daemon and transmission-cli, listed in"
            + " build-support/lab-packages.txt; ./run-tests as root installs them)";
      }
    }
    return null;
  }

  /**
   * Starts a daemon in {@code ns} with its configuration under {@code home} and waits until its RPC
   * answers.
   *
   * @param utp whether Transmission's µTP is on (its TCP always listens)
   */
  static TransmissionDaemon start(VethNamespace ns, Path home, boolean utp, Encryption encryption)
      throws IOException, InterruptedException {
    Path config = Files.createDirectories(home.resolve("config"));
    Path downloads = Files.createDirectories(home.resolve("downloads"));
    ObjectNode s = JSON.createObjectNode();
    s.put("dht-enabled", false);
    s.put("lpd-enabled", false);
    s.put("pex-enabled", false);
    s.put("port-forwarding-enabled", false);
    s.put("blocklist-enabled", false);
    s.put("watch-dir-enabled", false);
    s.put("incomplete-dir-enabled", false);
    s.put("utp-enabled", utp);
    s.put("encryption", encryption.setting);
    s.put("peer-port", PEER_PORT);
    s.put("peer-port-random-on-start", false);
    s.put("bind-address-ipv4", VethNamespace.PEER);
    s.put("bind-address-ipv6", "::1");
    s.put("rpc-enabled", true);
    s.put("rpc-bind-address", VethNamespace.PEER);
    s.put("rpc-port", RPC_PORT);
    s.put("rpc-authentication-required", false);
    s.put("rpc-whitelist-enabled", false);
    s.put("rpc-host-whitelist-enabled", false);
    s.put("download-dir", downloads.toString());
    s.put("start-added-torrents", true);
    s.put("ratio-limit-enabled", false);
    s.put("idle-seeding-limit-enabled", false);
    s.put("download-queue-enabled", false);
    s.put("seed-queue-enabled", false);
    s.put("speed-limit-down-enabled", false);
    s.put("speed-limit-up-enabled", false);
    s.put("alt-speed-enabled", false);
    s.put("message-level", Integer.getInteger("transmission.messageLevel", 2));
    Files.writeString(config.resolve("settings.json"), JSON.writeValueAsString(s));
    ProcessBuilder pb = ns.processIn(DAEMON, "-f", "-g", config.toString());
    pb.redirectErrorStream(true);
    if (Boolean.getBoolean("transmission.deepLog")) {
      // Its per-peer trace, for debugging a test: too long for log(), so into a file of its own.
      pb.environment().put("TR_DEBUG_FD", "2");
      pb.redirectOutput(home.resolve("transmission.log").toFile());
    }
    Process p = pb.start();
    p.getOutputStream().close();
    TransmissionDaemon d =
        new TransmissionDaemon(
            p, URI.create("http://" + VethNamespace.PEER + ":" + RPC_PORT + "/transmission/rpc"));
    try {
      d.awaitRpc(Duration.ofSeconds(20));
      return d;
    } catch (IOException | InterruptedException | RuntimeException e) {
      d.close();
      throw e;
    }
  }

  private void awaitRpc(Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    IOException last = null;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException(
            "transmission-daemon exited (" + process.exitValue() + "):\n" + log());
      }
      try {
        call("session-get", JSON.createObjectNode());
        return;
      } catch (IOException e) {
        last = e;
        Thread.sleep(50);
      }
    }
    throw new IOException(
        "Transmission's RPC did not answer within " + timeout + ":\n" + log(), last);
  }

  /** Makes a v1 torrent of {@code data} with Transmission's own creator (no tracker). */
  static Path create(Path data, int pieceKib, Path torrentOut)
      throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(
                CREATE,
                "-o",
                torrentOut.toString(),
                "-s",
                Integer.toString(pieceKib),
                data.toString())
            .redirectErrorStream(true)
            .start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(CREATE + " failed: " + out);
    }
    return torrentOut;
  }

  /** Adds a torrent from its metainfo, downloading into (or seeding from) {@code directory}. */
  String add(byte[] metainfo, Path directory) throws IOException, InterruptedException {
    ObjectNode a = JSON.createObjectNode();
    a.put("metainfo", Base64.getEncoder().encodeToString(metainfo));
    a.put("download-dir", directory.toString());
    a.put("paused", false);
    JsonNode r = call("torrent-add", a);
    JsonNode added = r.has("torrent-added") ? r.get("torrent-added") : r.get("torrent-duplicate");
    return added.get("hashString").asText();
  }

  /** {@code torrent-get} of one torrent: the requested fields. */
  JsonNode torrent(String hash, String... fields) throws IOException, InterruptedException {
    ObjectNode a = JSON.createObjectNode();
    a.putArray("ids").add(hash);
    ArrayNode f = a.putArray("fields");
    for (String field : fields) {
      f.add(field);
    }
    JsonNode list = call("torrent-get", a).get("torrents");
    if (list.size() != 1) {
      throw new IOException("Transmission has no torrent " + hash);
    }
    return list.get(0);
  }

  /** Removes a torrent (and its resume data), keeping the downloaded files. */
  void remove(String hash) throws IOException, InterruptedException {
    ObjectNode a = JSON.createObjectNode();
    a.putArray("ids").add(hash);
    a.put("delete-local-data", false);
    call("torrent-remove", a);
  }

  /** One RPC call; the result's {@code arguments}. */
  JsonNode call(String method, ObjectNode arguments) throws IOException, InterruptedException {
    ObjectNode body = JSON.createObjectNode();
    body.put("method", method);
    body.set("arguments", arguments);
    byte[] bytes = JSON.writeValueAsBytes(body);
    for (int attempt = 0; attempt < 2; attempt++) {
      HttpRequest req =
          HttpRequest.newBuilder(rpc)
              .timeout(Duration.ofSeconds(10))
              .header("X-Transmission-Session-Id", sessionId)
              .POST(HttpRequest.BodyPublishers.ofByteArray(bytes))
              .build();
      HttpResponse<byte[]> res = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
      if (res.statusCode() == 409) { // CSRF protection: repeat with the id it handed out
        sessionId = res.headers().firstValue("X-Transmission-Session-Id").orElse("");
        continue;
      }
      if (res.statusCode() != 200) {
        throw new IOException(method + ": HTTP " + res.statusCode());
      }
      JsonNode r = JSON.readTree(res.body());
      if (!"success".equals(r.path("result").asText())) {
        throw new IOException(method + ": " + r.path("result").asText());
      }
      return r.get("arguments");
    }
    throw new IOException(method + ": no session id accepted");
  }

  /** What the daemon logged so far. */
  String log() {
    synchronized (log) {
      return log.toString();
    }
  }

  /** Ends the daemon by its PID: SIGTERM, then SIGKILL if it does not exit within 5 s. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private static boolean onPath(String tool) {
    String path = System.getenv("PATH");
    for (String dir : ((path == null ? "" : path) + ":/usr/bin:/usr/local/bin").split(":", -1)) {
      if (!dir.isEmpty() && new File(dir, tool).canExecute()) {
        return true;
      }
    }
    return false;
  }
}
