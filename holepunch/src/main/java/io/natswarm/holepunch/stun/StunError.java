package io.natswarm.holepunch.stun;

/** Why bytes are not a STUN message we can use (RFC 8489 section 5 and 14). */
public enum StunError {
  /** Fewer than the 20 bytes of a header. */
  TOO_SHORT,
  /** The top two bits are set or the magic cookie is missing: not STUN. */
  NOT_STUN,
  /** The header's length is not a multiple of 4 or disagrees with the datagram's. */
  BAD_LENGTH,
  /** An attribute runs past the end of the message. */
  TRUNCATED_ATTRIBUTE,
  /** An address attribute with an unknown family or the wrong size for its family. */
  BAD_ADDRESS,
  /** An ERROR-CODE attribute shorter than its 4 fixed bytes or with a class outside 3-6. */
  BAD_ERROR_CODE,
  /** A FINGERPRINT attribute whose CRC-32 does not match, or one that is not the last. */
  BAD_FINGERPRINT
}
