package io.natswarm.node.bt;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * The arithmetic of Message Stream Encryption (MSE/PE, the "Message Stream Encryption" spec that
 * libtorrent, Transmission and Azureus speak; no BEP number): the 768-bit Diffie-Hellman group
 * (section "Diffie Hellman"), HASH = SHA-1 of the concatenated arguments, the synchronisation
 * hashes {@code HASH('req1', S)} and {@code HASH('req2', SKEY) xor HASH('req3', S)}, and the RC4
 * stream ciphers keyed {@code HASH('keyA', S, SKEY)} (initiator to receiver) and {@code
 * HASH('keyB', S, SKEY)} (receiver to initiator) whose first 1024 bytes of keystream are discarded.
 *
 * <p>Stateless and thread-safe; the handshakes ({@link MseReceiver}, {@link MseInitiator}) own
 * their key pairs and ciphers.
 */
final class MseCrypto {
  /** The spec's prime P (768 bits) and generator G = 2. */
  static final BigInteger P =
      new BigInteger(
          "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74"
              + "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437"
              + "4FE1356D6D51C245E485B576625E7EC6F44C42E9A63A36210000000000090563",
          16);

  static final BigInteger G = BigInteger.TWO;

  /** Length of Ya, Yb and S on the wire: 768 bits. */
  static final int KEY_BYTES = 96;

  /** Longest PadA, PadB, PadC and PadD. */
  static final int MAX_PAD = 512;

  /** Bits of a private key Xa/Xb (the spec asks for at least 128; libtorrent uses 160). */
  static final int PRIVATE_KEY_BITS = 160;

  /** The verification constant VC: 8 zero bytes. */
  static final int VC_BYTES = 8;

  /** crypto_provide / crypto_select bits. */
  static final int CRYPTO_PLAINTEXT = 0x01;

  static final int CRYPTO_RC4 = 0x02;

  /** Bytes of keystream discarded from each RC4 cipher before use. */
  static final int RC4_DISCARD = 1024;

  private MseCrypto() {}

  /** A Diffie-Hellman key pair: the secret exponent and the public value as sent (96 bytes). */
  static final class KeyPair {
    private final BigInteger secret;
    private final byte[] publicKey;

    KeyPair(BigInteger secret, byte[] publicKey) {
      this.secret = secret;
      this.publicKey = publicKey;
    }

    BigInteger secret() {
      return secret;
    }

    /** The public value, 96 bytes; the caller must not change it. */
    byte[] publicKey() {
      return publicKey;
    }
  }

  /** The two RC4 ciphers of one side, each already past the discarded 1024 bytes. */
  record Ciphers(Cipher encrypt, Cipher decrypt) {}

  static KeyPair generateKeyPair(SecureRandom random) {
    BigInteger x;
    do {
      x = new BigInteger(PRIVATE_KEY_BITS, random);
    } while (x.signum() == 0);
    return new KeyPair(x, toWire(G.modPow(x, P)));
  }

  /**
   * Decodes a peer's public key (96 bytes big-endian at {@code offset}); returns null if it is not
   * in [2, P-2] (0, 1 and P-1 would make S guessable).
   */
  static BigInteger decodePublicKey(byte[] b, int offset) {
    byte[] k = new byte[KEY_BYTES];
    System.arraycopy(b, offset, k, 0, KEY_BYTES);
    BigInteger y = new BigInteger(1, k);
    if (y.compareTo(BigInteger.TWO) < 0 || y.compareTo(P.subtract(BigInteger.TWO)) > 0) {
      return null;
    }
    return y;
  }

  /** S = Y^X mod P, 96 bytes big-endian. */
  static byte[] sharedSecret(BigInteger peerPublic, KeyPair own) {
    return toWire(peerPublic.modPow(own.secret(), P));
  }

  static byte[] toWire(BigInteger v) {
    byte[] raw = v.toByteArray();
    byte[] out = new byte[KEY_BYTES];
    int n = Math.min(raw.length, KEY_BYTES);
    System.arraycopy(raw, raw.length - n, out, KEY_BYTES - n, n);
    return out;
  }

  /** HASH(label, a, b...) = SHA-1 over the ASCII label and the arrays. */
  static byte[] hash(String label, byte[]... parts) {
    MessageDigest sha1 = sha1();
    sha1.update(label.getBytes(StandardCharsets.US_ASCII));
    for (byte[] p : parts) {
      sha1.update(p);
    }
    return sha1.digest();
  }

  /** HASH('req2', SKEY) xor HASH('req3', S). */
  static byte[] obfuscatedSkey(byte[] skey, byte[] s) {
    byte[] a = hash("req2", skey);
    byte[] b = hash("req3", s);
    for (int i = 0; i < a.length; i++) {
      a[i] ^= b[i];
    }
    return a;
  }

  /** The initiator's (A's) ciphers: encrypt with keyA, decrypt with keyB. */
  static Ciphers initiatorCiphers(byte[] s, byte[] skey) {
    return new Ciphers(rc4(hash("keyA", s, skey)), rc4(hash("keyB", s, skey)));
  }

  /** The receiver's (B's) ciphers: encrypt with keyB, decrypt with keyA. */
  static Ciphers receiverCiphers(byte[] s, byte[] skey) {
    return new Ciphers(rc4(hash("keyB", s, skey)), rc4(hash("keyA", s, skey)));
  }

  /** RC4 keyed with {@code key}, past its first 1024 bytes of keystream. */
  static Cipher rc4(byte[] key) {
    try {
      Cipher c = Cipher.getInstance("ARCFOUR/ECB/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "ARCFOUR"));
      c.update(new byte[RC4_DISCARD]);
      return c;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no RC4 (ARCFOUR)", e);
    }
  }

  /** RC4 over {@code b[off, off+len)} in place. */
  static void apply(Cipher c, byte[] b, int off, int len) {
    if (len == 0) {
      return;
    }
    try {
      int n = c.update(b, off, len, b, off);
      if (n != len) {
        throw new IllegalStateException("RC4 returned " + n + " of " + len + " bytes");
      }
    } catch (javax.crypto.ShortBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  private static MessageDigest sha1() {
    try {
      return MessageDigest.getInstance("SHA-1");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-1", e);
    }
  }

  static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }
}
