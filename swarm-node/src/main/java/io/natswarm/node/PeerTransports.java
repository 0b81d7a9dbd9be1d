package io.natswarm.node;

/**
 * Which transports carry peer connections. Both are always accepted on the node's one port (µTP on
 * its UDP socket, TCP on the same port number); this decides how the node dials.
 */
public enum PeerTransports {
  /** µTP (BEP 29) first; TCP when µTP gets no answer or is refused. The default. */
  UTP_THEN_TCP,
  /** µTP only. */
  UTP_ONLY,
  /** TCP only. */
  TCP_ONLY;

  /** Whether outgoing connections try µTP. */
  public boolean dialsUtp() {
    return this != TCP_ONLY;
  }

  /** Whether outgoing connections try TCP. */
  public boolean dialsTcp() {
    return this != UTP_ONLY;
  }
}
