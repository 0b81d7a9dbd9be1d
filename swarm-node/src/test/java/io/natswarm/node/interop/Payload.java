package io.natswarm.node.interop;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;

/** Test data: files of seeded random bytes and their SHA-256 (interop and failure tests). */
public final class Payload {
  private Payload() {}

  /** Writes {@code bytes} random bytes (seed {@code seed}) to {@code file}. */
  public static Path write(Path file, long bytes, long seed) throws IOException {
    SplittableRandom r = new SplittableRandom(seed);
    byte[] chunk = new byte[1 << 20];
    try (OutputStream out = Files.newOutputStream(file)) {
      long left = bytes;
      while (left > 0) {
        for (int i = 0; i < chunk.length; i += 8) {
          long v = r.nextLong();
          for (int k = 0; k < 8; k++) {
            chunk[i + k] = (byte) (v >>> (8 * k));
          }
        }
        int n = (int) Math.min(left, chunk.length);
        out.write(chunk, 0, n);
        left -= n;
      }
    }
    return file;
  }

  /** SHA-256 of {@code file} as hex. */
  public static String sha256(Path file) throws IOException {
    MessageDigest d;
    try {
      d = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    byte[] buf = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      int n;
      while ((n = in.read(buf)) > 0) {
        d.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(d.digest());
  }

  /** Whether {@code a} and {@code b} hold the same bytes. */
  public static boolean sameBytes(Path a, Path b) throws IOException {
    return Files.mismatch(a, b) == -1;
  }
}
