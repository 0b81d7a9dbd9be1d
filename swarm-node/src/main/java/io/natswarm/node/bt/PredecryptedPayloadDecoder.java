package io.natswarm.node.bt;

import bt.net.buffer.BufferMutator;
import java.nio.ByteBuffer;

/**
 * The RC4 decrypting stage of an outgoing MSE connection's pipeline that leaves alone the payload
 * bytes Bt's handshake already decrypted.
 *
 * <p>In MSE (the Message Stream Encryption spec, step 4, "B-&gt;A: ENCRYPT(VC, crypto_select,
 * len(padD), padD), ENCRYPT2(Payload Stream)") the receiving peer may send its first payload bytes
 * in the same segment as padD: Transmission 3.00 sends its BitTorrent handshake at once, before
 * ours. Bt 1.10's {@code MSEHandshakeProcessor.negotiateOutgoing} decrypts those bytes in place and
 * leaves them at the start of the inbound buffer, and its pipeline then runs them through the
 * decrypting cipher a second time: the handshake decodes as garbage ("Unknown message type ID").
 * libtorrent waits for our handshake, so only Transmission showed it (TransmissionInteropTest,
 * encrypted cases). Not thread-safe: the pipeline calls it from one thread.
 */
final class PredecryptedPayloadDecoder implements BufferMutator {
  private final BufferMutator decrypt;
  private int alreadyDecrypted;

  /**
   * @param decrypt the decrypting mutator, positioned in the key stream after the bytes already
   *     decrypted
   * @param alreadyDecrypted how many bytes at the start of the inbound data are plaintext already
   */
  PredecryptedPayloadDecoder(BufferMutator decrypt, int alreadyDecrypted) {
    this.decrypt = decrypt;
    this.alreadyDecrypted = alreadyDecrypted;
  }

  @Override
  public void mutate(ByteBuffer buffer) {
    if (alreadyDecrypted > 0) {
      int skip = Math.min(alreadyDecrypted, buffer.remaining());
      buffer.position(buffer.position() + skip);
      alreadyDecrypted -= skip;
    }
    decrypt.mutate(buffer);
  }
}
