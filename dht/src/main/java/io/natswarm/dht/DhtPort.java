package io.natswarm.dht;

import java.net.InetAddress;

/**
 * What the DHT tells the rest of the node (docs/ARCHITECTURE.md, "Modules and the direction of
 * dependencies": a port of the DHT's own, adapted in {@code swarm-node}): the DHT itself is a
 * sans-IO {@link io.natswarm.datagram.DatagramCore} its host drives; this interface carries its
 * results outward (diagnostic events go to the {@link DhtTracer} instead). Called on the thread
 * that drives the node.
 */
public interface DhtPort {
  /** A no-op port. */
  DhtPort NONE = new DhtPort() {};

  /**
   * Our external address as voted by the BEP 42 {@code ip} fields of replies changed to {@code
   * address} with {@code votes} distinct voters.
   */
  default void externalAddressVoted(InetAddress address, int port, int votes) {}
}
