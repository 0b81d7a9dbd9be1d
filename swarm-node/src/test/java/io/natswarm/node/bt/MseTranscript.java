package io.natswarm.node.bt;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * Test helper: a hand-built MSE initiator (A) against an {@link MseReceiver}, byte for byte as the
 * spec lays out step 1 and step 3, with every field choosable (PadA, PadC, crypto_provide, VC, IA,
 * the bytes that follow). Random numbers come from a seeded generator, so a receiver built with
 * {@link #receiverRandom} answers with the same Yb every time and the whole transcript can be fed
 * to fresh receivers at any split.
 */
final class MseTranscript {
  static final byte[] INFO_HASH = filled(20, 7);
  static final byte[] OTHER_INFO_HASH = filled(20, 9);
  static final MseReceiver.Torrents TORRENTS =
      req2 -> Arrays.equals(MseCrypto.hash("req2", INFO_HASH), req2) ? INFO_HASH.clone() : null;

  int padA = 37;
  int padC = 5;
  int provide = MseCrypto.CRYPTO_RC4;
  byte[] vc = new byte[8];
  byte[] ia = new byte[0];
  byte[] skey = INFO_HASH;

  /** Plaintext stream bytes A sends right behind step 3 (a BitTorrent handshake). */
  byte[] after = handshake();

  long seed = 42;

  // filled in by build()
  byte[] bytes;
  int step1Length;
  int step3End;
  MseCrypto.Ciphers initiator;

  static byte[] filled(int n, int v) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) v);
    return b;
  }

  static byte[] handshake() {
    ByteBuffer b = ByteBuffer.allocate(68);
    b.put((byte) 19).put("BitTorrent protocol".getBytes(StandardCharsets.ISO_8859_1));
    b.put(new byte[8]).put(INFO_HASH).put(filled(20, 'p'));
    return b.array();
  }

  SecureRandom receiverRandom() {
    return seeded(seed);
  }

  static SecureRandom seeded(long seed) {
    try {
      SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
      r.setSeed(seed);
      return r;
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  /** Builds A's whole byte stream, asking a probe receiver for Yb. */
  MseTranscript build(io.natswarm.node.PeerEncryption policy) {
    SecureRandom a = seeded(seed + 1);
    MseCrypto.KeyPair keys = MseCrypto.generateKeyPair(a);
    byte[] pad = new byte[padA];
    a.nextBytes(pad);
    byte[] step1 = new byte[96 + padA];
    System.arraycopy(keys.publicKey(), 0, step1, 0, 96);
    System.arraycopy(pad, 0, step1, 96, padA);
    MseReceiver probe = new MseReceiver(policy, TORRENTS, receiverRandom());
    probe.handle(ByteBuffer.wrap(keys.publicKey()));
    byte[] yb = new byte[96];
    probe.pollOutput().get(yb);
    byte[] s = MseCrypto.sharedSecret(MseCrypto.decodePublicKey(yb, 0), keys);
    initiator = MseCrypto.initiatorCiphers(s, skey);
    byte[] crypt = new byte[8 + 4 + 2 + padC + 2 + ia.length];
    ByteBuffer c = ByteBuffer.wrap(crypt);
    c.put(vc).putInt(provide).putShort((short) padC).put(new byte[padC]);
    c.putShort((short) ia.length).put(ia);
    MseCrypto.apply(initiator.encrypt(), crypt, 0, crypt.length);
    byte[] tail = after.clone();
    MseCrypto.apply(initiator.encrypt(), tail, 0, tail.length);
    ByteBuffer all =
        ByteBuffer.allocate(step1.length + 40 + crypt.length + tail.length)
            .put(step1)
            .put(MseCrypto.hash("req1", s))
            .put(MseCrypto.obfuscatedSkey(skey, s))
            .put(crypt)
            .put(tail);
    bytes = all.array();
    step1Length = step1.length;
    step3End = bytes.length - tail.length - ia.length;
    return this;
  }

  /** The result of feeding chunks to a receiver: what it left over and what it sent. */
  static final class Fed {
    final MseReceiver receiver;
    final java.io.ByteArrayOutputStream leftover = new java.io.ByteArrayOutputStream();
    final java.io.ByteArrayOutputStream sent = new java.io.ByteArrayOutputStream();

    Fed(MseReceiver receiver) {
      this.receiver = receiver;
    }
  }

  /** Feeds {@code bytes} cut at {@code cuts} (ascending offsets) to a fresh receiver. */
  Fed feed(io.natswarm.node.PeerEncryption policy, int... cuts) {
    return feed(new MseReceiver(policy, TORRENTS, receiverRandom()), bytes, cuts);
  }

  static Fed feed(MseReceiver r, byte[] bytes, int... cuts) {
    Fed f = new Fed(r);
    int from = 0;
    for (int i = 0; i <= cuts.length; i++) {
      int to = i < cuts.length ? cuts[i] : bytes.length;
      ByteBuffer chunk = ByteBuffer.wrap(bytes, from, to - from);
      if (!r.isDone() && !r.isFailed()) {
        r.handle(chunk);
        ByteBuffer o;
        while ((o = r.pollOutput()) != null) {
          f.sent.write(o.array(), o.arrayOffset() + o.position(), o.remaining());
        }
      }
      if (r.isDone()) {
        f.leftover.write(chunk.array(), chunk.position(), chunk.remaining());
      }
      from = to;
    }
    return f;
  }
}
