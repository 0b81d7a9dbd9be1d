package io.natswarm.holepunch.reach;

/** Whether peers can open connections to this node over one address family. */
public enum Verdict {
  /** Proven: peers from the internet connected to us, or a dial-back test worked. */
  REACHABLE,
  /** Expected but not proven yet: a public address, a held port mapping or a full-cone NAT. */
  PROBABLY_REACHABLE,
  /** Peers cannot open connections to us: a NAT or firewall stops them. */
  NOT_REACHABLE,
  /** The node has no address of this family, or does not listen on it. */
  NOT_SERVED,
  /** Not enough evidence yet. */
  UNKNOWN
}
