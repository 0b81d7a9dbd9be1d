package io.natswarm.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.natswarm.node.TransferProgress;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The progress view, the magnet-link check and the .torrent check on their own. */
class OutputPiecesTest {
  private static final long S = 1_000_000_000L;

  @Test
  void progressJsonLinesCarryPiecesRateAndEta() throws Exception {
    StringWriter text = new StringWriter();
    ProgressView view = new ProgressView(new PrintWriter(text), true, false, "ab", 0);
    for (int t = 1; t <= 20; t++) {
      // 1 MiB and 4 pieces a second, of 100
      view.update(new TransferProgress(100, 4 * t, (long) t << 20, 0, 3, 3, 0), t * S);
    }
    view.complete(new TransferProgress(100, 100, 100L << 20, 0, 3, 3, 0), 25 * S);
    String[] lines = text.toString().split("\n");
    assertThat(lines).hasSize(21);
    ObjectMapper json = new ObjectMapper();
    JsonNode last = json.readTree(lines[19]);
    assertThat(last.get("event").asText()).isEqualTo("progress");
    assertThat(last.get("info_hash").asText()).isEqualTo("ab");
    assertThat(last.get("pieces_verified").asInt()).isEqualTo(80);
    assertThat(last.get("pieces_total").asInt()).isEqualTo(100);
    assertThat(last.get("peers").asInt()).isEqualTo(3);
    assertThat(last.get("utp_peers").asInt()).isEqualTo(3);
    assertThat(last.get("tcp_peers").asInt()).isZero();
    assertThat(last.get("holepunched_peers").asInt()).isZero();
    // the smoothed rate approaches 1 MiB/s; 20 pieces left at 4 a second is about 5 s
    assertThat(last.get("rate_bytes_per_second").asDouble())
        .isBetween(0.9 * (1 << 20), 1.0 * (1 << 20));
    assertThat(last.get("eta_seconds").asDouble()).isBetween(5.0, 5.6);
    JsonNode done = json.readTree(lines[20]);
    assertThat(done.get("event").asText()).isEqualTo("complete");
    assertThat(done.get("complete").asBoolean()).isTrue();
  }

  @Test
  void theProgressLineShowsTheBarRateEtaAndPeers() {
    ProgressView view =
        new ProgressView(new PrintWriter(new StringWriter()), false, false, "ab", 0);
    assertThat(view.line(new TransferProgress(0, 0, 0, 0, 1, 1, 0)))
        .startsWith("fetching the torrent's metadata")
        .contains("ETA --:--")
        .contains("peers 1 (µTP 1, TCP 0)");
    for (int t = 1; t <= 30; t++) {
      view.update(new TransferProgress(10, t / 10, (long) t << 20, 0, 2, 2, 0), t * S);
    }
    String line = view.line(new TransferProgress(10, 5, 30L << 20, 0, 2, 2, 0));
    assertThat(line).startsWith("[###############...............]  50.0% 5/10 pieces");
    assertThat(line).contains("KiB/s").contains("ETA 0:").contains("peers 2 (µTP 2, TCP 0)");
    assertThat(view.eta(new TransferProgress(10, 5, 0, 0, 2, 2, 0)))
        .isBetween(Duration.ofSeconds(10), Duration.ofSeconds(60));
  }

  @Test
  void holePunchedConnectionsAreCountedWhenThereAreAny() throws Exception {
    StringWriter text = new StringWriter();
    ProgressView plain = new ProgressView(new PrintWriter(text), false, false, "ab", 0);
    TransferProgress punched = new TransferProgress(10, 5, 5L << 20, 0, 3, 2, 1, 1);
    assertThat(plain.line(punched)).endsWith("peers 3 (µTP 2, TCP 1; 1 hole-punched)");
    assertThat(plain.line(new TransferProgress(10, 5, 5L << 20, 0, 3, 2, 1, 0)))
        .endsWith("peers 3 (µTP 2, TCP 1)");
    plain.complete(new TransferProgress(10, 10, 10L << 20, 0, 3, 2, 1, 2), 4 * S);
    assertThat(text.toString()).contains("; peers 3 (µTP 2, TCP 1; 2 hole-punched)\n");

    StringWriter lines = new StringWriter();
    ProgressView json = new ProgressView(new PrintWriter(lines), true, false, "ab", 0);
    json.update(punched, S);
    JsonNode line = new ObjectMapper().readTree(lines.toString().strip()); // one line
    assertThat(line.get("peers").asInt()).isEqualTo(3);
    assertThat(line.get("holepunched_peers").asInt()).isEqualTo(1);
  }

  @Test
  void magnetLinks() {
    String hex = "0123456789ABCDEF0123456789abcdef01234567";
    assertThat(MagnetLink.problem("magnet:?xt=urn:btih:" + hex + "&dn=a")).isNull();
    assertThat(MagnetLink.problem("magnet:?dn=a&xt=urn%3Abtih%3A" + hex)).isNull();
    assertThat(MagnetLink.problem("magnet:?xt=urn:btih:MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U")).isNull();
    assertThat(MagnetLink.problem("magnet:?xt=urn:btih:" + hex.substring(1)))
        .contains("39 characters");
    assertThat(MagnetLink.problem("magnet:?xt=urn:btmh:1220abcd")).contains("no BitTorrent v1");
    assertThat(MagnetLink.problem("magnet:?xt=urn:btih:" + hex.replace('0', 'g'))).isNotNull();
    assertThat(MagnetLink.looksLikeOne("MAGNET:?x")).isTrue();
    assertThat(MagnetLink.looksLikeOne("file.torrent")).isFalse();
  }

  @Test
  void torrentFiles() {
    String pieces = "x".repeat(20);
    String ok =
        "d8:announce9:http://a/4:infod6:lengthi5e4:name1:a12:piece lengthi16384e6:pieces20:"
            + pieces
            + "ee";
    assertThat(TorrentFileCheck.problem(ok.getBytes(StandardCharsets.ISO_8859_1))).isNull();
    String odd = ok.replace("6:pieces20:" + pieces, "6:pieces19:" + pieces.substring(1));
    assertThat(TorrentFileCheck.problem(odd.getBytes(StandardCharsets.ISO_8859_1)))
        .contains("20-byte SHA-1 hashes");
    assertThat(TorrentFileCheck.problem((ok + "x").getBytes(StandardCharsets.ISO_8859_1)))
        .contains("unexpected bytes");
    assertThat(TorrentFileCheck.problem("d4:infoi3ee".getBytes(StandardCharsets.ISO_8859_1)))
        .contains("not a dictionary");
    assertThat(
            TorrentFileCheck.problem("d4:infod4:name1:aee".getBytes(StandardCharsets.ISO_8859_1)))
        .contains("lacks");
    byte[] deep = ("d1:a" + "l".repeat(100_000)).getBytes(StandardCharsets.ISO_8859_1);
    assertThat(TorrentFileCheck.problem(deep)).contains("nested");
    assertThat(TorrentFileCheck.problem("d999999999:ae".getBytes(StandardCharsets.ISO_8859_1)))
        .contains("malformed");
  }
}
