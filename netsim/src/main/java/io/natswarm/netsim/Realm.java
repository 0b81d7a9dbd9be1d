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
  // Who owns each address here: a dense array in the (large) internet, a small map elsewhere.
  private int[] direct;
  private final LongLongMap sparse;

  Realm(int id, String name, Network network, NatBox gateway) {
    this.id = id;
    this.name = name;
    this.network = network;
    this.gateway = gateway;
    this.direct = gateway == null ? new int[0] : null;
    this.sparse = gateway == null ? null : new LongLongMap(8);
  }

  /** The id of the node that owns {@code addressId} in this realm, or -1. */
  int owner(int addressId) {
    if (direct != null) {
      return addressId < direct.length ? direct[addressId] : -1;
    }
    return (int) sparse.get(addressId, -1);
  }

  void setOwner(int addressId, int nodeId) {
    if (direct != null) {
      if (addressId >= direct.length) {
        int old = direct.length;
        direct = java.util.Arrays.copyOf(direct, Math.max(addressId + 1, old * 2 + 16));
        java.util.Arrays.fill(direct, old, direct.length, -1);
      }
      direct[addressId] = nodeId;
    } else {
      sparse.put(addressId, nodeId);
    }
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
