/**
 * The node's reachability: {@link io.natswarm.node.reach.ReachabilityMonitor} gathers the evidence
 * from the node's sockets, peers, the DHT, STUN and the gateway, and reports holepunch's verdict
 * per address family with the node's candidates, for the status page, the metrics and {@code
 * natswarm nat}.
 */
package io.natswarm.node.reach;
