package io.natswarm.holepunch.turn;

/**
 * Why bytes are not a TURN message we can use (RFC 8489 sections 5 and 14, RFC 8656 section 18).
 */
public enum TurnError {
  /** Fewer than the 20 bytes of a STUN header, or the 4 of a ChannelData header. */
  TOO_SHORT,
  /** The top two bits are set or the magic cookie is missing: not STUN. */
  NOT_STUN,
  /** The header's length is not a multiple of 4 or disagrees with the datagram's. */
  BAD_LENGTH,
  /** An attribute runs past the end of the message. */
  TRUNCATED_ATTRIBUTE,
  /** An address attribute with an unknown family or the wrong size for its family. */
  BAD_ADDRESS,
  /** An ERROR-CODE shorter than its 4 fixed bytes, with a class outside 3-6 or a number over 99. */
  BAD_ERROR_CODE,
  /** A LIFETIME, REQUESTED-TRANSPORT or CHANNEL-NUMBER that is not 4 bytes. */
  BAD_SIZE,
  /** A CHANNEL-NUMBER outside 0x4000-0x4FFF (RFC 8656 section 12). */
  BAD_CHANNEL,
  /** A USERNAME, REALM, NONCE or reason phrase that is too long or not UTF-8. */
  BAD_TEXT,
  /** A MESSAGE-INTEGRITY that is not 20 bytes. */
  BAD_INTEGRITY,
  /** A FINGERPRINT whose CRC-32 does not match, or one that is not the last attribute. */
  BAD_FINGERPRINT,
  /** ChannelData whose first two bits are not 01 (RFC 8656 section 12.4). */
  NOT_CHANNEL_DATA,
  /** ChannelData whose length field runs past the datagram or leaves more than 3 padding bytes. */
  BAD_CHANNEL_DATA_LENGTH
}
