package io.natswarm.node.bt;

import java.nio.ByteBuffer;

/**
 * One side of an MSE handshake as a sans-IO state machine: bytes from the peer go in through {@link
 * #handle}, bytes for the peer come out of {@link #pollOutput}. No I/O, no clock, no exceptions on
 * bad bytes: a failure is a state with an {@link MseError}.
 *
 * <p>{@link #handle} consumes exactly the handshake's bytes: once {@link #isDone}, whatever is left
 * in the caller's buffer (and everything read later) belongs to the stream after the handshake,
 * still as it came off the wire — encrypted with {@link #ciphers()}'s decryption cipher if RC4 was
 * chosen, which is positioned at its first byte. Bytes of the stream the handshake had to take
 * itself (the plaintext BitTorrent handshake it recognised, or an initial payload it decrypted
 * because plaintext was chosen) come back from {@link #initialPlaintext}; they go before the rest.
 */
interface MseExchange {
  /** Consumes handshake bytes from {@code in} (read mode) and stops when done or failed. */
  void handle(ByteBuffer in);

  /** Bytes to send now (read mode), or null if there are none; each byte is handed out once. */
  ByteBuffer pollOutput();

  boolean isDone();

  boolean isFailed();

  /** Why it failed, or null. */
  MseError error();

  /** When done: the RC4 pair for the stream if RC4 was chosen, or null for plaintext. */
  MseCrypto.Ciphers ciphers();

  /** When done: plaintext stream bytes the handshake consumed itself (often none). */
  ByteBuffer initialPlaintext();

  /** Where the exchange stands, for logs and tests. */
  String stateName();
}
