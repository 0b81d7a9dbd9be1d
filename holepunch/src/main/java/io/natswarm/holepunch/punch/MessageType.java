package io.natswarm.holepunch.punch;

/**
 * The {@code msg_type} of a ut_holepunch message (BEP 55, "Protocol Extension"). Immutable; any
 * thread.
 */
public enum MessageType {
  /** Initiator to relay: send connect messages to me and to the target endpoint. */
  RENDEZVOUS(0),
  /** Relay to both sides: initiate a connection to the endpoint in this message. */
  CONNECT(1),
  /** Relay to initiator: the rendezvous cannot be completed; the error code says why. */
  ERROR(2);

  private final int wire;

  MessageType(int wire) {
    this.wire = wire;
  }

  /** The value of the {@code msg_type} byte. */
  public int wire() {
    return wire;
  }

  /** The type with this {@code msg_type} byte, or null when BEP 55 defines none. */
  static MessageType ofWire(int b) {
    return switch (b) {
      case 0 -> RENDEZVOUS;
      case 1 -> CONNECT;
      case 2 -> ERROR;
      default -> null;
    };
  }
}
