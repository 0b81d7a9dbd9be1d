package io.natswarm.holepunch.portmap;

/** Why bytes are not a PCP response we can use (RFC 6887 sections 7 and 11). */
public enum PcpError {
  /** Shorter than a 24-byte header, or a MAP response without its 36-byte body. */
  TOO_SHORT,
  /** Longer than PCP's 1100 bytes, or not a multiple of 4. */
  BAD_LENGTH,
  /** The R bit is clear: a request, not a response. */
  NOT_A_RESPONSE,
  /** Version 0: the gateway speaks NAT-PMP only (RFC 6887 section 9); ask it with NAT-PMP. */
  NAT_PMP_ONLY,
  /** A version other than 0 and 2. */
  UNSUPPORTED_VERSION,
  /** An opcode other than ANNOUNCE (0) and MAP (1). */
  UNKNOWN_OPCODE,
  /** An option runs past the end of the message. */
  TRUNCATED_OPTION
}
