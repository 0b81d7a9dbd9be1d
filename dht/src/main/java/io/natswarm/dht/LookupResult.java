package io.natswarm.dht;

import io.natswarm.dht.routing.NodeId;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * How a lookup ended.
 *
 * @param target the node id or info-hash looked up
 * @param peers peers found in {@code values} (get_peers), without duplicates
 * @param closest the k closest nodes that answered, closest first
 * @param queries queries the lookup sent (announces not included)
 * @param startedAt virtual or real nanos when it started
 * @param endedAt when it ended
 * @param firstPeerAt when the first peer arrived, or -1
 * @param timedOut whether the lookup hit its timeout (and returned what it had)
 * @param announced how many announce_peer queries were sent after the lookup
 * @param hops the longest chain of referrals to any of the {@code closest} nodes: 1 when each of
 *     them came from our routing table or the bootstrap list, 2 when one was named by such a node,
 *     and so on; 0 when none answered
 * @param rounds the round trips the lookup took: the longest chain query → answer → next query that
 *     it waited on, counted in queries, among the queries answered before it ended (a query re-sent
 *     after a stall counts as one more); 0 when none answered
 */
public record LookupResult(
    NodeId target,
    List<InetSocketAddress> peers,
    List<NodeRef> closest,
    int queries,
    long startedAt,
    long endedAt,
    long firstPeerAt,
    boolean timedOut,
    int announced,
    int hops,
    int rounds) {

  /** A node that answered: its id and address. */
  public record NodeRef(NodeId id, InetSocketAddress address) {}

  public LookupResult {
    peers = List.copyOf(peers);
    closest = List.copyOf(closest);
  }

  public long durationNanos() {
    return endedAt - startedAt;
  }
}
