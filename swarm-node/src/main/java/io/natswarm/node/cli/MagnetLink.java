package io.natswarm.node.cli;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Checks a magnet link (BEP 9) before the engine sees it: it must carry a BitTorrent v1 info-hash,
 * {@code xt=urn:btih:} with 40 hex digits or 32 base32 characters.
 */
final class MagnetLink {
  private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]{40}");
  private static final Pattern BASE32 = Pattern.compile("[A-Za-z2-7]{32}");

  private MagnetLink() {}

  static boolean looksLikeOne(String arg) {
    return arg.regionMatches(true, 0, "magnet:", 0, 7);
  }

  /** What is wrong with {@code uri}, or null when it is a usable BTIH magnet link. */
  static String problem(String uri) {
    int q = uri.indexOf('?');
    if (!uri.regionMatches(true, 0, "magnet:?", 0, 8) || q < 0) {
      return "a magnet link starts with magnet:?";
    }
    String xt = null;
    for (String part : uri.substring(q + 1).split("&", -1)) {
      int eq = part.indexOf('=');
      if (eq > 0 && part.substring(0, eq).toLowerCase(Locale.ROOT).startsWith("xt")) {
        String v = URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
        if (v.regionMatches(true, 0, "urn:btih:", 0, 9)) {
          xt = v.substring(9);
          break;
        }
        if (xt == null) {
          xt = "";
        }
      }
    }
    if (xt == null) {
      return "it has no info-hash (xt=urn:btih:...)";
    }
    if (xt.isEmpty()) {
      return "it has no BitTorrent v1 info-hash (xt=urn:btih:...)";
    }
    if (!HEX.matcher(xt).matches() && !BASE32.matcher(xt).matches()) {
      return "the info-hash '"
          + xt
          + "' is not 40 hex digits or 32 base32 characters ("
          + xt.length()
          + " characters)";
    }
    return null;
  }
}
