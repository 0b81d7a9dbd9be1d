package io.natswarm.holepunch.ladder;

/**
 * One way of reaching a peer, a rung of the {@link PathLadder}. A gateway port mapping is not a
 * rung of its own: it makes the peer's advertised endpoint dialable, so it shows as {@link
 * #DIRECT}.
 */
public enum Rung {
  /** µTP, then TCP, to the endpoint as discovered (mapped or not). */
  DIRECT,
  /**
   * µTP punched after a BEP 55 rendezvous through a peer connected to both sides (TCP simultaneous
   * open when the node dials TCP only).
   */
  HOLEPUNCH,
  /** A circuit through a peer connected to both sides (ns_relay), end-to-end encrypted. */
  PEER_RELAY,
  /**
   * µTP through a relayed address on the TURN server the operator runs (RFC 8656), offered to the
   * peer through one connected to both sides (ns_turn); only when a server is configured.
   */
  TURN
}
