package io.natswarm.node.bt;

import static org.assertj.core.api.Assertions.assertThat;

import bt.metainfo.TorrentId;
import bt.protocol.crypto.MSECipher;
import io.natswarm.node.PeerEncryption;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link MseReceiver} against a hand-built initiator ({@link MseTranscript}): the same exchange cut
 * at every point, one byte per read and in three random pieces, always with A's encrypted
 * BitTorrent handshake right behind step 3 (as libtorrent sends it); and every way a peer's bytes
 * or our policy can end the exchange.
 */
class MseReceiverTest {

  /** Checks a finished RC4 exchange: step 4, the leftover decrypting once to what A sent. */
  private static void assertRc4Done(MseTranscript t, MseTranscript.Fed f) {
    MseReceiver r = f.receiver;
    assertThat(r.state()).isEqualTo(MseReceiver.State.DONE);
    assertThat(r.error()).isNull();
    assertThat(r.selected()).isEqualTo(MseCrypto.CRYPTO_RC4);
    assertThat(r.initialPlaintext().remaining()).isZero();
    // what we sent: Yb, PadB, then ENCRYPT(VC, crypto_select, len(PadD), PadD)
    byte[] sent = f.sent.toByteArray();
    int vcAt = -1;
    byte[] pattern = t.initiator.decrypt().update(new byte[8]);
    for (int i = 96; i + 8 <= sent.length && vcAt < 0; i++) {
      if (Arrays.equals(sent, i, i + 8, pattern, 0, 8)) {
        vcAt = i;
      }
    }
    assertThat(vcAt).as("ENCRYPT(VC) in our step 4").isBetween(96, 96 + 512);
    byte[] step4 = t.initiator.decrypt().update(Arrays.copyOfRange(sent, vcAt + 8, sent.length));
    ByteBuffer s4 = ByteBuffer.wrap(step4);
    assertThat(s4.getInt()).as("crypto_select").isEqualTo(MseCrypto.CRYPTO_RC4);
    int padD = s4.getShort() & 0xFFFF;
    assertThat(step4.length).isEqualTo(6 + padD);
    // the stream after the handshake: IA and A's handshake, decrypted exactly once
    byte[] left = f.leftover.toByteArray();
    byte[] plain = r.ciphers().decrypt().update(left);
    byte[] expected = new byte[t.ia.length + t.after.length];
    System.arraycopy(t.ia, 0, expected, 0, t.ia.length);
    System.arraycopy(t.after, 0, expected, t.ia.length, t.after.length);
    assertThat(plain).isEqualTo(expected);
    // and our direction keeps in step with A's decryption
    byte[] msg = {0, 0, 0, 1, 2};
    assertThat(t.initiator.decrypt().update(r.ciphers().encrypt().update(msg))).isEqualTo(msg);
  }

  @Test
  void everySplitPointOfTheExchangeGivesTheSameResult() {
    MseTranscript t = new MseTranscript().build(PeerEncryption.REQUIRE_ENCRYPTED);
    for (int cut = 0; cut <= t.bytes.length; cut++) {
      MseTranscript.Fed f = t.feed(PeerEncryption.REQUIRE_ENCRYPTED, cut);
      assertRc4Done(t, f);
      t.build(PeerEncryption.REQUIRE_ENCRYPTED); // fresh initiator ciphers for the next check
    }
  }

  @Test
  void oneBytePerRead() {
    MseTranscript t = new MseTranscript().build(PeerEncryption.REQUIRE_ENCRYPTED);
    int[] cuts = new int[t.bytes.length - 1];
    for (int i = 0; i < cuts.length; i++) {
      cuts[i] = i + 1;
    }
    assertRc4Done(t, t.feed(PeerEncryption.REQUIRE_ENCRYPTED, cuts));
  }

  @Test
  void threePiecesAtRandomCuts() {
    Random random = new Random(7);
    for (int i = 0; i < 150; i++) {
      MseTranscript t = new MseTranscript();
      t.padA = random.nextInt(513);
      t.padC = random.nextInt(513);
      t.build(PeerEncryption.PREFER_ENCRYPTED);
      int a = random.nextInt(t.bytes.length + 1);
      int b = random.nextInt(t.bytes.length + 1);
      assertRc4Done(t, t.feed(PeerEncryption.PREFER_ENCRYPTED, Math.min(a, b), Math.max(a, b)));
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 255, 511, 512})
  void padCSplitAtEveryByte(int padC) {
    MseTranscript t = new MseTranscript();
    t.padC = padC;
    t.build(PeerEncryption.REQUIRE_ENCRYPTED);
    int padStart = t.step3End - padC - 2;
    for (int cut = padStart - 3; cut <= t.step3End + 1; cut++) {
      assertRc4Done(t, t.feed(PeerEncryption.REQUIRE_ENCRYPTED, cut));
      t.build(PeerEncryption.REQUIRE_ENCRYPTED);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 20, 511, 512})
  void anyPadALength(int padA) {
    MseTranscript t = new MseTranscript();
    t.padA = padA;
    t.build(PeerEncryption.REQUIRE_ENCRYPTED);
    assertRc4Done(t, t.feed(PeerEncryption.REQUIRE_ENCRYPTED, t.step1Length));
  }

  @Test
  void padALongerThan512IsNoSyncAfter628Bytes() {
    MseTranscript t = new MseTranscript();
    t.padA = 513;
    t.build(PeerEncryption.REQUIRE_ENCRYPTED);
    MseReceiver r =
        new MseReceiver(
            PeerEncryption.REQUIRE_ENCRYPTED, MseTranscript.TORRENTS, t.receiverRandom());
    ByteBuffer in = ByteBuffer.wrap(t.bytes);
    r.handle(in);
    assertThat(r.error()).isEqualTo(MseError.NO_SYNC);
    assertThat(in.position()).as("bytes consumed").isEqualTo(MseReceiver.REQ1_HORIZON);
  }

  @Test
  void initialPayloadUnderRc4StaysEncryptedForThePipeline() {
    MseTranscript t = new MseTranscript();
    t.ia =
        "IA bytes: a BitTorrent handshake could be here"
            .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    t.build(PeerEncryption.REQUIRE_ENCRYPTED);
    for (int cut : new int[] {t.step3End - 1, t.step3End, t.step3End + 3, t.bytes.length}) {
      assertRc4Done(t, t.feed(PeerEncryption.REQUIRE_ENCRYPTED, cut));
      t.build(PeerEncryption.REQUIRE_ENCRYPTED);
    }
  }

  @Test
  void plaintextChosenInsideMseDecryptsInitialPayloadAndPassesTheRest() {
    MseTranscript t = new MseTranscript();
    t.provide = MseCrypto.CRYPTO_PLAINTEXT | MseCrypto.CRYPTO_RC4;
    t.ia = new byte[] {1, 2, 3, 4, 5};
    t.build(PeerEncryption.PREFER_PLAINTEXT);
    // after step 3 A sends plaintext: rebuild the tail unencrypted
    byte[] enc = t.bytes;
    byte[] bytes = Arrays.copyOf(enc, t.step3End + t.ia.length + t.after.length);
    System.arraycopy(t.after, 0, bytes, t.step3End + t.ia.length, t.after.length);
    for (int cut = t.step3End - 2; cut <= bytes.length; cut++) {
      MseReceiver r =
          new MseReceiver(
              PeerEncryption.PREFER_PLAINTEXT, MseTranscript.TORRENTS, t.receiverRandom());
      MseTranscript.Fed f = MseTranscript.feed(r, bytes, cut);
      assertThat(r.state()).isEqualTo(MseReceiver.State.DONE);
      assertThat(r.selected()).isEqualTo(MseCrypto.CRYPTO_PLAINTEXT);
      assertThat(r.ciphers()).isNull();
      byte[] ia = new byte[r.initialPlaintext().remaining()];
      r.initialPlaintext().get(ia);
      assertThat(ia).isEqualTo(t.ia);
      assertThat(f.leftover.toByteArray()).isEqualTo(t.after);
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = PeerEncryption.class,
      names = {"PREFER_ENCRYPTED", "PREFER_PLAINTEXT", "REQUIRE_PLAINTEXT"})
  void plaintextBitTorrentHandshakeIsHandedOnWhenAllowed(PeerEncryption policy) {
    byte[] hs = MseTranscript.handshake();
    int[] cuts = new int[hs.length - 1];
    for (int i = 0; i < cuts.length; i++) {
      cuts[i] = i + 1;
    }
    MseReceiver r = new MseReceiver(policy, MseTranscript.TORRENTS, MseTranscript.seeded(1));
    MseTranscript.Fed f = MseTranscript.feed(r, hs, cuts);
    assertThat(r.state()).isEqualTo(MseReceiver.State.DONE);
    assertThat(r.plaintextHandshake()).isTrue();
    assertThat(r.ciphers()).isNull();
    assertThat(f.sent.size()).as("nothing sent").isZero();
    ByteBuffer first = r.initialPlaintext();
    byte[] all = new byte[first.remaining() + f.leftover.size()];
    first.get(all, 0, first.remaining());
    System.arraycopy(f.leftover.toByteArray(), 0, all, 20, f.leftover.size());
    assertThat(all).isEqualTo(hs);
  }

  @Test
  void plaintextHandshakeRefusedUnderRequireEncrypted() {
    MseReceiver r =
        new MseReceiver(
            PeerEncryption.REQUIRE_ENCRYPTED, MseTranscript.TORRENTS, MseTranscript.seeded(1));
    r.handle(ByteBuffer.wrap(MseTranscript.handshake()));
    assertThat(r.error()).isEqualTo(MseError.PLAINTEXT_REFUSED);
    assertThat(r.pollOutput()).isNull();
  }

  @Test
  void mseRefusedUnderRequirePlaintext() {
    MseTranscript t = new MseTranscript().build(PeerEncryption.PREFER_ENCRYPTED);
    MseTranscript.Fed f = t.feed(PeerEncryption.REQUIRE_PLAINTEXT);
    assertThat(f.receiver.error()).isEqualTo(MseError.MSE_REFUSED);
    assertThat(f.sent.size()).isZero();
  }

  @Test
  void garbageEndsInNoSyncWithoutReadingPastTheHorizon() {
    byte[] garbage = new byte[5000];
    new Random(3).nextBytes(garbage);
    garbage[0] = 0x55; // not a plaintext handshake
    MseReceiver r =
        new MseReceiver(
            PeerEncryption.PREFER_ENCRYPTED, MseTranscript.TORRENTS, MseTranscript.seeded(1));
    ByteBuffer in = ByteBuffer.wrap(garbage);
    r.handle(in);
    assertThat(r.error()).isEqualTo(MseError.NO_SYNC);
    assertThat(in.position()).isEqualTo(MseReceiver.REQ1_HORIZON);
    assertThat(r.pollOutput().remaining()).as("Yb and PadB went out").isBetween(96, 96 + 512);
  }

  @Test
  void outOfRangePublicKey() {
    byte[] zeros = new byte[96];
    MseReceiver r =
        new MseReceiver(
            PeerEncryption.PREFER_ENCRYPTED, MseTranscript.TORRENTS, MseTranscript.seeded(1));
    r.handle(ByteBuffer.wrap(zeros));
    assertThat(r.error()).isEqualTo(MseError.BAD_PUBLIC_KEY);
  }

  @Test
  void wrongVc() {
    MseTranscript t = new MseTranscript();
    t.vc = new byte[] {0, 0, 0, 0, 0, 0, 0, 1};
    t.build(PeerEncryption.REQUIRE_ENCRYPTED);
    MseTranscript.Fed f = t.feed(PeerEncryption.REQUIRE_ENCRYPTED, 200);
    assertThat(f.receiver.error()).isEqualTo(MseError.BAD_VC);
    assertThat(f.receiver.ciphers()).isNull();
  }

  @Test
  void unknownTorrent() {
    MseTranscript t = new MseTranscript();
    t.skey = MseTranscript.OTHER_INFO_HASH;
    t.build(PeerEncryption.REQUIRE_ENCRYPTED);
    assertThat(t.feed(PeerEncryption.REQUIRE_ENCRYPTED).receiver.error())
        .isEqualTo(MseError.UNKNOWN_TORRENT);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 0x01, 0x04, 0xFFFFFFFC})
  void unsupportedCryptoProvideUnderRequireEncrypted(int provide) {
    MseTranscript t = new MseTranscript();
    t.provide = provide;
    t.build(PeerEncryption.REQUIRE_ENCRYPTED);
    MseTranscript.Fed f = t.feed(PeerEncryption.REQUIRE_ENCRYPTED);
    assertThat(f.receiver.error()).isEqualTo(MseError.NO_COMMON_METHOD);
  }

  @Test
  void cryptoSelectFollowsThePolicy() {
    MseReceiver enc =
        new MseReceiver(
            PeerEncryption.PREFER_ENCRYPTED, MseTranscript.TORRENTS, MseTranscript.seeded(1));
    MseReceiver plain =
        new MseReceiver(
            PeerEncryption.PREFER_PLAINTEXT, MseTranscript.TORRENTS, MseTranscript.seeded(1));
    assertThat(enc.select(3)).isEqualTo(MseCrypto.CRYPTO_RC4);
    assertThat(enc.select(1)).isEqualTo(MseCrypto.CRYPTO_PLAINTEXT);
    assertThat(plain.select(3)).isEqualTo(MseCrypto.CRYPTO_PLAINTEXT);
    assertThat(plain.select(2)).isEqualTo(MseCrypto.CRYPTO_RC4);
    assertThat(plain.select(0x10)).isZero();
  }

  @Test
  void padCLongerThan512() {
    MseTranscript t = new MseTranscript();
    t.padC = 513;
    t.build(PeerEncryption.REQUIRE_ENCRYPTED);
    assertThat(t.feed(PeerEncryption.REQUIRE_ENCRYPTED).receiver.error())
        .isEqualTo(MseError.PAD_TOO_LONG);
  }

  @Test
  void receiverCiphersMatchBtsMseCipher() {
    byte[] s = new byte[96];
    new Random(5).nextBytes(s);
    MseCrypto.Ciphers ours = MseCrypto.receiverCiphers(s, MseTranscript.INFO_HASH);
    MSECipher bt = MSECipher.forReceiver(s, TorrentId.fromBytes(MseTranscript.INFO_HASH));
    byte[] data = new byte[300];
    new Random(6).nextBytes(data);
    assertThat(ours.encrypt().update(data)).isEqualTo(bt.getEncryptionCipher().update(data));
    assertThat(ours.decrypt().update(data)).isEqualTo(bt.getDecryptionCipher().update(data));
  }
}
