package io.natswarm.node.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.natswarm.holepunch.punch.PunchFailure;
import io.natswarm.node.SharedTorrent;
import io.natswarm.node.SwarmNode;
import io.natswarm.node.SwarmNodeSettings;
import io.natswarm.node.Transfer;
import io.natswarm.node.bt.HolepunchService;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status server (issue 10) over two natswarm nodes on loopback: the JSON and the metrics show a
 * torrent seeded by one node and downloaded by the other, with numbers that move; state-changing
 * requests without the token, from another origin or for another host are refused; bad requests get
 * a 4xx with a message and the node goes on serving.
 */
@Timeout(90)
class StatusServerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;

  private static JsonNode status(StatusServer s) throws IOException {
    RawHttp.Response r = RawHttp.get(s.address(), "/api/status");
    assertThat(r.code()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().get("content-type")).startsWith("application/json");
    return JSON.readTree(r.body());
  }

  private static JsonNode torrent(JsonNode status, String infoHash) {
    for (JsonNode t : status.get("torrents")) {
      if (t.get("infoHash").asText().equals(infoHash)) {
        return t;
      }
    }
    return null;
  }

  private static double metric(String text, String name, String labels) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name + labels) + " (\\S+)$").matcher(text);
    assertThat(m.find()).as(name + labels + " in\n" + text).isTrue();
    return Double.parseDouble(m.group(1));
  }

  private Map<String, String> post(StatusServer s) {
    Map<String, String> h = new HashMap<>();
    h.put("Content-Type", "application/json");
    h.put(RequestGuard.TOKEN_HEADER, s.token());
    return h;
  }

  @Test
  void jsonAndMetricsFollowATransferBetweenTwoNodes() throws Exception {
    Path shared = dir.resolve("movie.bin");
    byte[] data = new byte[24 << 20];
    new Random(5).nextBytes(data);
    Files.write(shared, data);
    try (SwarmNode seeder = SwarmNode.start(SwarmNodeSettings.loopback());
        SwarmNode leecher = SwarmNode.start(SwarmNodeSettings.loopback())) {
      StatusServer seederStatus =
          seeder.serveStatus(StatusServerSettings.loopback(dir.resolve("seeder-downloads")));
      StatusServer leecherStatus =
          leecher.serveStatus(StatusServerSettings.loopback(dir.resolve("downloads")));
      assertThat(leecherStatus.address().getAddress().isLoopbackAddress()).isTrue();
      SharedTorrent torrent = seeder.share(shared);
      torrent.transfer().completion().get(30, TimeUnit.SECONDS);
      Path file = Files.write(dir.resolve("movie.torrent"), torrent.metainfo());
      Transfer t = leecher.download(file, dir.resolve("downloads"));

      JsonNode before = torrent(status(leecherStatus), t.infoHash());
      assertThat(before).isNotNull();
      assertThat(before.get("name").asText()).isEqualTo("movie.bin");
      assertThat(before.get("piecesVerified").asInt()).isZero();
      assertThat(before.get("downloadedBytes").asLong()).isZero();
      for (String field :
          new String[] {
            "progress", "downloadRate", "uploadRate", "downloadRateHistory", "peers", "piecesTotal"
          }) {
        assertThat(before.has(field)).as(field).isTrue();
      }

      t.connect(seeder.listenAddress());
      JsonNode withPeer = null;
      long lastBytes = 0;
      int distinctByteCounts = 0;
      long utpRtt = -1; // the largest smoothed RTT a µTP peer showed
      while (!t.completion().isDone()) {
        JsonNode now = torrent(status(leecherStatus), t.infoHash());
        long b = now.get("downloadedBytes").asLong();
        if (b != lastBytes) {
          distinctByteCounts++;
          lastBytes = b;
        }
        if (withPeer == null && now.get("peers").size() > 0) {
          withPeer = now;
        }
        for (JsonNode peer : now.get("peers")) {
          if (peer.get("transport").asText().equals("utp")) {
            utpRtt = Math.max(utpRtt, peer.get("utp").get("rttMicros").asLong());
          }
        }
        Thread.sleep(20);
      }
      t.completion().get();
      Thread.sleep(2200); // two more rate samples
      JsonNode after = status(leecherStatus);
      JsonNode done = torrent(after, t.infoHash());
      assertThat(distinctByteCounts).as("downloadedBytes moved").isGreaterThanOrEqualTo(1);
      assertThat(done.get("piecesVerified").asInt()).isEqualTo(done.get("piecesTotal").asInt());
      assertThat(done.get("progress").asDouble()).isEqualTo(1.0);
      assertThat(done.get("complete").asBoolean()).isTrue();
      assertThat(done.get("downloadedBytes").asLong()).isGreaterThanOrEqualTo(data.length);
      double maxRate = 0;
      for (JsonNode v : done.get("downloadRateHistory")) {
        maxRate = Math.max(maxRate, v.asDouble());
      }
      assertThat(maxRate).as("a download rate was sampled").isGreaterThan(0);
      assertThat(after.get("traffic").get("downloadedBytes").asLong())
          .isGreaterThanOrEqualTo(data.length);
      assertThat(after.has("dht")).isTrue();
      assertThat(after.get("dht").get("enabled").isBoolean()).isTrue();
      assertThat(after.get("pex").has("messagesSent")).isTrue();
      JsonNode reach = after.get("reachability");
      assertThat(reach.get("listenAddress").asText()).isEqualTo("127.0.0.1");
      assertThat(reach.get("externalAddress").asText())
          .as("the seeder's yourip")
          .isEqualTo("127.0.0.1");
      assertThat(reach.get("externalAddressVotes").get(0).get("votes").asInt()).isEqualTo(1);
      assertThat(reach.get("ipv6Upgrades").get("attempted").asLong()).isZero();
      // A node on 127.0.0.1: only this machine can reach it, and it says so and what to change.
      JsonNode v4 = reach.get("families").get(0);
      assertThat(v4.get("family").asText()).isEqualTo("IPv4");
      assertThat(v4.get("verdict").asText()).isEqualTo("not_reachable");
      assertThat(v4.get("summary").asText()).contains("127.0.0.1");
      assertThat(v4.get("advice").get(0).asText()).contains("listen.address");
      assertThat(reach.get("families").get(1).get("verdict").asText()).isEqualTo("not_served");
      assertThat(reach.get("candidates"))
          .extracting(c -> c.get("type").asText() + " " + c.get("transport").asText())
          .containsExactly("host µTP", "host TCP");
      assertThat(reach.get("candidates").get(0).get("address").asText())
          .isEqualTo("127.0.0.1:" + leecher.listenAddress().getPort());
      assertThat(reach.get("externalAddresses").get(0).get("source").asText())
          .isEqualTo("1 peer's BEP 10 yourip");
      assertThat(reach.get("inbound").get("tcp").asLong())
          .as("loopback peers prove nothing about a NAT")
          .isZero();

      assertThat(withPeer).as("a status with the seeder among the peers").isNotNull();
      JsonNode peer = withPeer.get("peers").get(0);
      assertThat(peer.get("address").asText()).isEqualTo("127.0.0.1");
      assertThat(peer.get("port").asInt()).isEqualTo(seeder.listenAddress().getPort());
      assertThat(peer.get("transport").asText()).isIn("utp", "tcp");
      assertThat(peer.get("family").asText()).isEqualTo("ipv4");
      assertThat(peer.get("path").asText()).isEqualTo("direct");
      assertThat(peer.get("direction").asText()).isEqualTo("outgoing");

      JsonNode seeding = torrent(status(seederStatus), t.infoHash());
      assertThat(seeding.get("uploadedBytes").asLong()).isGreaterThanOrEqualTo(data.length);

      RawHttp.Response m = RawHttp.get(leecherStatus.address(), "/metrics");
      assertThat(m.code()).isEqualTo(200);
      assertThat(m.headers().get("content-type")).startsWith("text/plain");
      String text = m.body();
      assertThat(metric(text, "natswarm_payload_bytes_total", "{direction=\"down\"}"))
          .isGreaterThanOrEqualTo(data.length);
      assertThat(metric(text, "natswarm_torrents", "")).isEqualTo(1);
      assertThat(
              metric(
                  text, "natswarm_torrent_pieces_verified", "{infohash=\"" + t.infoHash() + "\"}"))
          .isEqualTo(done.get("piecesTotal").asInt());
      assertThat(text).contains("natswarm_peers{path=\"direct\",transport=\"utp\"}");
      assertThat(metric(text, "natswarm_utp_retransmits", "")).isGreaterThanOrEqualTo(0);
      assertThat(metric(text, "natswarm_utp_rtt_seconds", "")).isGreaterThanOrEqualTo(0);
      assertThat(metric(text, "natswarm_utp_queuing_delay_seconds", "")).isGreaterThanOrEqualTo(0);
      if (peer.get("transport").asText().equals("utp")) {
        assertThat(utpRtt).as("a µTP peer's RTT was shown").isPositive();
      }
      assertThat(text).contains("natswarm_dht_table_nodes ");
      assertThat(text).contains("natswarm_pex_messages_total{direction=\"in\"}");
      assertThat(metric(text, "natswarm_errors_total", "{kind=\"piece_hash_mismatch\"}")).isZero();
      assertThat(
              metric(text, "natswarm_reachability", "{family=\"IPv4\",verdict=\"not_reachable\"}"))
          .as("a loopback node")
          .isEqualTo(1);
      assertThat(metric(text, "natswarm_reachability", "{family=\"IPv4\",verdict=\"reachable\"}"))
          .isZero();
      assertThat(metric(text, "natswarm_inbound_connections_total", "{transport=\"tcp\"}"))
          .isZero();
      assertThat(metric(text, "natswarm_gateway_restarts_total", ""))
          .isEqualTo(status(leecherStatus).get("reachability").get("gatewayRestarts").asDouble())
          .isZero();
      // Two nodes on loopback reach each other directly: the hole punch counters are there, at 0.
      JsonNode hp = status(leecherStatus).get("reachability").get("holepunch");
      assertThat(metric(text, "natswarm_holepunch_unreachable_total", ""))
          .isEqualTo(hp.get("unreachableDirectly").asDouble())
          .isZero();
      assertThat(metric(text, "natswarm_holepunch_rendezvous_requests_total", "")).isZero();
      assertThat(metric(text, "natswarm_holepunch_connections_total", "")).isZero();
      assertThat(metric(text, "natswarm_holepunch_failures_total", "{reason=\"timed_out\"}"))
          .isZero();
      String seederMetrics = RawHttp.get(seederStatus.address(), "/metrics").body();
      assertThat(metric(seederMetrics, "natswarm_payload_bytes_total", "{direction=\"up\"}"))
          .isGreaterThanOrEqualTo(data.length);
    }
  }

  @Test
  void holePunchCountersAreMetricsAndANodeWithoutThemHasNone() throws Exception {
    StatusSource dhtOnly =
        StatusSource.dhtOnly(null, new InetSocketAddress(InetAddress.getLoopbackAddress(), 6881));
    HolepunchService.Counters counters =
        new HolepunchService.Counters(
            7, // unreachable
            5, // asked
            2, // noRendezvous
            4, // introduced
            3, // invited
            2, // dialledAfterPunch
            1, // dialFailedAfterPunch
            6, // punched
            1, // reflexiveDials
            2, // tcpPunched
            List.of(120L, 340L),
            Map.of(PunchFailure.TIMED_OUT, 2L, PunchFailure.NO_SUCH_PEER, 1L),
            9, // relayed
            8, // relayRefused
            1, // relayRateLimited
            0); // malformed
    StatusSource punching =
        (StatusSource)
            Proxy.newProxyInstance(
                StatusSource.class.getClassLoader(),
                new Class<?>[] {StatusSource.class},
                (proxy, method, args) ->
                    method.getName().equals("holepunch") ? counters : method.invoke(dhtOnly, args));
    try (StatusServer s = StatusServer.start(punching, StatusServerSettings.loopback(dir))) {
      String text = RawHttp.get(s.address(), "/metrics").body();
      assertThat(metric(text, "natswarm_holepunch_unreachable_total", "")).isEqualTo(7);
      assertThat(metric(text, "natswarm_holepunch_rendezvous_requests_total", "")).isEqualTo(5);
      assertThat(metric(text, "natswarm_holepunch_connects_total", "{kind=\"introduced\"}"))
          .isEqualTo(4);
      assertThat(metric(text, "natswarm_holepunch_connects_total", "{kind=\"invited\"}"))
          .isEqualTo(3);
      assertThat(metric(text, "natswarm_holepunch_connections_total", "")).isEqualTo(6);
      assertThat(metric(text, "natswarm_holepunch_failures_total", "{reason=\"timed_out\"}"))
          .isEqualTo(2);
      assertThat(metric(text, "natswarm_holepunch_failures_total", "{reason=\"no_such_peer\"}"))
          .isEqualTo(1);
      assertThat(metric(text, "natswarm_holepunch_failures_total", "{reason=\"rendezvous_gone\"}"))
          .as("every reason is there, from 0")
          .isZero();
      assertThat(metric(text, "natswarm_holepunch_relayed_total", "")).isEqualTo(9);
      assertThat(metric(text, "natswarm_holepunch_relay_refused_total", "")).isEqualTo(8);
      assertThat(text).contains("# HELP natswarm_holepunch_connections_total ");
    }
    try (StatusServer s = StatusServer.start(dhtOnly, StatusServerSettings.loopback(dir))) {
      String text = RawHttp.get(s.address(), "/metrics").body();
      assertThat(metric(text, "natswarm_torrents", "")).isZero();
      assertThat(text).as("a DHT-only node has no hole punch").doesNotContain("natswarm_holepunch");
    }
  }

  @Test
  void stateChangesNeedTheTokenAndTheSameOrigin() throws Exception {
    try (SwarmNode node = SwarmNode.start(SwarmNodeSettings.loopback())) {
      StatusServer s = node.serveStatus(StatusServerSettings.loopback(dir.resolve("dl")));
      InetSocketAddress a = s.address();
      String magnet = "magnet:?xt=urn:btih:" + "ab".repeat(20);
      String body = "{\"magnet\":\"" + magnet + "\"}";

      Map<String, String> noToken = post(s);
      noToken.remove(RequestGuard.TOKEN_HEADER);
      assertRefused(RawHttp.request(a, "POST", "/api/torrents", noToken, body), 403, "token");

      Map<String, String> wrong = post(s);
      wrong.put(RequestGuard.TOKEN_HEADER, "not-the-token");
      assertRefused(RawHttp.request(a, "POST", "/api/torrents", wrong, body), 403, "token");

      Map<String, String> crossOrigin = post(s);
      crossOrigin.put("Origin", "http://evil.example");
      assertRefused(
          RawHttp.request(a, "POST", "/api/torrents", crossOrigin, body), 403, "cross-origin");

      Map<String, String> crossSite = post(s);
      crossSite.put("Sec-Fetch-Site", "cross-site");
      assertRefused(
          RawHttp.request(a, "POST", "/api/torrents", crossSite, body), 403, "cross-origin");

      Map<String, String> rebound = post(s);
      rebound.put("Host", "evil.example:" + a.getPort());
      assertRefused(RawHttp.request(a, "POST", "/api/torrents", rebound, body), 403, "Host");
      assertRefused(
          RawHttp.request(a, "GET", "/api/status", Map.of("Host", "evil.example"), (String) null),
          403,
          "Host");

      Map<String, String> form = post(s);
      form.put("Content-Type", "application/x-www-form-urlencoded");
      assertRefused(RawHttp.request(a, "POST", "/api/torrents", form, body), 403, "JSON");

      assertThat(status(s).get("torrents").size()).as("nothing was added").isZero();

      Map<String, String> sameOrigin = post(s);
      sameOrigin.put("Origin", "http://127.0.0.1:" + a.getPort());
      RawHttp.Response ok = RawHttp.request(a, "POST", "/api/torrents", sameOrigin, body);
      assertThat(ok.code()).as(ok.body()).isEqualTo(201);
      assertThat(JSON.readTree(ok.body()).get("infoHash").asText()).isEqualTo("ab".repeat(20));
      assertThat(status(s).get("torrents").get(0).get("infoHash").asText())
          .isEqualTo("ab".repeat(20));
      assertThat(dir.resolve("dl")).isDirectory();

      RawHttp.Response dup = RawHttp.request(a, "POST", "/api/torrents", post(s), body);
      assertThat(dup.code()).isEqualTo(409);

      assertRefused(
          RawHttp.request(a, "POST", "/api/torrents/" + "ab".repeat(20) + "/remove", noToken, "{}"),
          403,
          "token");
      RawHttp.Response removed =
          RawHttp.request(a, "POST", "/api/torrents/" + "ab".repeat(20) + "/remove", post(s), "{}");
      assertThat(removed.code()).as(removed.body()).isEqualTo(200);
      assertThat(status(s).get("torrents").size()).isZero();
    }
  }

  private static RawHttp.Response action(StatusServer s, String hash, String verb)
      throws IOException {
    Map<String, String> h = new HashMap<>();
    h.put("Content-Type", "application/json");
    h.put(RequestGuard.TOKEN_HEADER, s.token());
    return RawHttp.request(s.address(), "POST", "/api/torrents/" + hash + "/" + verb, h, "{}");
  }

  private static JsonNode awaitTorrent(
      StatusServer s, String hash, java.util.function.Predicate<JsonNode> done, String what)
      throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    JsonNode t = null;
    while (System.nanoTime() < end) {
      t = torrent(status(s), hash);
      if (t != null && done.test(t)) {
        return t;
      }
      Thread.sleep(20);
    }
    throw new AssertionError(what + "; last seen: " + t);
  }

  /**
   * Pause and resume through the API, on a download that already has half its pieces on disk: a
   * paused torrent stays listed as paused with its progress, has no peers and does not move even
   * with a seeder offered; resumed, it fetches only the pieces it lacks and completes (its
   * completion future survives the pause). Both actions need the token, are idempotent and answer
   * 404 for a torrent the node does not have; a magnet link still without metadata pauses and
   * resumes too; a removed torrent can be added again.
   */
  @Test
  void pauseAndResumeKeepTheTorrentAndFetchOnlyWhatIsMissing() throws Exception {
    int piece = 256 << 10;
    byte[] data = new byte[64 * piece];
    new Random(11).nextBytes(data);
    byte[] metainfo = TestMetainfo.of("half.bin", data, piece);
    Path seedDir = Files.createDirectories(dir.resolve("seed"));
    Files.write(seedDir.resolve("half.bin"), data);
    Path downloads = Files.createDirectories(dir.resolve("downloads"));
    byte[] half = data.clone();
    java.util.Arrays.fill(half, data.length / 2, data.length, (byte) 0);
    Files.write(downloads.resolve("half.bin"), half);
    Path torrentFile = Files.write(dir.resolve("half.torrent"), metainfo);
    try (SwarmNode seeder = SwarmNode.start(SwarmNodeSettings.loopback());
        SwarmNode leecher = SwarmNode.start(SwarmNodeSettings.loopback())) {
      seeder.download(torrentFile, seedDir).completion().get(30, TimeUnit.SECONDS);
      StatusServer s = leecher.serveStatus(StatusServerSettings.loopback(downloads));
      Transfer t = leecher.download(torrentFile, downloads);
      String hash = t.infoHash();
      awaitTorrent(s, hash, j -> j.get("piecesVerified").asInt() == 32, "half the pieces on disk");
      assertThat(torrent(status(s), hash).get("state").asText()).isEqualTo("active");

      Map<String, String> noToken = post(s);
      noToken.remove(RequestGuard.TOKEN_HEADER);
      for (String verb : new String[] {"pause", "resume"}) {
        assertRefused(
            RawHttp.request(
                s.address(), "POST", "/api/torrents/" + hash + "/" + verb, noToken, "{}"),
            403,
            "token");
        assertRefused(action(s, "cd".repeat(20), verb), 404, "no torrent");
      }
      assertThat(torrent(status(s), hash).get("state").asText()).isEqualTo("active");

      for (int i = 0; i < 2; i++) { // idempotent
        RawHttp.Response paused = action(s, hash, "pause");
        assertThat(paused.code()).as(paused.body()).isEqualTo(200);
        assertThat(JSON.readTree(paused.body()).get("state").asText()).isEqualTo("paused");
      }
      JsonNode p = torrent(status(s), hash);
      assertThat(p.get("state").asText()).isEqualTo("paused");
      assertThat(p.get("name").asText()).isEqualTo("half.bin");
      assertThat(p.get("piecesVerified").asInt()).isEqualTo(32);
      assertThat(p.get("piecesTotal").asInt()).isEqualTo(64);
      assertThat(
              metric(RawHttp.get(s.address(), "/metrics").body(), "natswarm_torrents_paused", ""))
          .isEqualTo(1);

      t.connect(seeder.listenAddress()); // offered a seeder, a paused torrent does not dial it
      Thread.sleep(3000);
      p = torrent(status(s), hash);
      assertThat(p.get("state").asText()).isEqualTo("paused");
      assertThat(p.get("piecesVerified").asInt()).as("no piece while paused").isEqualTo(32);
      assertThat(p.get("downloadedBytes").asLong()).isZero();
      assertThat(p.get("peers").size()).isZero();
      assertThat(t.completion().isDone()).as("a pause does not end the transfer").isFalse();

      for (int i = 0; i < 2; i++) {
        RawHttp.Response resumed = action(s, hash, "resume");
        assertThat(resumed.code()).as(resumed.body()).isEqualTo(200);
        assertThat(JSON.readTree(resumed.body()).get("state").asText()).isEqualTo("active");
      }
      assertThat(t.completion().get(60, TimeUnit.SECONDS).complete()).isTrue();
      JsonNode done = awaitTorrent(s, hash, j -> j.get("complete").asBoolean(), "complete");
      assertThat(done.get("state").asText()).isEqualTo("active");
      assertThat(done.get("piecesVerified").asInt()).isEqualTo(64);
      long fetched = done.get("downloadedBytes").asLong();
      assertThat(fetched)
          .as("only the missing half was fetched (plus endgame duplicates)")
          .isGreaterThanOrEqualTo(data.length / 2)
          .isLessThan(data.length / 2 + data.length / 4);
      assertThat(Files.readAllBytes(downloads.resolve("half.bin"))).isEqualTo(data);
      for (JsonNode peer : done.get("peers")) { // the seeder, if its connection is still open
        assertThat(peer.get("client").asText()).as("BEP 10 v").isNotEmpty();
        assertThat(peer.get("downloadedBytes").asLong()).isBetween(1L, fetched);
      }
      assertThat(
              metric(RawHttp.get(s.address(), "/metrics").body(), "natswarm_torrents_paused", ""))
          .isZero();

      String magnet = "magnet:?xt=urn:btih:" + "ab".repeat(20);
      RawHttp.Response added =
          RawHttp.request(
              s.address(), "POST", "/api/torrents", post(s), "{\"magnet\":\"" + magnet + "\"}");
      assertThat(added.code()).as(added.body()).isEqualTo(201);
      // A magnet link still waiting for its metadata pauses and resumes too.
      assertThat(action(s, "ab".repeat(20), "pause").code()).isEqualTo(200);
      assertThat(torrent(status(s), "ab".repeat(20)).get("state").asText()).isEqualTo("paused");
      RawHttp.Response again = action(s, "ab".repeat(20), "resume");
      assertThat(again.code()).as(again.body()).isEqualTo(200);
      assertThat(torrent(status(s), "ab".repeat(20)).get("state").asText()).isEqualTo("active");

      assertThat(action(s, hash, "pause").code()).isEqualTo(200);
      RawHttp.Response removed = action(s, hash, "remove");
      assertThat(removed.code()).as("a paused torrent can be removed").isEqualTo(200);
      assertThat(torrent(status(s), hash)).isNull();
      Transfer again2 = leecher.download(torrentFile, downloads);
      assertThat(again2.completion().get(30, TimeUnit.SECONDS).complete())
          .as("added again after its removal, it finds every piece on disk")
          .isTrue();
    }
  }

  /**
   * A {@code .torrent} file added through the API (base64 in JSON) is listed with its name and
   * pieces; a body that is not base64, not bencoded or not a torrent is a 400; the same torrent
   * twice is a 409.
   */
  @Test
  void aTorrentFileCanBeAddedThroughTheApi() throws Exception {
    byte[] data = new byte[5 << 20];
    new Random(3).nextBytes(data);
    byte[] metainfo = TestMetainfo.of("upload.bin", data, 1 << 20);
    try (SwarmNode node = SwarmNode.start(SwarmNodeSettings.loopback())) {
      StatusServer s = node.serveStatus(StatusServerSettings.loopback(dir.resolve("dl")));
      String body =
          "{\"torrent\":\"" + java.util.Base64.getEncoder().encodeToString(metainfo) + "\"}";
      RawHttp.Response r = RawHttp.request(s.address(), "POST", "/api/torrents", post(s), body);
      assertThat(r.code()).as(r.body()).isEqualTo(201);
      String hash = JSON.readTree(r.body()).get("infoHash").asText();
      JsonNode t = awaitTorrent(s, hash, j -> j.get("piecesTotal").asInt() == 5, "five pieces");
      assertThat(t.get("name").asText()).isEqualTo("upload.bin");
      assertThat(t.get("state").asText()).isEqualTo("active");
      assertRefused(
          RawHttp.request(s.address(), "POST", "/api/torrents", post(s), body), 409, "already");
      assertRefused(
          RawHttp.request(s.address(), "POST", "/api/torrents", post(s), "{\"torrent\":\"@@\"}"),
          400,
          "base64");
      assertRefused(
          RawHttp.request(
              s.address(), "POST", "/api/torrents", post(s), "{\"torrent\":\"aGVsbG8=\"}"),
          400,
          "not a .torrent");
      assertRefused(
          RawHttp.request(
              s.address(),
              "POST",
              "/api/torrents",
              post(s),
              "{\"torrent\":\""
                  + java.util.Base64.getEncoder()
                      .encodeToString(
                          "d1:ai1ee".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                  + "\"}"),
          400,
          "not a valid torrent");
      assertRefused(
          RawHttp.request(
              s.address(),
              "POST",
              "/api/torrents",
              post(s),
              "{\"torrent\":\"aGVsbG8=\",\"magnet\":\"magnet:?xt=urn:btih:"
                  + "ab".repeat(20)
                  + "\"}"),
          400,
          "expected a JSON object");
      assertThat(status(s).get("torrents").size()).isEqualTo(1);
    }
  }

  @Test
  void badRequestsGetA4xxWithAMessageAndTheNodeGoesOn() throws Exception {
    try (SwarmNode node = SwarmNode.start(SwarmNodeSettings.loopback())) {
      StatusServer s = node.serveStatus(StatusServerSettings.loopback(dir.resolve("dl")));
      InetSocketAddress a = s.address();
      assertRefused(
          RawHttp.request(a, "POST", "/api/torrents", post(s), "{not json"), 400, "not valid JSON");
      assertRefused(
          RawHttp.request(a, "POST", "/api/torrents", post(s), "[1,2]"),
          400,
          "expected a JSON object");
      assertRefused(
          RawHttp.request(a, "POST", "/api/torrents", post(s), "{\"magnet\":7}"),
          400,
          "expected a JSON object");
      assertRefused(
          RawHttp.request(
              a, "POST", "/api/torrents", post(s), "{\"magnet\":\"http://x/y.torrent\"}"),
          400,
          "not a magnet link");
      assertRefused(
          RawHttp.request(
              a, "POST", "/api/torrents", post(s), "{\"magnet\":\"magnet:?xt=urn:btih:1234\"}"),
          400,
          "xt=urn:btih");
      assertRefused(
          RawHttp.request(
              a,
              "POST",
              "/api/torrents",
              post(s),
              "{\"magnet\":\"magnet:?xt=urn:btih:" + "ab".repeat(20) + "&dn=a b\"}"),
          400,
          "URI-safe");
      assertRefused(
          RawHttp.request(a, "POST", "/api/torrents", post(s), new byte[StatusServer.MAX_BODY + 1]),
          413,
          "larger");
      assertRefused(
          RawHttp.request(a, "POST", "/api/torrents/" + "cd".repeat(20) + "/remove", post(s), "{}"),
          404,
          "no torrent");
      assertRefused(RawHttp.get(a, "/nothing-here"), 404, "no such page");
      assertRefused(
          RawHttp.request(a, "DELETE", "/api/status", Map.of(), (String) null), 405, "not allowed");

      JsonNode st = status(s);
      assertThat(st.get("torrents").size()).isZero();
      assertThat(st.get("errors").get("statusBadRequests").asLong()).isEqualTo(7);
      String metrics = RawHttp.get(a, "/metrics").body();
      assertThat(metric(metrics, "natswarm_errors_total", "{kind=\"status_bad_request\"}"))
          .isEqualTo(7);
      RawHttp.Response page = RawHttp.get(a, "/");
      assertThat(page.code()).isEqualTo(200);
      assertThat(page.body()).contains("Reachability").doesNotContain("__NATSWARM_TOKEN__");
      assertThat(page.body()).doesNotContain("src=\"http").doesNotContain("href=\"http");
    }
  }

  @Test
  void aNonLoopbackAddressNeedsAToken() throws Exception {
    try (SwarmNode node = SwarmNode.start(SwarmNodeSettings.loopback())) {
      StatusServerSettings open =
          new StatusServerSettings(
              new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 0), null, dir);
      assertThatThrownBy(() -> node.serveStatus(open))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("not loopback")
          .hasMessageContaining("status.token");
    }
  }

  private static void assertRefused(RawHttp.Response r, int code, String message)
      throws IOException {
    assertThat(r.code()).as(r.body()).isEqualTo(code);
    assertThat(JSON.readTree(r.body()).get("error").asText()).contains(message);
  }
}
