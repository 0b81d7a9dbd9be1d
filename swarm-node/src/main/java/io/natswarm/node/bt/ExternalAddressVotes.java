package io.natswarm.node.bt;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What peers say our address is (BEP 10 {@code yourip}): one vote per peer address, the latest
 * kept, at most {@link #MAX_VOTERS} voters (the oldest forgotten first), so no single peer and no
 * flood of connections from one host can outvote the rest. The leading address is the node's best
 * guess of how the world sees it; issue 11's reachability work adds the DHT's votes and STUN.
 *
 * <p>Thread-safe (Bt's connection threads vote; status readers read).
 */
final class ExternalAddressVotes {
  static final int MAX_VOTERS = 64;

  private final LinkedHashMap<InetAddress, InetAddress> byVoter = new LinkedHashMap<>();

  /** {@code voter} says it sees us at {@code address}. */
  synchronized void vote(InetAddress voter, InetAddress address) {
    byVoter.remove(voter);
    byVoter.put(voter, address);
    if (byVoter.size() > MAX_VOTERS) {
      byVoter.remove(byVoter.keySet().iterator().next());
    }
  }

  /** Whether some peer says it sees us at {@code address}. */
  synchronized boolean votedFor(InetAddress address) {
    return byVoter.containsValue(address);
  }

  /** Votes per address now. */
  synchronized Map<InetAddress, Integer> tally() {
    Map<InetAddress, Integer> t = new HashMap<>();
    for (InetAddress a : byVoter.values()) {
      t.merge(a, 1, Integer::sum);
    }
    return t;
  }

  /** The address with the most votes, or null with none. */
  synchronized InetAddress leading() {
    InetAddress best = null;
    int bestVotes = 0;
    for (Map.Entry<InetAddress, Integer> e : tally().entrySet()) {
      if (e.getValue() > bestVotes) {
        best = e.getKey();
        bestVotes = e.getValue();
      }
    }
    return best;
  }
}
