package io.natswarm.holepunch.stun;

/** Which inbound packets a NAT lets through a mapping (RFC 4787 section 5, RFC 5780 4.4). */
public enum FilteringBehavior {
  /** From anyone ("full cone"). */
  ENDPOINT_INDEPENDENT,
  /** Only from addresses the host has sent to ("restricted cone"). */
  ADDRESS_DEPENDENT,
  /** Only from address and port pairs the host has sent to ("port-restricted"). */
  ADDRESS_AND_PORT_DEPENDENT,
  /** Not determined: the server offers no alternate address. */
  UNKNOWN
}
