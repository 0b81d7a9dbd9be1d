package io.natswarm.dht;

import io.natswarm.datagram.Deadlines;
import java.net.InetAddress;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * Write tokens for get_peers/announce_peer (BEP 5, "get_peers": mainline's token is the SHA-1 of a
 * secret that changes every five minutes followed by the requester's IP address): the first 8 bytes
 * of SHA-1(secret, address bytes), where the address bytes are the requester's IPv4 (4 bytes) or
 * IPv6 (16 bytes) address as sent on the wire. The port is left out, as in BEP 5 and libtorrent,
 * since a client may announce from another port than it asked from.
 *
 * <p>The secret rotates every interval and the previous one is still accepted, so a token is valid
 * for between one and two intervals. Secrets come from the injected {@link SecretSource} ({@link
 * SecretSource#SECURE_RANDOM} by default), never from the node's seeded generator: a token is the
 * only proof that a datagram's sender receives at its source address (see {@link SourceGuard}), and
 * it must not be computable from a seed or from the node's id. Owned by the DHT node's thread.
 */
final class TokenSecrets {
  static final int LENGTH = 8;
  static final int SECRET_BYTES = 20;

  private final long rotationNanos;
  private final SecretSource source;
  private final MessageDigest sha1;
  private final byte[] digest = new byte[20];
  private byte[] current = new byte[SECRET_BYTES];
  private byte[] previous = new byte[SECRET_BYTES];
  private long nextRotation;

  TokenSecrets(long rotationNanos, SecretSource source, long now) {
    this.rotationNanos = rotationNanos;
    this.source = source;
    try {
      this.sha1 = MessageDigest.getInstance("SHA-1");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is required of every JVM", e);
    }
    source.fill(current);
    source.fill(previous);
    nextRotation = now + rotationNanos;
  }

  long nextRotation() {
    return nextRotation;
  }

  void maybeRotate(long now) {
    if (!Deadlines.isDue(nextRotation, now)) {
      return;
    }
    if (now - nextRotation >= rotationNanos) {
      // asleep for two intervals or more: every token handed out has expired
      source.fill(current);
      source.fill(previous);
      nextRotation = now + rotationNanos;
      return;
    }
    byte[] t = previous;
    previous = current;
    current = t;
    source.fill(current);
    nextRotation += rotationNanos;
  }

  /** Writes the current token for {@code ip} into {@code out[off, off+8)}. */
  void token(InetAddress ip, byte[] out, int off) {
    compute(current, ip);
    System.arraycopy(digest, 0, out, off, LENGTH);
  }

  /**
   * Whether {@code b[off, off+len)} is a token we issued to {@code ip} in the last two intervals.
   */
  boolean isValid(InetAddress ip, byte[] b, int off, int len) {
    if (len != LENGTH) {
      return false;
    }
    compute(current, ip);
    if (Arrays.equals(digest, 0, LENGTH, b, off, off + len)) {
      return true;
    }
    compute(previous, ip);
    return Arrays.equals(digest, 0, LENGTH, b, off, off + len);
  }

  private void compute(byte[] secret, InetAddress ip) {
    sha1.update(secret);
    sha1.update(ip.getAddress()); // 4 or 16 bytes, a copy: one small array per token
    try {
      sha1.digest(digest, 0, 20);
    } catch (DigestException e) {
      throw new IllegalStateException(e);
    }
  }
}
