package io.natswarm.node.status;

import io.natswarm.dht.DhtCounters;
import io.natswarm.node.PeerFailures;
import io.natswarm.node.reach.ReachabilityReport;
import io.natswarm.pex.PexCounters;
import java.util.List;

/**
 * What a node's status server reads from the node, one consistent-enough snapshot per request.
 *
 * @param torrents every torrent on the node
 * @param dhtTableSize nodes in the DHT routing table (0 when the node runs no DHT)
 * @param dhtBuckets buckets of the routing table (0 when no DHT)
 * @param dht the DHT's counters, or null when the node runs no DHT
 * @param pex peer exchange's counters (BEP 11)
 * @param failures what the node did about misbehaving peers
 * @param reachability where the node stands, or null when it judges nothing (a DHT-only node)
 */
public record NodeView(
    List<TorrentView> torrents,
    int dhtTableSize,
    int dhtBuckets,
    DhtCounters dht,
    PexCounters.Snapshot pex,
    PeerFailures failures,
    ReachabilityReport reachability) {}
