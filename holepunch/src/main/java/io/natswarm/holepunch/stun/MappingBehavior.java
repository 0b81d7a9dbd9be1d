package io.natswarm.holepunch.stun;

/** How a NAT maps a host's endpoint to an external one (RFC 4787 section 4.1, RFC 5780 4.3). */
public enum MappingBehavior {
  /** No NAT: the server saw the host's own address and port. */
  NO_NAT,
  /** One external endpoint for every destination: hole punching works well. */
  ENDPOINT_INDEPENDENT,
  /** A new external endpoint for each destination address. */
  ADDRESS_DEPENDENT,
  /** A new external endpoint for each destination address and port ("symmetric"). */
  ADDRESS_AND_PORT_DEPENDENT,
  /** Not determined: the server offers no alternate address, or a test got no answer. */
  UNKNOWN
}
