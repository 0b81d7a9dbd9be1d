/**
 * The mainline DHT node (BEP 5, 32, 42, 43, 51) as a sans-IO {@link
 * io.natswarm.datagram.DatagramCore}: {@link io.natswarm.dht.DhtNode} (one per address family) and
 * its settings, port, tracer, secret source, counter snapshots and lookup results; the RPC layer,
 * RPC state machines, lookups, query answers, tokens, source protection and peer storage inside.
 */
package io.natswarm.dht;
