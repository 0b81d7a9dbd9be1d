/**
 * The DHT on the node's shared UDP socket: adapts the sans-IO {@link io.natswarm.dht.DhtNode} to
 * the µTP endpoint's {@link io.natswarm.utp.endpoint.DatagramHandler} port, so that the DHT uses
 * the same socket, and so the same NAT mapping, as µTP.
 */
package io.natswarm.node.dht;
