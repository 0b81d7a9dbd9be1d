package io.natswarm.dht.bencode;

import java.nio.ByteBuffer;

/**
 * Writes bencoded values (BEP 3) straight into a {@link ByteBuffer}, allocating nothing. The caller
 * writes dictionary keys in ascending order; {@link io.natswarm.dht.krpc.KrpcWriter} does so for
 * every KRPC message.
 */
public final class BencodeWriter {
  private BencodeWriter() {}

  public static void dict(ByteBuffer out) {
    out.put((byte) 'd');
  }

  public static void list(ByteBuffer out) {
    out.put((byte) 'l');
  }

  public static void end(ByteBuffer out) {
    out.put((byte) 'e');
  }

  public static void integer(ByteBuffer out, long v) {
    out.put((byte) 'i');
    decimal(out, v);
    out.put((byte) 'e');
  }

  /** A string whose bytes are {@code b[off, off+len)}. */
  public static void string(ByteBuffer out, byte[] b, int off, int len) {
    decimal(out, len);
    out.put((byte) ':');
    out.put(b, off, len);
  }

  public static void string(ByteBuffer out, byte[] b) {
    string(out, b, 0, b.length);
  }

  /** The header of a string of length {@code len}; the caller then puts exactly len bytes. */
  public static void stringHeader(ByteBuffer out, int len) {
    decimal(out, len);
    out.put((byte) ':');
  }

  /** A pre-encoded token, e.g. a constant key such as {@code "2:id"}. */
  public static void raw(ByteBuffer out, byte[] encoded) {
    out.put(encoded);
  }

  /** Encodes {@code key} as a bencoded string once, for use with {@link #raw}. */
  public static byte[] key(String key) {
    byte[] k = key.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    String prefix = k.length + ":";
    byte[] r = new byte[prefix.length() + k.length];
    for (int i = 0; i < prefix.length(); i++) {
      r[i] = (byte) prefix.charAt(i);
    }
    System.arraycopy(k, 0, r, prefix.length(), k.length);
    return r;
  }

  private static void decimal(ByteBuffer out, long v) {
    if (v < 0) {
      out.put((byte) '-');
      if (v == Long.MIN_VALUE) {
        throw new IllegalArgumentException("out of range");
      }
      v = -v;
    }
    if (v < 10) {
      out.put((byte) ('0' + v));
      return;
    }
    long div = 1;
    while (v / div >= 10) {
      div *= 10;
    }
    while (div > 0) {
      out.put((byte) ('0' + (v / div) % 10));
      div /= 10;
    }
  }
}
