package io.natswarm.holepunch.relay;

/**
 * Why an ns_relay payload is not a message (see {@link RelayCodec} for the wire format). Only what
 * cannot be decoded is a problem: a REFUSE or CLOSE with a reason byte ns_relay does not define
 * still parses, keeping the raw byte. Immutable; any thread.
 */
public enum RelayProblem {
  /** No bytes at all. */
  EMPTY,
  /** The type byte is not 1 to 7. */
  UNKNOWN_TYPE,
  /** Fewer bytes than the message type needs. */
  TRUNCATED,
  /** Bytes after a message of fixed length. */
  TRAILING_BYTES,
  /** An endpoint whose family byte is not 4 or 6. */
  BAD_FAMILY,
  /** An endpoint with port 0. */
  ZERO_PORT,
  /** A DATA message with no data after the circuit id. */
  EMPTY_DATA,
  /** A DATA message with more than {@link RelayCodec#MAX_DATA} bytes of data. */
  DATA_TOO_LONG,
  /** A WINDOW message whose credit is 0 or above 2^31 - 1. */
  BAD_CREDIT
}
