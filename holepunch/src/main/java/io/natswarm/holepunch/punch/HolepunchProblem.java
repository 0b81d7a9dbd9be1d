package io.natswarm.holepunch.punch;

/**
 * Why a ut_holepunch payload is not a message (BEP 55, "Protocol Extension"). Only what cannot be
 * decoded is a problem: a syntactically valid message whose endpoint is useless (port 0, the
 * unspecified or a multicast address) still parses, because BEP 55 answers it with an error code
 * ({@link HolepunchError#NO_SUCH_PEER}), and an error message with a code BEP 55 does not define
 * still parses with its raw code. Immutable; any thread.
 */
public enum HolepunchProblem {
  /** Fewer bytes than {@code msg_type}, {@code addr_type}, the address and the port need. */
  TOO_SHORT,
  /** {@code msg_type} is not 0 (rendezvous), 1 (connect) or 2 (error). */
  UNKNOWN_TYPE,
  /** {@code addr_type} is not 0 (IPv4) or 1 (IPv6). */
  UNKNOWN_ADDRESS_TYPE,
  /** An error message without its 4-byte {@code err_code} (libtorrent too always sends it). */
  MISSING_ERROR_CODE,
  /**
   * A rendezvous or connect message with 1 to 3 bytes after the port: neither libtorrent's short
   * form (no error code) nor BEP 55's full form (4 bytes of error code).
   */
  TRUNCATED_ERROR_CODE
}
