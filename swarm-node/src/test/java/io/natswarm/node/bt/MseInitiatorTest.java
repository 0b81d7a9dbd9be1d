package io.natswarm.node.bt;

import static org.assertj.core.api.Assertions.assertThat;

import io.natswarm.node.PeerEncryption;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link MseInitiator} against {@link MseReceiver}, all in memory, with each side's bytes cut into
 * random pieces and each side's first stream bytes sent in the same piece as its last handshake
 * bytes; and the initiator's own failures.
 */
class MseInitiatorTest {

  /** Moves bytes between the two machines in random pieces until both are done or one failed. */
  private static ByteBuffer[] run(MseInitiator a, MseReceiver b, byte[] aAfter, Random cut) {
    ArrayDeque<ByteBuffer> toB = new ArrayDeque<>();
    ArrayDeque<ByteBuffer> toA = new ArrayDeque<>();
    java.io.ByteArrayOutputStream bLeft = new java.io.ByteArrayOutputStream();
    java.io.ByteArrayOutputStream aLeft = new java.io.ByteArrayOutputStream();
    boolean aSentAfter = false;
    for (int round = 0; round < 100_000; round++) {
      ByteBuffer o;
      while ((o = a.pollOutput()) != null) {
        toB.add(o);
      }
      if (a.isDone() && !aSentAfter) {
        byte[] x = aAfter.clone();
        if (a.ciphers() != null) {
          MseCrypto.apply(a.ciphers().encrypt(), x, 0, x.length);
        }
        toB.add(ByteBuffer.wrap(x));
        aSentAfter = true;
      }
      while ((o = b.pollOutput()) != null) {
        toA.add(o);
      }
      if (a.isFailed() || b.isFailed() || (aSentAfter && toB.isEmpty())) {
        break;
      }
      ArrayDeque<ByteBuffer> q = (cut.nextBoolean() && !toA.isEmpty()) || toB.isEmpty() ? toA : toB;
      ByteBuffer head = q.peek();
      if (head == null) {
        break;
      }
      int n = 1 + cut.nextInt(Math.max(1, Math.min(head.remaining(), 300)));
      ByteBuffer piece = head.duplicate();
      piece.limit(piece.position() + Math.min(n, head.remaining()));
      head.position(piece.limit());
      if (!head.hasRemaining()) {
        q.poll();
      }
      if (q == toA) {
        if (!a.isDone()) {
          a.handle(piece);
        }
        aLeft.write(piece.array(), piece.arrayOffset() + piece.position(), piece.remaining());
      } else {
        if (!b.isDone()) {
          b.handle(piece);
        }
        bLeft.write(piece.array(), piece.arrayOffset() + piece.position(), piece.remaining());
      }
    }
    return new ByteBuffer[] {
      ByteBuffer.wrap(aLeft.toByteArray()), ByteBuffer.wrap(bLeft.toByteArray())
    };
  }

  @Test
  void initiatorAndReceiverAgreeUnderAnyChunking() {
    Random cut = new Random(11);
    byte[] hs = MseTranscript.handshake();
    for (int i = 0; i < 60; i++) {
      MseInitiator a =
          new MseInitiator(
              PeerEncryption.PREFER_ENCRYPTED, MseTranscript.INFO_HASH, MseTranscript.seeded(i));
      MseReceiver b =
          new MseReceiver(
              PeerEncryption.REQUIRE_ENCRYPTED,
              MseTranscript.TORRENTS,
              MseTranscript.seeded(1000 + i));
      ByteBuffer[] left = run(a, b, hs, cut);
      assertThat(a.isDone()).as("initiator " + a.state()).isTrue();
      assertThat(b.isDone()).as("receiver " + b.state()).isTrue();
      assertThat(a.selected()).isEqualTo(MseCrypto.CRYPTO_RC4);
      byte[] got = new byte[left[1].remaining()];
      left[1].get(got);
      assertThat(b.ciphers().decrypt().update(got)).isEqualTo(hs);
      byte[] reply = {0, 0, 0, 5, 4, 0, 0, 0, 9};
      assertThat(a.ciphers().decrypt().update(b.ciphers().encrypt().update(reply)))
          .isEqualTo(reply);
    }
  }

  @Test
  void plaintextChosenByAPlaintextPreferringReceiver() {
    MseInitiator a =
        new MseInitiator(
            PeerEncryption.PREFER_ENCRYPTED, MseTranscript.INFO_HASH, MseTranscript.seeded(1));
    MseReceiver b =
        new MseReceiver(
            PeerEncryption.PREFER_PLAINTEXT, MseTranscript.TORRENTS, MseTranscript.seeded(2));
    byte[] hs = MseTranscript.handshake();
    ByteBuffer[] left = run(a, b, hs, new Random(1));
    assertThat(a.selected()).isEqualTo(MseCrypto.CRYPTO_PLAINTEXT);
    assertThat(a.ciphers()).isNull();
    assertThat(b.ciphers()).isNull();
    byte[] got = new byte[left[1].remaining()];
    left[1].get(got);
    assertThat(got).isEqualTo(hs);
  }

  @Test
  void receiverRequiringEncryptionRejectsPlaintextOnlyInitiator() {
    MseInitiator a =
        new MseInitiator(
            PeerEncryption.REQUIRE_PLAINTEXT, MseTranscript.INFO_HASH, MseTranscript.seeded(1));
    MseReceiver b =
        new MseReceiver(
            PeerEncryption.REQUIRE_ENCRYPTED, MseTranscript.TORRENTS, MseTranscript.seeded(2));
    run(a, b, MseTranscript.handshake(), new Random(1));
    assertThat(b.error()).isEqualTo(MseError.NO_COMMON_METHOD);
  }

  @Test
  void garbageFromTheReceiverIsNoSync() {
    MseInitiator a =
        new MseInitiator(
            PeerEncryption.REQUIRE_ENCRYPTED, MseTranscript.INFO_HASH, MseTranscript.seeded(1));
    byte[] garbage = new byte[2000];
    new Random(4).nextBytes(garbage);
    garbage[0] = 0x7f;
    ByteBuffer in = ByteBuffer.wrap(garbage);
    a.handle(in);
    assertThat(a.error()).isEqualTo(MseError.NO_SYNC);
    assertThat(in.position()).isEqualTo(MseInitiator.VC_HORIZON);
  }
}
