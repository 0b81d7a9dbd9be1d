package io.natswarm.netsim;

/**
 * An address realm (RFC 2663): a set of addresses that can reach each other directly. The network
 * has one public realm, {@link Network#internet()}; every {@link NatBox} owns one private realm on
 * its inside, whose gateway it is. A datagram to an address its realm does not know goes to the
 * realm's gateway, or is dropped ({@link DropReason#NO_ROUTE}) in the internet.
 */
public final class Realm {
  final int id;
  final String name;
  final Network network;
  final NatBox gateway;

  Realm(int id, String name, Network network, NatBox gateway) {
    this.id = id;
    this.name = name;
    this.network = network;
    this.gateway = gateway;
  }

  public String name() {
    return name;
  }

  /** The NAT box or firewall this realm sits behind, or null for the internet. */
  public NatBox gateway() {
    return gateway;
  }

  @Override
  public String toString() {
    return name;
  }
}
