package io.natswarm.netsim;

/** Why the simulated network discarded a datagram; {@link NetStats} counts each. */
public enum DropReason {
  /** Random or burst loss on a link. */
  LOSS(0),
  /** A link's FIFO queue was full (tail drop). */
  QUEUE(1),
  /** A NAT or firewall's filtering behaviour rejected an inbound datagram. */
  FILTER(2),
  /**
   * Inbound to a NAT's external port with no live mapping (unsolicited, or the mapping expired).
   */
  NO_MAPPING(3),
  /** A NAT ran out of external ports. */
  PORTS_EXHAUSTED(4),
  /** Sent to the NAT's own external address from inside while hairpinning is off. */
  HAIRPIN(5),
  /** No node owns the destination address in its realm and there is no gateway. */
  NO_ROUTE(6),
  /** The destination host has nothing bound to the destination port. */
  NO_BINDING(7),
  /** The datagram crossed too many NAT boxes (a routing loop). */
  TTL(8),
  /** The endpoint gave no destination, an unresolved one, port 0, or a family its host lacks. */
  BAD_DESTINATION(9);

  private final int code;

  DropReason(int code) {
    this.code = code;
  }

  /** A stable small number for counters and traces. */
  int code() {
    return code;
  }

  static DropReason ofCode(int code) {
    for (DropReason r : values()) {
      if (r.code == code) {
        return r;
      }
    }
    throw new IllegalArgumentException("no drop reason " + code);
  }
}
