package io.natswarm.node;

/**
 * Whether peer connections use Message Stream Encryption (MSE, the "obfuscation" handshake with RC4
 * that libtorrent, Transmission and others speak).
 *
 * <p>{@link #PREFER_ENCRYPTED} is the default: with Bt's own default ({@link #PREFER_PLAINTEXT}) an
 * incoming encrypted connection from libtorrent fails once before it is retried (DESIGN.md, Bt
 * traps).
 */
public enum PeerEncryption {
  /**
   * Plaintext only: the standard BitTorrent handshake (BEP 3) both ways; MSE connections are
   * refused.
   */
  REQUIRE_PLAINTEXT,
  /**
   * Plaintext when the peer allows it, MSE otherwise. Outgoing connections still start with the MSE
   * handshake (offering plaintext inside it), so a peer that refuses MSE altogether is reached only
   * with {@link #REQUIRE_PLAINTEXT}.
   */
  PREFER_PLAINTEXT,
  /** MSE when the peer allows it, plaintext otherwise. */
  PREFER_ENCRYPTED,
  /** MSE with RC4 only: plaintext connections are refused. */
  REQUIRE_ENCRYPTED
}
