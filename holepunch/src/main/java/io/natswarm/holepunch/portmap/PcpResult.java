package io.natswarm.holepunch.portmap;

/**
 * PCP result codes (RFC 6887 section 7.4), each with a message a person understands. A
 * short-lifetime error is expected to pass (the client asks again when the error's lifetime is
 * over); a long-lifetime one is not.
 */
public enum PcpResult {
  SUCCESS(0, false, "success"),
  UNSUPP_VERSION(1, false, "the gateway does not speak PCP version 2 (an older or newer PCP only)"),
  NOT_AUTHORIZED(
      2,
      false,
      "the gateway refuses port mappings: PCP is switched off on the router or this host may not"
          + " map ports (look for PCP, NAT-PMP or UPnP in the router's settings)"),
  MALFORMED_REQUEST(
      3, false, "the gateway could not read our request (a bug in natswarm or in the router)"),
  UNSUPP_OPCODE(4, false, "the gateway's PCP server does not do port mappings (MAP)"),
  UNSUPP_OPTION(5, false, "the gateway does not support an option of our request"),
  MALFORMED_OPTION(
      6,
      false,
      "the gateway could not read an option of our request (a bug in natswarm or in the"
          + " router)"),
  NETWORK_FAILURE(
      7,
      true,
      "the gateway has no working internet connection yet (no external address); it will be"
          + " asked again"),
  NO_RESOURCES(8, true, "the gateway is out of mappings or memory for now; it will be asked again"),
  UNSUPP_PROTOCOL(9, false, "the gateway cannot map ports of this protocol"),
  USER_EX_QUOTA(
      10,
      true,
      "this host has used up its quota of port mappings on the gateway (other programs hold"
          + " them); it will be asked again"),
  CANNOT_PROVIDE_EXTERNAL(
      11,
      true,
      "the gateway cannot give the external port or address asked for; it will be asked again"),
  ADDRESS_MISMATCH(
      12,
      false,
      "the gateway sees this host at another address than the one in our request: another NAT"
          + " sits between this host and the gateway, so a mapping there would not help"),
  EXCESSIVE_REMOTE_PEERS(
      13, false, "the gateway could not install the remote-peer filters of our request"),
  UNKNOWN(-1, false, "the gateway answered with a result code PCP does not define");

  private final int code;
  private final boolean shortLifetime;
  private final String message;

  PcpResult(int code, boolean shortLifetime, String message) {
    this.code = code;
    this.shortLifetime = shortLifetime;
    this.message = message;
  }

  /** The wire value (-1 for {@link #UNKNOWN}). */
  public int code() {
    return code;
  }

  /** True for an error that should pass, so that the request is sent again later. */
  public boolean shortLifetime() {
    return shortLifetime;
  }

  /** What it means, for a person. */
  public String message() {
    return message;
  }

  /** The result with wire value {@code code}, or {@link #UNKNOWN}. */
  public static PcpResult of(int code) {
    PcpResult[] all = values();
    return code >= 0 && code < all.length - 1 ? all[code] : UNKNOWN;
  }
}
