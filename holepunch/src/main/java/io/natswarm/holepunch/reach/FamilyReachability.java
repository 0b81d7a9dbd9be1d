package io.natswarm.holepunch.reach;

import java.util.List;

/**
 * The verdict for one address family, in words a person can act on.
 *
 * @param family IPv4 or IPv6
 * @param verdict whether peers can connect to us
 * @param summary one sentence: the verdict and the evidence it rests on
 * @param advice what the user can do, most useful first (empty when nothing is needed)
 */
public record FamilyReachability(
    AddressFamily family, Verdict verdict, String summary, List<String> advice) {
  /** Copies the advice. */
  public FamilyReachability {
    advice = List.copyOf(advice);
  }
}
