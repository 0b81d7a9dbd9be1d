package io.natswarm.dht;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Our external address as others see it: the BEP 42 {@code ip} field of replies, one vote per voter
 * IP. The leading address is reported when it changes and has at least {@code minVotes}. After
 * {@code window} voters the tally restarts, so that a changed address wins in time. Owned by the
 * DHT node's thread.
 */
final class AddressVotes {
  private final int minVotes;
  private final int window;
  private final Map<InetSocketAddress, Integer> counts = new HashMap<>();
  private final Set<java.net.InetAddress> voters = new HashSet<>();
  private InetSocketAddress leader;
  private int leaderVotes;

  AddressVotes(int minVotes, int window) {
    this.minVotes = minVotes;
    this.window = window;
  }

  /** Counts a vote; returns the new leader if the leader changed, else null. */
  InetSocketAddress vote(java.net.InetAddress voter, InetSocketAddress seen) {
    if (!voters.add(voter)) {
      return null;
    }
    int n = counts.merge(seen, 1, Integer::sum);
    InetSocketAddress changed = null;
    if (n >= minVotes && !seen.equals(leader) && n > countOf(leader)) {
      leader = seen;
      changed = seen;
    }
    if (seen.equals(leader)) {
      leaderVotes = n;
    }
    if (voters.size() >= window) {
      voters.clear();
      counts.clear();
    }
    return changed;
  }

  private int countOf(InetSocketAddress a) {
    return a == null ? 0 : counts.getOrDefault(a, 0);
  }

  InetSocketAddress leader() {
    return leader;
  }

  int leaderVotes() {
    return leaderVotes;
  }
}
