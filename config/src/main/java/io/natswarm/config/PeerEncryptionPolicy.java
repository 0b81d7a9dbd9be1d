package io.natswarm.config;

/**
 * Whether peer connections use Message Stream Encryption; the node maps each choice to its own
 * policy of the same name (a test in swarm-node keeps the two in step).
 */
public enum PeerEncryptionPolicy {
  /** The plain BitTorrent handshake only. */
  REQUIRE_PLAINTEXT,
  /** Plaintext when the peer allows it, MSE otherwise. */
  PREFER_PLAINTEXT,
  /** MSE when the peer allows it, plaintext otherwise. */
  PREFER_ENCRYPTED,
  /** MSE only. */
  REQUIRE_ENCRYPTED
}
