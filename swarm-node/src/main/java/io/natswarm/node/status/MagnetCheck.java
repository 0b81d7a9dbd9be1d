package io.natswarm.node.status;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Checks a magnet link given to the status server before the engine sees it: a {@code magnet:?} URI
 * with one BTIH exact topic (BEP 9: 40 hex digits or 32 base32 characters). Nothing in the link
 * chooses where files go.
 */
final class MagnetCheck {
  private MagnetCheck() {}

  static final int MAX_LENGTH = 8 << 10;
  private static final Pattern BTIH =
      Pattern.compile("(?:^|&)xt=urn:btih:([0-9a-f]{40}|[a-z2-7]{32})(?:&|$)");

  /** What is wrong with {@code magnet}, or empty if it may be added. */
  static Optional<String> problem(String magnet) {
    if (magnet.length() > MAX_LENGTH) {
      return Optional.of("the magnet link is longer than " + MAX_LENGTH + " characters");
    }
    if (!magnet.startsWith("magnet:?")) {
      return Optional.of("not a magnet link (it must start with \"magnet:?\")");
    }
    for (int i = 0; i < magnet.length(); i++) {
      char c = magnet.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        return Optional.of("the magnet link has a space or a character that is not URI-safe");
      }
    }
    if (!BTIH.matcher(magnet.substring(8).toLowerCase(Locale.ROOT)).find()) {
      return Optional.of(
          "the magnet link has no xt=urn:btih: with 40 hex digits or 32 base32 characters");
    }
    return Optional.empty();
  }
}
