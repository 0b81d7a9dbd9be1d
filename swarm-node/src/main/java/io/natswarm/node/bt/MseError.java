package io.natswarm.node.bt;

/**
 * Why an MSE handshake ({@link MseReceiver}, {@link MseInitiator}) failed: each value is a way the
 * peer's bytes or our policy ended the exchange, never an exception.
 */
enum MseError {
  /** A plaintext BitTorrent handshake arrived and our policy requires encryption. */
  PLAINTEXT_REFUSED("peer started a plaintext handshake; our policy requires MSE"),
  /** The peer started MSE and our policy allows only plaintext. */
  MSE_REFUSED("peer started MSE; our policy allows only plaintext"),
  /** Ya or Yb is 0, 1, P-1 or above P. */
  BAD_PUBLIC_KEY("peer's Diffie-Hellman public key is out of range"),
  /** HASH('req1', S) (receiver) or ENCRYPT(VC) (initiator) did not appear within the padding. */
  NO_SYNC("no synchronisation pattern within the longest padding"),
  /** HASH('req2', SKEY) names no torrent we serve. */
  UNKNOWN_TORRENT("peer asked for a torrent we do not serve"),
  /** The decrypted verification constant is not 8 zero bytes. */
  BAD_VC("verification constant is wrong (different S or SKEY)"),
  /** PadC or PadD is longer than 512 bytes. */
  PAD_TOO_LONG("padding longer than 512 bytes"),
  /** crypto_provide offers no method our policy allows. */
  NO_COMMON_METHOD("peer's crypto_provide has no method our policy allows"),
  /** crypto_select is not exactly one of the methods we provided. */
  BAD_CRYPTO_SELECT("peer's crypto_select is not one method we provided");

  private final String description;

  MseError(String description) {
    this.description = description;
  }

  /** A sentence for logs and connection failures. */
  String description() {
    return description;
  }
}
