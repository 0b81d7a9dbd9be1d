package io.natswarm.holepunch.reach;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * An address peers may try to reach this node at, for one transport, with its ICE priority (RFC
 * 8445 section 5.1.2.1): {@code 2^24 * type preference + 2^8 * local preference + (256 -
 * component)}, component 1.
 *
 * @param type where it comes from
 * @param transport µTP (UDP) or TCP
 * @param address the address and port
 * @param priority the ICE priority; higher is tried first
 */
public record Candidate(
    CandidateType type, Transport transport, InetSocketAddress address, long priority) {
  /** Checks the values. */
  public Candidate {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(transport, "transport");
    Objects.requireNonNull(address, "address");
  }

  /**
   * RFC 8445 section 5.1.2.1's formula for component 1.
   *
   * @param type the candidate's type
   * @param localPreference 0 to 65535
   */
  public static long priorityOf(CandidateType type, int localPreference) {
    if (localPreference < 0 || localPreference > 0xFFFF) {
      throw new IllegalArgumentException("local preference " + localPreference);
    }
    return ((long) type.typePreference() << 24) + ((long) localPreference << 8) + (256 - 1);
  }
}
