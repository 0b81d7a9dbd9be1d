package io.natswarm.holepunch.relay;

import static io.natswarm.holepunch.relay.RelayCodecTest.filled;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.natswarm.holepunch.relay.RelayCipher.OpenResult;
import io.natswarm.holepunch.relay.RelayCipher.Status;
import java.math.BigInteger;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class RelayCipherTest {
  private static final byte[] INFO_HASH = filled(20, 0x5A);
  private static final byte[] I_ID = filled(20, 0xA1);
  private static final byte[] T_ID = filled(20, 0xB2);
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Low-order points of Curve25519 (and non-canonical encodings of them). */
  private static final List<String> LOW_ORDER =
      List.of(
          "0000000000000000000000000000000000000000000000000000000000000000",
          "0100000000000000000000000000000000000000000000000000000000000000",
          "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
          "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
          "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
          "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
          "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");

  private RelayCipher initiator = RelayCipher.initiator(INFO_HASH, I_ID, RANDOM);
  private RelayCipher target =
      RelayCipher.target(INFO_HASH, T_ID, initiator.publicKey(), I_ID, RANDOM);

  private void complete() {
    assertThat(initiator.complete(target.publicKey(), T_ID)).isTrue();
  }

  private static ByteBuffer seal(RelayCipher c, byte[] plaintext) {
    ByteBuffer frame = ByteBuffer.allocate(RelayCipher.MAX_FRAME);
    ByteBuffer in = ByteBuffer.wrap(plaintext);
    int n = c.seal(in, frame);
    assertThat(n).isEqualTo(plaintext.length + RelayCipher.TAG);
    assertThat(in.hasRemaining()).isFalse();
    return frame.flip();
  }

  private static byte[] open(RelayCipher c, ByteBuffer frame) {
    ByteBuffer out = ByteBuffer.allocate(RelayCipher.MAX_PLAINTEXT);
    OpenResult r = c.open(frame, out);
    assertThat(r.status()).isEqualTo(Status.OK);
    assertThat(r.ok()).isTrue();
    assertThat(frame.hasRemaining()).isFalse();
    assertThat(r.length()).isEqualTo(out.position());
    return Arrays.copyOf(out.array(), out.position());
  }

  @Test
  void bothEndsAgreeAndCarryManyFramesBothWays() {
    assertThat(target.ready()).isTrue();
    assertThat(initiator.ready()).isFalse();
    complete();
    assertThat(initiator.ready()).isTrue();
    assertThat(initiator.publicKey()).hasSize(32).isNotEqualTo(target.publicKey());
    Random random = new Random(3);
    for (int k = 0; k < 300; k++) {
      int n = k % 50 == 0 ? RelayCipher.MAX_PLAINTEXT : random.nextInt(k % 7 == 0 ? 1 : 3000);
      byte[] p = new byte[n];
      random.nextBytes(p);
      boolean toTarget = random.nextBoolean();
      RelayCipher from = toTarget ? initiator : target;
      RelayCipher to = toTarget ? target : initiator;
      ByteBuffer frame = seal(from, p);
      assertThat(frame.remaining()).isEqualTo(n + RelayCipher.TAG);
      assertThat(open(to, frame)).isEqualTo(p);
    }
  }

  @Test
  void directBuffersAndOffsetsWorkAndTheSameBytesSealDifferentlyEachFrame() {
    complete();
    byte[] p = "hello through the relay".getBytes(StandardCharsets.UTF_8);
    ByteBuffer plain = ByteBuffer.allocateDirect(100);
    plain.position(10);
    plain.put(p).flip().position(10);
    ByteBuffer frame = ByteBuffer.allocateDirect(200);
    frame.position(5);
    int n = initiator.seal(plain, frame);
    frame.flip().position(5);
    ByteBuffer first = ByteBuffer.allocate(n).put(frame.duplicate()).flip();
    ByteBuffer out = ByteBuffer.allocateDirect(100);
    out.position(3);
    assertThat(target.open(frame, out)).isEqualTo(new OpenResult(Status.OK, p.length));
    byte[] got = new byte[p.length];
    out.flip().position(3);
    out.get(got);
    assertThat(got).isEqualTo(p);

    ByteBuffer second = seal(initiator, p);
    assertThat(second).isNotEqualTo(first); // another nonce
    assertThat(open(target, second)).isEqualTo(p);
  }

  @Test
  void sealTakesAtMostOneFramesWorthAndNeedsRoomForIt() {
    complete();
    ByteBuffer big = ByteBuffer.allocate(RelayCipher.MAX_PLAINTEXT + 100);
    ByteBuffer frame = ByteBuffer.allocate(RelayCodec.MAX_DATA);
    assertThat(initiator.seal(big, frame)).isEqualTo(RelayCodec.MAX_DATA);
    assertThat(big.remaining()).isEqualTo(100);
    ByteBuffer small = ByteBuffer.allocate(100 + RelayCipher.TAG - 1);
    assertThatThrownBy(() -> initiator.seal(big, small))
        .isInstanceOf(BufferOverflowException.class);
    assertThat(big.remaining()).isEqualTo(100);
    assertThat(small.position()).isZero();
    assertThat(open(target, frame.flip())).hasSize(RelayCipher.MAX_PLAINTEXT);
    // a failed seal used no nonce: the next frame still opens
    assertThat(open(target, seal(initiator, new byte[] {1}))).containsExactly(1);
  }

  @Test
  void aTamperedFrameFailsAndTheCipherIsDeadAfter() {
    complete();
    byte[] p = filled(64, 7);
    for (int i : new int[] {0, 40, 64 + 15}) {
      RelayCipher a = RelayCipher.initiator(INFO_HASH, I_ID, RANDOM);
      RelayCipher b = RelayCipher.target(INFO_HASH, T_ID, a.publicKey(), I_ID, RANDOM);
      a.complete(b.publicKey(), T_ID);
      ByteBuffer frame = seal(a, p);
      frame.put(i, (byte) (frame.get(i) ^ 1));
      ByteBuffer out = ByteBuffer.allocate(100);
      assertThat(b.open(frame, out).status()).isEqualTo(Status.AUTH_FAILED);
      assertThat(frame.position()).isZero();
      assertThat(out.position()).isZero();
      assertThat(out.array()).containsOnly(0); // no unauthenticated plaintext left
      assertThat(b.dead()).isTrue();
      ByteBuffer good = seal(a, p);
      assertThat(b.open(good, out).status()).isEqualTo(Status.AUTH_FAILED);
    }
  }

  @Test
  void aReplayedReorderedOrDroppedFrameFails() {
    complete();
    ByteBuffer f0 = seal(initiator, new byte[] {0});
    ByteBuffer f1 = seal(initiator, new byte[] {1});
    ByteBuffer f0again = f0.duplicate();
    assertThat(open(target, f0)).containsExactly(0);
    assertThat(target.open(f0again, ByteBuffer.allocate(10)).status())
        .isEqualTo(Status.AUTH_FAILED);

    RelayCipher a = RelayCipher.initiator(INFO_HASH, I_ID, RANDOM);
    RelayCipher b = RelayCipher.target(INFO_HASH, T_ID, a.publicKey(), I_ID, RANDOM);
    a.complete(b.publicKey(), T_ID);
    seal(a, new byte[] {0});
    ByteBuffer second = seal(a, new byte[] {1});
    assertThat(b.open(second, ByteBuffer.allocate(10)).status()).isEqualTo(Status.AUTH_FAILED);
    // and the original receiver, past frame 0 but dead after the replay, refuses frame 1 too
    assertThat(target.open(f1, ByteBuffer.allocate(10)).status()).isEqualTo(Status.AUTH_FAILED);
  }

  @Test
  void aFrameOfTheOtherDirectionFails() {
    complete();
    ByteBuffer fromTarget = seal(target, new byte[] {9});
    assertThat(target.open(fromTarget, ByteBuffer.allocate(10)).status())
        .isEqualTo(Status.AUTH_FAILED);
  }

  @Test
  void aTruncatedFrameFailsATooShortOneIsRefusedAndNoRoomConsumesNothing() {
    complete();
    ByteBuffer frame = seal(initiator, filled(100, 3));
    ByteBuffer out = ByteBuffer.allocate(99);
    assertThat(target.open(frame, out)).isEqualTo(new OpenResult(Status.NO_ROOM, 0));
    assertThat(frame.position()).isZero();
    assertThat(target.open(ByteBuffer.allocate(15), out).status()).isEqualTo(Status.TOO_SHORT);
    assertThat(target.dead()).isFalse();
    ByteBuffer truncated = frame.duplicate().limit(frame.limit() - 1);
    assertThat(open(target, frame)).isEqualTo(filled(100, 3));
    assertThat(target.open(truncated, ByteBuffer.allocate(200)).status())
        .isEqualTo(Status.AUTH_FAILED);
    ByteBuffer tooLong = ByteBuffer.allocate(RelayCipher.MAX_FRAME + 1);
    RelayCipher other = RelayCipher.target(INFO_HASH, T_ID, initiator.publicKey(), I_ID, RANDOM);
    assertThat(other.open(tooLong, ByteBuffer.allocate(RelayCipher.MAX_FRAME + 1)).status())
        .isEqualTo(Status.AUTH_FAILED);
  }

  @Test
  void anEmptyPlaintextIsAFrameOfJustTheTag() {
    complete();
    ByteBuffer frame = seal(initiator, new byte[0]);
    assertThat(frame.remaining()).isEqualTo(RelayCipher.TAG);
    assertThat(target.open(frame, ByteBuffer.allocate(0))).isEqualTo(new OpenResult(Status.OK, 0));
  }

  @Test
  void aWrongInfoHashOnOneSideFailsTheFirstFrame() {
    RelayCipher t = RelayCipher.target(filled(20, 0x5B), T_ID, initiator.publicKey(), I_ID, RANDOM);
    assertThat(initiator.complete(t.publicKey(), T_ID)).isTrue();
    assertThat(t.open(seal(initiator, new byte[] {1}), ByteBuffer.allocate(10)).status())
        .isEqualTo(Status.AUTH_FAILED);
    assertThat(initiator.open(seal(t, new byte[] {1}), ByteBuffer.allocate(10)).status())
        .isEqualTo(Status.AUTH_FAILED);
  }

  @Test
  void aRelayLyingAboutEitherPeerIdFailsTheFirstFrame() {
    byte[] lie = filled(20, 0xCC);
    assertThat(initiator.complete(target.publicKey(), lie)).isTrue();
    assertThat(target.open(seal(initiator, new byte[] {1}), ByteBuffer.allocate(10)).status())
        .isEqualTo(Status.AUTH_FAILED);

    RelayCipher a = RelayCipher.initiator(INFO_HASH, I_ID, RANDOM);
    RelayCipher b = RelayCipher.target(INFO_HASH, T_ID, a.publicKey(), lie, RANDOM);
    assertThat(a.complete(b.publicKey(), T_ID)).isTrue();
    assertThat(a.open(seal(b, new byte[] {1}), ByteBuffer.allocate(10)).status())
        .isEqualTo(Status.AUTH_FAILED);
  }

  @Test
  void aLowOrderKeyIsRefusedWithoutAnException() {
    for (String hex : LOW_ORDER) {
      byte[] key = HexFormat.of().parseHex(hex);
      assertThat(RelayCipher.target(INFO_HASH, T_ID, key, I_ID, RANDOM)).as(hex).isNull();
      RelayCipher a = RelayCipher.initiator(INFO_HASH, I_ID, RANDOM);
      assertThat(a.complete(key, T_ID)).as(hex).isFalse();
      assertThat(a.ready()).isFalse();
      assertThatThrownBy(() -> a.seal(ByteBuffer.allocate(1), ByteBuffer.allocate(100)))
          .isInstanceOf(IllegalStateException.class);
    }
    assertThat(RelayCipher.target(INFO_HASH, T_ID, new byte[31], I_ID, RANDOM)).isNull();
    assertThat(RelayCipher.target(INFO_HASH, T_ID, initiator.publicKey(), new byte[3], RANDOM))
        .isNull();
  }

  @Test
  void misuseIsAnIllegalState() {
    assertThatThrownBy(() -> initiator.open(ByteBuffer.allocate(20), ByteBuffer.allocate(20)))
        .isInstanceOf(IllegalStateException.class);
    complete();
    assertThatThrownBy(() -> initiator.complete(target.publicKey(), T_ID))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> target.complete(initiator.publicKey(), I_ID))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> RelayCipher.initiator(INFO_HASH, new byte[19], RANDOM))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /**
   * The key schedule as specified, computed independently with the JDK (XDH, HMAC-SHA256 HKDF,
   * ChaCha20-Poly1305), opens the frames of both ends.
   */
  @Test
  void theKeyScheduleIsTheSpecifiedOne() throws Exception {
    byte[] tSecret = new byte[32];
    new Random(11).nextBytes(tSecret);
    SecureRandom fixed =
        new SecureRandom() {
          private static final long serialVersionUID = 1L;

          @Override
          public void nextBytes(byte[] bytes) {
            System.arraycopy(tSecret, 0, bytes, 0, bytes.length);
          }
        };
    RelayCipher t = RelayCipher.target(INFO_HASH, T_ID, initiator.publicKey(), I_ID, fixed);
    assertThat(initiator.complete(t.publicKey(), T_ID)).isTrue();

    KeyFactory kf = KeyFactory.getInstance("XDH");
    PrivateKey priv = kf.generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, tSecret));
    PublicKey pub =
        kf.generatePublic(
            new XECPublicKeySpec(NamedParameterSpec.X25519, littleEndian(initiator.publicKey())));
    KeyAgreement ka = KeyAgreement.getInstance("XDH");
    ka.init(priv);
    ka.doPhase(pub, true);
    byte[] shared = ka.generateSecret();

    byte[] prk = hmac(INFO_HASH, shared);
    byte[] info =
        concat(
            "natswarm relay v1".getBytes(StandardCharsets.US_ASCII),
            initiator.publicKey(),
            t.publicKey(),
            I_ID,
            T_ID);
    byte[] t1 = hmac(prk, concat(info, new byte[] {1}));
    byte[] t2 = hmac(prk, concat(t1, info, new byte[] {2}));

    byte[] p = "frame zero".getBytes(StandardCharsets.US_ASCII);
    assertThat(jdkOpen(t1, 0, seal(initiator, p))).isEqualTo(p);
    assertThat(jdkOpen(t1, 1, seal(initiator, p))).isEqualTo(p);
    assertThat(jdkOpen(t2, 0, seal(t, p))).isEqualTo(p);
  }

  private static BigInteger littleEndian(byte[] b) {
    byte[] r = new byte[b.length];
    for (int i = 0; i < b.length; i++) {
      r[i] = b[b.length - 1 - i];
    }
    return new BigInteger(1, r);
  }

  private static byte[] hmac(byte[] key, byte[] data) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    return mac.doFinal(data);
  }

  private static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    ByteBuffer b = ByteBuffer.allocate(n);
    for (byte[] p : parts) {
      b.put(p);
    }
    return b.array();
  }

  private static byte[] jdkOpen(byte[] key, long counter, ByteBuffer frame) throws Exception {
    byte[] nonce = ByteBuffer.allocate(12).putInt(0).putLong(counter).array();
    Cipher c = Cipher.getInstance("ChaCha20-Poly1305");
    c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), new IvParameterSpec(nonce));
    byte[] f = new byte[frame.remaining()];
    frame.get(f);
    return c.doFinal(f);
  }
}
