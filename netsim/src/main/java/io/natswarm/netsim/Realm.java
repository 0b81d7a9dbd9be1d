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
  private Node[] direct;
  private final LongObjectMap<Node> sparse;

  Realm(int id, String name, Network network, NatBox gateway) {
    this.id = id;
    this.name = name;
    this.network = network;
    this.gateway = gateway;
    this.direct = gateway == null ? new Node[0] : null;
    this.sparse = gateway == null ? null : new LongObjectMap<>(8);
  }

  /** The node that owns {@code addressId} in this realm, or null. */
  Node owner(int addressId) {
    if (direct != null) {
      return addressId < direct.length ? direct[addressId] : null;
    }
    return sparse.get(addressId);
  }

  void setOwner(int addressId, Node node) {
    if (direct != null) {
      if (addressId >= direct.length) {
        direct = java.util.Arrays.copyOf(direct, Math.max(addressId + 1, direct.length * 2 + 16));
      }
      direct[addressId] = node;
    } else {
      sparse.put(addressId, node);
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
