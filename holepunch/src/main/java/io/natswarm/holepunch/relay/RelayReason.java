package io.natswarm.holepunch.relay;

/**
 * The reason byte of an ns_relay REFUSE or CLOSE message (see {@link RelayCodec}): why a circuit
 * was not opened or why it ended. A message keeps the raw byte; {@link #of} maps a byte ns_relay
 * does not define to {@link #UNKNOWN}. Immutable; any thread.
 */
public enum RelayReason {
  /** A byte ns_relay does not define; the message keeps the raw code. Never sent. */
  UNKNOWN(0),
  /** The relay is not connected to a peer at the endpoint asked for. */
  NOT_CONNECTED(1),
  /** The target is connected to the relay but did not advertise ns_relay. */
  NO_SUPPORT(2),
  /** The endpoint asked for is the relay itself or the initiator itself. */
  NO_SELF(3),
  /** The initiator, the target or the relay has as many circuits as the relay allows. */
  TOO_MANY_CIRCUITS(4),
  /** The target refuses the circuit. */
  REFUSED(5),
  /** The circuit carried as many bytes as the relay allows (or the relay cannot queue more). */
  BYTES_EXCEEDED(6),
  /** The target did not answer in time, or the circuit lived as long as the relay allows. */
  TIME_EXCEEDED(7),
  /** A sender sent more data than the receiver had granted it credit for. */
  WINDOW_EXCEEDED(8),
  /** The other end's connection to the relay closed. */
  PEER_GONE(9),
  /** An orderly close by one end. */
  NORMAL(10),
  /** Relaying is off at this relay. */
  DISABLED(11),
  /** A message the circuit's state does not allow, or a circuit id already in use. */
  PROTOCOL(12);

  private final int code;

  RelayReason(int code) {
    this.code = code;
  }

  /** The wire value of the reason byte; 0 for {@link #UNKNOWN}. */
  public int code() {
    return code;
  }

  /** The reason with this wire code, {@link #UNKNOWN} for a code ns_relay does not define. */
  public static RelayReason of(int code) {
    return switch (code) {
      case 1 -> NOT_CONNECTED;
      case 2 -> NO_SUPPORT;
      case 3 -> NO_SELF;
      case 4 -> TOO_MANY_CIRCUITS;
      case 5 -> REFUSED;
      case 6 -> BYTES_EXCEEDED;
      case 7 -> TIME_EXCEEDED;
      case 8 -> WINDOW_EXCEEDED;
      case 9 -> PEER_GONE;
      case 10 -> NORMAL;
      case 11 -> DISABLED;
      case 12 -> PROTOCOL;
      default -> UNKNOWN;
    };
  }
}
