package io.natswarm.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --status} and the {@code [status]} settings on {@code natswarm share}: the page, JSON and
 * metrics are served where asked (issue 10); a non-loopback address without a token, and a token
 * too short, are refused before anything listens there.
 */
@Timeout(90)
class StatusOptionTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String[] LOOPBACK = {
    "--bind",
    "127.0.0.1",
    "--port",
    "0",
    "--set",
    "peers.trackers=loopback-only",
    "--set",
    "dht.bootstrap_nodes="
  };

  @TempDir Path tmp;

  private static String[] with(String... more) {
    String[] all = new String[LOOPBACK.length + more.length];
    System.arraycopy(more, 0, all, 0, more.length);
    System.arraycopy(LOOPBACK, 0, all, more.length, LOOPBACK.length);
    return all;
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Test
  void shareServesItsStatusWhereAsked() throws Exception {
    Path data = Files.createDirectories(tmp.resolve("seed")).resolve("a.bin");
    byte[] bytes = new byte[1 << 20];
    new Random(3).nextBytes(bytes);
    Files.write(data, bytes);
    int port = freePort();
    Cli share =
        new Cli(tmp)
            .start(with("share", data.toString(), "--json", "--status", "127.0.0.1:" + port));
    try {
      JsonNode sharing = share.awaitJson(Cli.event("sharing"), WAIT);
      assertThat(share.err()).contains("status page on http://127.0.0.1:" + port + "/");
      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/status"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      JsonNode status = new ObjectMapper().readTree(r.body());
      assertThat(status.get("torrents").get(0).get("infoHash").asText())
          .isEqualTo(sharing.get("info_hash").asText());
      // the sharing line may come before the engine's first progress snapshot of the seed
      long end = System.nanoTime() + WAIT.toNanos();
      while (!status.get("torrents").get(0).get("complete").asBoolean()
          && System.nanoTime() < end) {
        Thread.sleep(50);
        status =
            new ObjectMapper()
                .readTree(
                    http.send(
                            HttpRequest.newBuilder(
                                    URI.create("http://127.0.0.1:" + port + "/api/status"))
                                .build(),
                            HttpResponse.BodyHandlers.ofString())
                        .body());
      }
      assertThat(status.get("torrents").get(0).get("complete").asBoolean()).isTrue();
      HttpResponse<String> m =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(m.body()).contains("natswarm_torrents 1");
    } finally {
      assertThat(share.stopAndWait(WAIT)).as(share.err()).isZero();
    }
  }

  @Test
  void aNonLoopbackStatusAddressWithoutATokenIsRefused() throws Exception {
    Path data = Files.write(tmp.resolve("b.bin"), new byte[1000]);
    Cli share = new Cli(tmp);
    int code = share.run(with("share", data.toString(), "--status", "0.0.0.0:" + freePort()));
    assertThat(code).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(share.err()).contains("not loopback").contains("status.token");
  }

  @Test
  void aShortTokenIsRefused() throws Exception {
    Path data = Files.write(tmp.resolve("c.bin"), new byte[1000]);
    Cli share = new Cli(tmp);
    int code =
        share.run(
            with(
                "share",
                data.toString(),
                "--status",
                "127.0.0.1:" + freePort(),
                "--set",
                "status.token=short"));
    assertThat(code).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(share.err()).contains("status.token").contains("at least 16");
  }

  @Test
  void dhtServesItsTableAndRefusesDownloads() throws Exception {
    int port = freePort();
    Cli dht =
        new Cli(tmp)
            .start(
                "dht",
                "--bind",
                "127.0.0.1",
                "--port",
                "0",
                "--json",
                "--set",
                "dht.bootstrap_nodes=",
                "--set",
                "storage.state_dir=" + tmp.resolve("state"),
                "--status",
                "127.0.0.1:" + port);
    try {
      dht.awaitJson(Cli.event("started"), WAIT);
      assertThat(dht.err()).contains("natswarm dht: status page on http://127.0.0.1:" + port);
      HttpClient http = HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + port;
      JsonNode status =
          new ObjectMapper()
              .readTree(
                  http.send(
                          HttpRequest.newBuilder(URI.create(base + "/api/status")).build(),
                          HttpResponse.BodyHandlers.ofString())
                      .body());
      assertThat(status.get("dht").get("enabled").asBoolean()).isTrue();
      assertThat(status.get("torrents").size()).isZero();
      HttpResponse<String> add =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/api/status".replace("status", "torrents")))
                  .header("Content-Type", "application/json")
                  .header("X-Natswarm-Token", tokenFromPage(http, base))
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"magnet\":\"magnet:?xt=urn:btih:" + "ab".repeat(20) + "\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(add.statusCode()).isEqualTo(409);
      assertThat(add.body()).contains("DHT only");
    } finally {
      assertThat(dht.stopAndWait(WAIT)).as(dht.err()).isZero();
    }
  }

  private static String tokenFromPage(HttpClient http, String base) throws Exception {
    String page =
        http.send(
                HttpRequest.newBuilder(URI.create(base + "/")).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("var pageToken = \"([0-9a-f]+)\"").matcher(page);
    assertThat(m.find()).isTrue();
    return m.group(1);
  }
}
