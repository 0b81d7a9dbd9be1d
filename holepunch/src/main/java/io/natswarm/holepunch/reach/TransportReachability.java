package io.natswarm.holepunch.reach;

import java.util.Objects;

/**
 * Whether peers can open connections to us over one transport of one address family (µTP on the
 * node's UDP port, or TCP on the same port number), and the evidence in a few words.
 *
 * @param transport µTP or TCP
 * @param verdict whether peers can connect to us over it
 * @param reason what the verdict rests on
 */
public record TransportReachability(Transport transport, Verdict verdict, String reason) {
  /** Checks the values. */
  public TransportReachability {
    Objects.requireNonNull(transport, "transport");
    Objects.requireNonNull(verdict, "verdict");
    Objects.requireNonNull(reason, "reason");
  }
}
