package io.natswarm.dht;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Random;

/**
 * Write tokens for get_peers/announce_peer (BEP 5): the first 8 bytes of SHA-1(secret, requester
 * IP). The secret rotates every interval and the previous one is still accepted, so a token is
 * valid for between one and two intervals. Owned by the DHT node's thread; allocation-free for
 * IPv4.
 */
final class TokenSecrets {
  static final int LENGTH = 8;
  private final long rotationNanos;
  private final Random random;
  private final MessageDigest sha1;
  private final byte[] scratch = new byte[8];
  private final byte[] digest = new byte[20];
  private long current;
  private long previous;
  private long nextRotation;

  TokenSecrets(long rotationNanos, Random random, long now) {
    this.rotationNanos = rotationNanos;
    this.random = random;
    try {
      this.sha1 = MessageDigest.getInstance("SHA-1");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is required of every JVM", e);
    }
    current = random.nextLong();
    previous = random.nextLong();
    nextRotation = now + rotationNanos;
  }

  long nextRotation() {
    return nextRotation;
  }

  void maybeRotate(long now) {
    while (now >= nextRotation) {
      previous = current;
      current = random.nextLong();
      nextRotation += rotationNanos;
    }
  }

  /** Writes the current token for {@code ip} into {@code out[off, off+8)}. */
  void token(InetAddress ip, byte[] out, int off) {
    compute(current, ip);
    System.arraycopy(digest, 0, out, off, LENGTH);
  }

  boolean isValid(InetAddress ip, byte[] b, int off, int len) {
    if (len != LENGTH) {
      return false;
    }
    compute(current, ip);
    if (java.util.Arrays.equals(digest, 0, LENGTH, b, off, off + len)) {
      return true;
    }
    compute(previous, ip);
    return java.util.Arrays.equals(digest, 0, LENGTH, b, off, off + len);
  }

  private void compute(long secret, InetAddress ip) {
    for (int i = 0; i < 8; i++) {
      scratch[i] = (byte) (secret >>> (56 - 8 * i));
    }
    sha1.update(scratch, 0, 8);
    if (ip instanceof Inet4Address) {
      int a = ip.hashCode(); // the IPv4 address as an int, without a copy
      for (int i = 0; i < 4; i++) {
        scratch[i] = (byte) (a >>> (24 - 8 * i));
      }
      sha1.update(scratch, 0, 4);
    } else {
      sha1.update(ip.getAddress());
    }
    try {
      sha1.digest(digest, 0, 20);
    } catch (DigestException e) {
      throw new IllegalStateException(e);
    }
  }
}
