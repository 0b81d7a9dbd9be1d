package io.natswarm.holepunch.portmap;

/** NAT-PMP result codes (RFC 6886 section 3.5), each with a message a person understands. */
public enum NatPmpResult {
  SUCCESS(0, "success"),
  UNSUPPORTED_VERSION(1, "the gateway does not speak this NAT-PMP version"),
  NOT_AUTHORIZED(
      2,
      "the gateway refuses port mappings: NAT-PMP is switched off on the router or this host"
          + " may not map ports (look for NAT-PMP or UPnP in the router's settings)"),
  NETWORK_FAILURE(
      3, "the gateway has no external address yet (it is not connected to the internet)"),
  OUT_OF_RESOURCES(4, "the gateway has no mapping left to give (too many mappings)"),
  UNSUPPORTED_OPCODE(5, "the gateway does not support this request"),
  UNKNOWN(-1, "the gateway answered with a result code NAT-PMP does not define");

  private final int code;
  private final String message;

  NatPmpResult(int code, String message) {
    this.code = code;
    this.message = message;
  }

  /** The wire value (-1 for {@link #UNKNOWN}). */
  public int code() {
    return code;
  }

  /** What it means, for a person. */
  public String message() {
    return message;
  }

  static NatPmpResult of(int code) {
    for (NatPmpResult r : values()) {
      if (r.code == code) {
        return r;
      }
    }
    return UNKNOWN;
  }
}
