package io.natswarm.netsim;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * An {@link InetSocketAddress} the network handed out (a datagram's sender, a binding's local
 * address) that remembers its interned address id, so that sending back to it needs no lookup.
 * Equal to any InetSocketAddress with the same address and port.
 */
@SuppressWarnings("serial") // never serialized; equality is InetSocketAddress's
final class SimSocketAddress extends InetSocketAddress {
  final transient AddressTable table;
  final int addressId;
  final int port;
  final boolean ipv6;

  SimSocketAddress(AddressTable table, InetAddress address, int port, int addressId, boolean ipv6) {
    super(address, port);
    this.table = table;
    this.addressId = addressId;
    this.port = port;
    this.ipv6 = ipv6;
  }
}
