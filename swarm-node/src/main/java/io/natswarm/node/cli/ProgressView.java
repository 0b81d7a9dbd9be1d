package io.natswarm.node.cli;

import io.natswarm.node.TransferProgress;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * Shows a download's progress: a bar with pieces, rate, ETA and peers by transport (and how many
 * were hole-punched, when any were), redrawn in place on a terminal and printed as a line every few
 * seconds otherwise; or, with {@code --json}, one {@code progress} JSON line per tick. The rate is
 * smoothed (an exponential moving average over about five seconds); the ETA comes from the smoothed
 * rate of verified pieces.
 */
final class ProgressView {
  private static final int BAR = 30;
  private static final double SMOOTHING_SECONDS = 5.0;
  private static final Duration PLAIN_LINE_EVERY = Duration.ofSeconds(5);

  private final PrintWriter out;
  private final JsonLines json;
  private final boolean interactive;
  private final String infoHash;
  private final long startNanos;

  private long lastNanos;
  private long lastBytes;
  private int lastPieces;
  private double bytesPerSecond;
  private double piecesPerSecond;
  private long lastPlainLine = Long.MIN_VALUE;
  private boolean drewInPlace;

  ProgressView(PrintWriter out, boolean json, boolean interactive, String infoHash, long nowNanos) {
    this.out = out;
    this.json = json ? new JsonLines(out) : null;
    this.interactive = interactive;
    this.infoHash = infoHash;
    this.startNanos = nowNanos;
    this.lastNanos = nowNanos;
  }

  /** Takes a snapshot at {@code nowNanos} and shows it. */
  void update(TransferProgress p, long nowNanos) {
    double dt = (nowNanos - lastNanos) / 1e9;
    if (dt > 0) {
      double w = 1 - Math.exp(-dt / SMOOTHING_SECONDS);
      double rate = Math.max(0, p.downloadedBytes() - lastBytes) / dt;
      double pieceRate = Math.max(0, p.piecesVerified() - lastPieces) / dt;
      bytesPerSecond += w * (rate - bytesPerSecond);
      piecesPerSecond += w * (pieceRate - piecesPerSecond);
    }
    lastNanos = nowNanos;
    lastBytes = p.downloadedBytes();
    lastPieces = p.piecesVerified();
    if (json != null) {
      json.print(fields("progress", p, nowNanos));
      return;
    }
    String line = line(p);
    if (interactive) {
      out.print("\r" + line + "   ");
      out.flush();
      drewInPlace = true;
    } else if (lastPlainLine == Long.MIN_VALUE
        || nowNanos - lastPlainLine >= PLAIN_LINE_EVERY.toNanos()) {
      out.println(line);
      lastPlainLine = nowNanos;
    }
  }

  /** The download completed and every piece is verified. */
  void complete(TransferProgress p, long nowNanos) {
    endLine();
    if (json != null) {
      json.print(fields("complete", p, nowNanos));
      return;
    }
    Duration took = Duration.ofNanos(nowNanos - startNanos);
    out.printf(
        Locale.ROOT,
        "complete: %d of %d pieces verified, %s received in %s (%s/s on average); peers %s%n",
        p.piecesVerified(),
        p.piecesTotal(),
        Units.bytes((double) p.downloadedBytes()),
        Units.clock(took),
        Units.bytes(p.downloadedBytes() / Math.max(1e-3, took.toNanos() / 1e9)),
        peers(p));
  }

  /** "3 (µTP 2, TCP 1)", with "; 1 hole-punched" before the parenthesis closes when any were. */
  private static String peers(TransferProgress p) {
    StringBuilder b =
        new StringBuilder()
            .append(p.connectedPeers())
            .append(" (µTP ")
            .append(p.utpPeers())
            .append(", TCP ")
            .append(p.tcpPeers());
    if (p.holepunchedPeers() > 0) {
      b.append("; ").append(p.holepunchedPeers()).append(" hole-punched");
    }
    return b.append(')').toString();
  }

  /** The download stopped without completing, because of {@code reason}. */
  void incomplete(TransferProgress p, long nowNanos, String reason) {
    endLine();
    if (json != null) {
      Map<String, Object> m = fields("incomplete", p, nowNanos);
      m.put("reason", reason);
      json.print(m);
    }
  }

  private void endLine() {
    if (drewInPlace) {
      out.println();
      drewInPlace = false;
    }
  }

  String line(TransferProgress p) {
    StringBuilder b = new StringBuilder();
    if (p.piecesTotal() == 0) {
      b.append("fetching the torrent's metadata from peers...");
    } else {
      int filled = (int) ((long) BAR * p.piecesVerified() / p.piecesTotal());
      b.append('[')
          .append("#".repeat(filled))
          .append(".".repeat(BAR - filled))
          .append(']')
          .append(
              String.format(
                  Locale.ROOT,
                  " %5.1f%% %d/%d pieces",
                  100.0 * p.piecesVerified() / p.piecesTotal(),
                  p.piecesVerified(),
                  p.piecesTotal()));
    }
    b.append("  ").append(Units.bytes(bytesPerSecond)).append("/s");
    Duration eta = eta(p);
    b.append("  ETA ").append(eta == null ? "--:--" : Units.clock(eta));
    b.append("  peers ").append(peers(p));
    return b.toString();
  }

  /** Time to the last piece at the smoothed piece rate, or null while it cannot be told. */
  Duration eta(TransferProgress p) {
    if (p.piecesTotal() == 0 || piecesPerSecond < 1e-6) {
      return null;
    }
    double s = (p.piecesTotal() - p.piecesVerified()) / piecesPerSecond;
    return s > 366 * 86400 ? null : Duration.ofMillis((long) (s * 1000));
  }

  private Map<String, Object> fields(String event, TransferProgress p, long nowNanos) {
    Map<String, Object> m = JsonLines.event(event);
    m.put("info_hash", infoHash);
    m.put("elapsed_seconds", Math.round((nowNanos - startNanos) / 1e6) / 1000.0);
    m.put("pieces_total", p.piecesTotal());
    m.put("pieces_verified", p.piecesVerified());
    m.put("downloaded_bytes", p.downloadedBytes());
    m.put("uploaded_bytes", p.uploadedBytes());
    m.put("rate_bytes_per_second", Math.round(bytesPerSecond));
    Duration eta = eta(p);
    m.put("eta_seconds", eta == null ? null : eta.toMillis() / 1000.0);
    m.put("peers", p.connectedPeers());
    m.put("utp_peers", p.utpPeers());
    m.put("tcp_peers", p.tcpPeers());
    m.put("holepunched_peers", p.holepunchedPeers());
    m.put("complete", p.complete());
    return m;
  }
}
