package io.natswarm.holepunch.portmap;

/** Where one protocol's port mapping stands in a {@link PortMapper}. */
public enum MappingStatus {
  /** Never asked for. */
  NONE,
  /** Asked for (or asked for again: a renewal that failed, a gateway that lost its state). */
  REQUESTING,
  /** Granted; {@link PortMapper#mapping} holds it. */
  HELD,
  /**
   * Refused for now with an error the gateway says will pass (PCP's short-lifetime errors, RFC 6887
   * section 7.4); asked for again when the error's lifetime has passed.
   */
  WAITING,
  /** Refused, or no answer: {@link PortMapper#failure} says why. */
  FAILED,
  /** Given back (a deletion was sent). */
  RELEASED
}
