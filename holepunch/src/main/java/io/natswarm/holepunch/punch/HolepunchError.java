package io.natswarm.holepunch.punch;

/**
 * The {@code err_code} of a ut_holepunch error message (BEP 55, "Error codes"), with what it means
 * for a person reading the node's status. Immutable; any thread.
 */
public enum HolepunchError {
  /** 0x01: the target endpoint is invalid. */
  NO_SUCH_PEER(1, "the rendezvous peer says the address asked for is not a valid peer address"),
  /** 0x02: the relaying peer is not connected to the target. */
  NOT_CONNECTED(
      2,
      "the rendezvous peer is not connected to that peer (at that exact address and port), so it"
          + " cannot introduce us"),
  /** 0x03: the target does not support the holepunch extension. */
  NO_SUPPORT(
      3,
      "the peer to reach does not support hole punching (ut_holepunch), so the rendezvous peer"
          + " cannot ask it to connect"),
  /** 0x04: the target endpoint belongs to the relaying peer (or is the initiator itself). */
  NO_SELF(
      4,
      "the address asked for is the rendezvous peer itself or our own: there is nobody to"
          + " introduce"),
  /** A code BEP 55 does not define; the message keeps the raw code. Never sent. */
  UNKNOWN(-1, "the rendezvous peer refused with an error code BEP 55 does not define");

  private final int code;
  private final String explanation;

  HolepunchError(int code, String explanation) {
    this.code = code;
    this.explanation = explanation;
  }

  /** The wire value of {@code err_code}; -1 for {@link #UNKNOWN}. */
  public int code() {
    return code;
  }

  /** A sentence a person understands. */
  public String explanation() {
    return explanation;
  }

  /** The error with this wire code, {@link #UNKNOWN} for a code BEP 55 does not define. */
  public static HolepunchError ofCode(int code) {
    return switch (code) {
      case 1 -> NO_SUCH_PEER;
      case 2 -> NOT_CONNECTED;
      case 3 -> NO_SUPPORT;
      case 4 -> NO_SELF;
      default -> UNKNOWN;
    };
  }
}
