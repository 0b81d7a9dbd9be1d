/**
 * The mainline DHT node (BEP 5, 32, 42, 43, 51) as a sans-IO core: {@link io.natswarm.dht.DhtNode}
 * and its settings, port, counters and lookup results; RPC state machines, lookups, tokens and peer
 * storage inside.
 */
package io.natswarm.dht;
