package io.natswarm.node.status;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/** A single-file v1 metainfo (BEP 3) made by hand, so a test chooses the name and piece length. */
final class TestMetainfo {
  private TestMetainfo() {}

  static byte[] of(String name, byte[] data, int pieceLength) {
    ByteArrayOutputStream pieces = new ByteArrayOutputStream();
    MessageDigest sha1;
    try {
      sha1 = MessageDigest.getInstance("SHA-1");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
    for (int at = 0; at < data.length; at += pieceLength) {
      pieces.writeBytes(
          sha1.digest(Arrays.copyOfRange(data, at, Math.min(data.length, at + pieceLength))));
    }
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(ascii("d4:infod6:lengthi" + data.length + "e4:name" + n.length + ":"));
    out.writeBytes(n);
    out.writeBytes(ascii("12:piece lengthi" + pieceLength + "e6:pieces" + pieces.size() + ":"));
    out.writeBytes(pieces.toByteArray());
    out.writeBytes(ascii("ee"));
    return out.toByteArray();
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
