package io.natswarm.node.cli;

import java.nio.charset.StandardCharsets;

/**
 * Checks that bytes are a BEP 3 metainfo file before the engine sees them: one bencoded dictionary
 * with an {@code info} dictionary holding {@code name}, {@code piece length} and {@code pieces} (a
 * multiple of 20 bytes). Returns what is wrong rather than throwing; reads at most what the input
 * holds, and no deeper than {@link #MAX_DEPTH} levels.
 */
final class TorrentFileCheck {
  static final int MAX_DEPTH = 64;

  private final byte[] b;
  private int pos;
  private String problem;

  private boolean sawInfo;
  private boolean sawName;
  private boolean sawPieceLength;
  private long piecesLength = -1;

  private TorrentFileCheck(byte[] bytes) {
    this.b = bytes;
  }

  /** What is wrong with {@code bytes} as a .torrent file, or null when nothing is. */
  static String problem(byte[] bytes) {
    if (bytes.length == 0) {
      return "the file is empty";
    }
    if (bytes[0] != 'd') {
      return "it is not a bencoded dictionary (it does not start with 'd')";
    }
    TorrentFileCheck c = new TorrentFileCheck(bytes);
    if (!c.value(0, null) && c.problem == null) {
      c.problem = "malformed bencoding at byte " + c.pos;
    }
    if (c.problem != null) {
      return c.problem;
    }
    if (c.pos != bytes.length) {
      return "unexpected bytes after the dictionary, at byte " + c.pos;
    }
    if (!c.sawInfo) {
      return "it has no info dictionary";
    }
    if (!c.sawName || !c.sawPieceLength || c.piecesLength < 0) {
      return "its info dictionary lacks name, piece length or pieces";
    }
    if (c.piecesLength == 0 || c.piecesLength % 20 != 0) {
      return "its pieces field is not a list of 20-byte SHA-1 hashes";
    }
    return null;
  }

  /** Reads one value; {@code path} is "info" inside the top-level info dictionary. */
  private boolean value(int depth, String path) {
    if (depth > MAX_DEPTH) {
      problem = "nested more than " + MAX_DEPTH + " levels deep";
      return false;
    }
    if (pos >= b.length) {
      return false;
    }
    byte c = b[pos];
    if (c == 'i') {
      int end = indexOf('e', pos + 1);
      if (end < 0 || end == pos + 1) {
        return false;
      }
      pos = end + 1;
      return true;
    }
    if (c == 'l') {
      pos++;
      while (pos < b.length && b[pos] != 'e') {
        if (!value(depth + 1, null)) {
          return false;
        }
      }
      return pos++ < b.length;
    }
    if (c == 'd') {
      pos++;
      while (pos < b.length && b[pos] != 'e') {
        long len = stringLength();
        if (len < 0) {
          return false;
        }
        String key = new String(b, (int) (pos - len), (int) len, StandardCharsets.UTF_8);
        String inner = null;
        if (depth == 0 && key.equals("info")) {
          if (pos >= b.length || b[pos] != 'd') {
            problem = "its info field is not a dictionary";
            return false;
          }
          sawInfo = true;
          inner = "info";
        }
        if ("info".equals(path)) {
          if (key.equals("name")) {
            sawName = true;
          } else if (key.equals("piece length")) {
            sawPieceLength = true;
          } else if (key.equals("pieces")) {
            int before = pos;
            long n = stringLength();
            if (n < 0) {
              return false;
            }
            piecesLength = n;
            if (pos < before) {
              return false;
            }
            continue;
          }
        }
        if (!value(depth + 1, inner)) {
          return false;
        }
      }
      return pos++ < b.length;
    }
    return stringLength() >= 0;
  }

  /** Reads a byte string, leaving {@code pos} after it; its length, or -1 if malformed. */
  private long stringLength() {
    int colon = indexOf(':', pos);
    if (colon <= pos || colon - pos > 10) {
      return -1;
    }
    long n = 0;
    for (int i = pos; i < colon; i++) {
      if (b[i] < '0' || b[i] > '9') {
        return -1;
      }
      n = n * 10 + (b[i] - '0');
    }
    if (n > b.length - colon - 1) {
      return -1;
    }
    pos = colon + 1 + (int) n;
    return n;
  }

  private int indexOf(char c, int from) {
    for (int i = from; i < b.length; i++) {
      if (b[i] == c) {
        return i;
      }
    }
    return -1;
  }
}
