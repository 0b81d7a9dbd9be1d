package io.natswarm.holepunch.relay;

/**
 * The type byte of an ns_relay message, natswarm's BEP 10 extension for relaying a connection
 * through a peer both ends are connected to (see {@link RelayCodec} for the wire format).
 * Immutable; any thread.
 */
public enum RelayMessageType {
  /** Initiator to relay: join me to your peer at this endpoint; carries my ephemeral key. */
  CONNECT(1),
  /** Relay to target: a peer (named by endpoint and peer id) asks to be joined to you. */
  INCOMING(2),
  /** Target to relay, then relay to initiator: the circuit is open; carries the target's key. */
  ACCEPT(3),
  /** Target to relay, then relay to initiator, or relay to initiator: no circuit; a reason. */
  REFUSE(4),
  /** Either end to relay, then relay to the other end: one sealed frame of the stream. */
  DATA(5),
  /** Either end to relay, then relay to the other end: more credit for data to the sender. */
  WINDOW(6),
  /** Either end to relay, or relay to either end: the circuit is gone; a reason. */
  CLOSE(7);

  private final int code;

  RelayMessageType(int code) {
    this.code = code;
  }

  /** The value of the type byte. */
  public int code() {
    return code;
  }

  /** The type with this type byte, or null when ns_relay defines none. */
  static RelayMessageType ofCode(int b) {
    return switch (b) {
      case 1 -> CONNECT;
      case 2 -> INCOMING;
      case 3 -> ACCEPT;
      case 4 -> REFUSE;
      case 5 -> DATA;
      case 6 -> WINDOW;
      case 7 -> CLOSE;
      default -> null;
    };
  }
}
