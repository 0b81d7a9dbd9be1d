package io.natswarm.node.bt;

import static org.assertj.core.api.Assertions.assertThat;

import bt.net.crypto.CipherBufferMutator;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * Payload bytes that arrived with MSE's padD were decrypted by the handshake already; the
 * pipeline's decoder must leave them and decrypt only what follows, with the key stream where the
 * handshake left it.
 */
class PredecryptedPayloadDecoderTest {
  private static final byte[] KEY = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  private static Cipher rc4(int mode) throws Exception {
    Cipher c = Cipher.getInstance("ARCFOUR");
    c.init(mode, new SecretKeySpec(KEY, "ARCFOUR"));
    return c;
  }

  @Test
  void bytesDecryptedByTheHandshakeAreLeftAloneAndTheRestIsDecrypted() throws Exception {
    byte[] plain = new byte[300];
    for (int i = 0; i < plain.length; i++) {
      plain[i] = (byte) (i * 7 + 1);
    }
    byte[] wire = rc4(Cipher.ENCRYPT_MODE).doFinal(plain);
    Cipher receiver = rc4(Cipher.DECRYPT_MODE);
    int early = 68; // a BitTorrent handshake that came with padD
    byte[] decryptedByHandshake = receiver.update(wire, 0, early);

    PredecryptedPayloadDecoder decoder =
        new PredecryptedPayloadDecoder(new CipherBufferMutator(receiver), early);
    ByteBuffer buffer = ByteBuffer.allocate(plain.length);
    buffer.put(decryptedByHandshake);
    buffer.put(wire, early, 32); // more arrives before the pipeline's first decode
    decode(decoder, buffer, 0);
    buffer.put(wire, early + 32, plain.length - early - 32);
    decode(decoder, buffer, early + 32);

    assertThat(buffer.array()).isEqualTo(plain);
  }

  @Test
  void withNothingDecryptedEarlyItIsThePlainCipher() throws Exception {
    byte[] plain = "a handshake that came after ours".getBytes(StandardCharsets.US_ASCII);
    byte[] wire = rc4(Cipher.ENCRYPT_MODE).doFinal(plain);
    PredecryptedPayloadDecoder decoder =
        new PredecryptedPayloadDecoder(new CipherBufferMutator(rc4(Cipher.DECRYPT_MODE)), 0);
    ByteBuffer buffer = ByteBuffer.allocate(plain.length).put(wire);
    decode(decoder, buffer, 0);
    assertThat(buffer.array()).isEqualTo(plain);
  }

  /** What Bt's InboundMessageProcessor does: mutate [from, position) of the flipped buffer. */
  private static void decode(PredecryptedPayloadDecoder decoder, ByteBuffer buffer, int from) {
    int end = buffer.position();
    buffer.flip();
    buffer.position(from);
    decoder.mutate(buffer);
    assertThat(buffer.position()).isEqualTo(end);
    buffer.limit(buffer.capacity());
  }
}
