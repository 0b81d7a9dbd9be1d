/**
 * The DHT on the node's shared UDP socket: {@link io.natswarm.node.dht.DhtService} registers the
 * sans-IO {@link io.natswarm.dht.DhtNode} (a {@link io.natswarm.datagram.DatagramCore}) on the
 * {@link io.natswarm.datagram.UdpEndpoint} as it is, so that the DHT uses the same socket, and so
 * the same NAT mapping, as µTP; it hands calls to the event loop, keeps the routing table in a
 * file, and fails pending lookups when it closes.
 */
package io.natswarm.node.dht;
