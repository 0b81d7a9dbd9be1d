package io.natswarm.holepunch.reach;

import java.util.List;

/**
 * The verdict for one address family, in words a person can act on, and per transport.
 *
 * @param family IPv4 or IPv6
 * @param verdict whether peers can connect to us (over either transport)
 * @param summary one sentence: the verdict and the evidence it rests on
 * @param advice what the user can do, most useful first (empty when nothing is needed)
 * @param transports the verdict for µTP and for TCP, in that order (empty until {@link
 *     ReachabilityAssessor} has judged them)
 */
public record FamilyReachability(
    AddressFamily family,
    Verdict verdict,
    String summary,
    List<String> advice,
    List<TransportReachability> transports) {
  /** Copies the lists. */
  public FamilyReachability {
    advice = List.copyOf(advice);
    transports = List.copyOf(transports);
  }

  /** A family verdict whose transports are not judged yet. */
  public FamilyReachability(
      AddressFamily family, Verdict verdict, String summary, List<String> advice) {
    this(family, verdict, summary, advice, List.of());
  }

  /** The verdict for {@code t}, or null when the transports were not judged. */
  public TransportReachability transport(Transport t) {
    for (TransportReachability r : transports) {
      if (r.transport() == t) {
        return r;
      }
    }
    return null;
  }
}
