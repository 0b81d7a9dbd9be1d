package io.natswarm.config;

/**
 * How the node dials peers (it always accepts both on its one port); the node maps each choice to
 * its own of the same name (a test in swarm-node keeps the two in step).
 */
public enum PeerTransportChoice {
  /** µTP first; TCP when µTP gets no answer. */
  UTP_THEN_TCP,
  /** µTP only. */
  UTP_ONLY,
  /** TCP only. */
  TCP_ONLY
}
