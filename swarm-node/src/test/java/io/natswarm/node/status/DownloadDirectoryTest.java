package io.natswarm.node.status;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.natswarm.node.SwarmNode;
import io.natswarm.node.SwarmNodeSettings;
import io.natswarm.node.Transfer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A magnet link added through the status server downloads into the node's download directory and
 * nowhere else, even when the torrent's name (which comes from peers, BEP 9) is {@code ../escape}:
 * Bt's path normalizer turns the {@code ..} element into {@code _}.
 */
@Timeout(90)
class DownloadDirectoryTest {
  @TempDir Path dir;

  private static byte[] metainfo(String name, byte[] data) throws Exception {
    byte[] sha1 = MessageDigest.getInstance("SHA-1").digest(data);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    out.writeBytes(
        ("d4:infod6:lengthi" + data.length + "e4:name" + n.length + ":")
            .getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(n);
    out.writeBytes(
        ("12:piece lengthi" + data.length + "e6:pieces20:").getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(sha1);
    out.writeBytes("ee".getBytes(StandardCharsets.US_ASCII));
    return out.toByteArray();
  }

  @Test
  void aTorrentNamedDotDotStaysInTheDownloadDirectory() throws Exception {
    byte[] data = new byte[1 << 16];
    new Random(23).nextBytes(data);
    Path seedDir = Files.createDirectories(dir.resolve("seed"));
    Files.createDirectories(seedDir.resolve("_"));
    Files.write(seedDir.resolve("_").resolve("escape"), data);
    Path torrentFile = Files.write(dir.resolve("evil.torrent"), metainfo("../escape", data));
    Path downloads = Files.createDirectories(dir.resolve("box").resolve("downloads"));
    try (SwarmNode seeder = SwarmNode.start(SwarmNodeSettings.loopback());
        SwarmNode leecher = SwarmNode.start(SwarmNodeSettings.loopback())) {
      Transfer seeding = seeder.download(torrentFile, seedDir);
      assertThat(seeding.completion().get(30, TimeUnit.SECONDS).complete())
          .as("the seeder found its data under _/escape")
          .isTrue();
      StatusServer status = leecher.serveStatus(StatusServerSettings.loopback(downloads));
      String magnet =
          "magnet:?xt=urn:btih:"
              + seeding.infoHash()
              + "&x.pe=127.0.0.1:"
              + seeder.listenAddress().getPort();
      RawHttp.Response r =
          RawHttp.request(
              status.address(),
              "POST",
              "/api/torrents",
              Map.of("Content-Type", "application/json", RequestGuard.TOKEN_HEADER, status.token()),
              "{\"magnet\":\"" + magnet + "\"}");
      assertThat(r.code()).as(r.body()).isEqualTo(201);
      ObjectMapper json = new ObjectMapper();
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      boolean complete = false;
      while (!complete && System.nanoTime() < end) {
        JsonNode t =
            json.readTree(RawHttp.get(status.address(), "/api/status").body())
                .get("torrents")
                .get(0);
        complete = t.get("complete").asBoolean();
        Thread.sleep(50);
      }
      assertThat(complete).as("the magnet download completed").isTrue();
      assertThat(Files.exists(dir.resolve("box").resolve("escape")))
          .as("nothing outside")
          .isFalse();
      assertThat(Files.readAllBytes(downloads.resolve("_").resolve("escape"))).isEqualTo(data);
      try (Stream<Path> all = Files.walk(dir.resolve("box"))) {
        assertThat(all.filter(Files::isRegularFile))
            .allMatch(p -> p.startsWith(downloads), "every file is under the download directory");
      }
    }
  }

  /**
   * The same through a {@code .torrent} file uploaded to the status server (base64 in JSON): a
   * multi-piece torrent named {@code ../escape} lands under the download directory only, and its
   * pause and resume keep it there.
   */
  @Test
  void anUploadedTorrentNamedDotDotStaysInTheDownloadDirectory() throws Exception {
    byte[] data = new byte[1 << 20];
    new Random(31).nextBytes(data);
    byte[] metainfo = TestMetainfo.of("../escape", data, 1 << 16);
    Path seedDir = Files.createDirectories(dir.resolve("seed"));
    Files.createDirectories(seedDir.resolve("_"));
    Files.write(seedDir.resolve("_").resolve("escape"), data);
    Path torrentFile = Files.write(dir.resolve("evil.torrent"), metainfo);
    Path downloads = Files.createDirectories(dir.resolve("box").resolve("downloads"));
    try (SwarmNode seeder = SwarmNode.start(SwarmNodeSettings.loopback());
        SwarmNode leecher = SwarmNode.start(SwarmNodeSettings.loopback())) {
      Transfer seeding = seeder.download(torrentFile, seedDir);
      assertThat(seeding.completion().get(30, TimeUnit.SECONDS).complete()).isTrue();
      StatusServer status = leecher.serveStatus(StatusServerSettings.loopback(downloads));
      Map<String, String> h =
          Map.of("Content-Type", "application/json", RequestGuard.TOKEN_HEADER, status.token());
      RawHttp.Response r =
          RawHttp.request(
              status.address(),
              "POST",
              "/api/torrents",
              h,
              "{\"torrent\":\"" + java.util.Base64.getEncoder().encodeToString(metainfo) + "\"}");
      assertThat(r.code()).as(r.body()).isEqualTo(201);
      String hash = seeding.infoHash();
      for (String verb : new String[] {"pause", "resume"}) {
        RawHttp.Response a =
            RawHttp.request(
                status.address(), "POST", "/api/torrents/" + hash + "/" + verb, h, "{}");
        assertThat(a.code()).as(a.body()).isEqualTo(200);
      }
      seeding.connect(leecher.listenAddress()); // the seeder dials the leecher
      ObjectMapper json = new ObjectMapper();
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      boolean complete = false;
      while (!complete && System.nanoTime() < end) {
        JsonNode t =
            json.readTree(RawHttp.get(status.address(), "/api/status").body())
                .get("torrents")
                .get(0);
        complete = t.get("complete").asBoolean();
        Thread.sleep(50);
      }
      assertThat(complete).as("the uploaded torrent completed").isTrue();
      assertThat(Files.exists(dir.resolve("box").resolve("escape"))).isFalse();
      assertThat(Files.readAllBytes(downloads.resolve("_").resolve("escape"))).isEqualTo(data);
      try (Stream<Path> all = Files.walk(dir.resolve("box"))) {
        assertThat(all.filter(Files::isRegularFile))
            .allMatch(p -> p.startsWith(downloads), "every file is under the download directory");
      }
    }
  }
}
