package io.natswarm.dht;

import java.net.InetAddress;

/**
 * What the DHT offers the rest of the node through the shared UDP socket's owner (DESIGN.md "rules
 * of direction"): the DHT itself is a sans-IO core the owner drives ({@link
 * DhtNode#handleDatagram}, {@link DhtNode#pollTransmit}, {@link DhtNode#pollTimeout}, {@link
 * DhtNode#handleTimeout}); this interface carries its events outward. Called on the thread that
 * drives the node.
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
