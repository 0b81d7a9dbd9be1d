package io.natswarm.netsim;

import io.natswarm.datagram.DatagramCore;
import java.net.InetSocketAddress;

/**
 * A {@link DatagramCore} bound to one UDP port on every address of a {@link Host} (like a socket
 * bound to the wildcard address). Outgoing datagrams leave from the host's address of the
 * destination's family.
 */
public final class Binding {
  final int id;
  final Host host;
  final int port;
  final DatagramCore endpoint;
  final InetSocketAddress local4;
  final InetSocketAddress local6;
  boolean open = true;
  long scheduled = Long.MAX_VALUE;
  boolean drainPending;

  Binding(int id, Host host, int port, DatagramCore endpoint) {
    this.id = id;
    this.host = host;
    this.port = port;
    this.endpoint = endpoint;
    AddressTable t = host.network.addresses;
    this.local4 = host.addressV4 >= 0 ? t.socket(host.addressV4, port) : null;
    this.local6 = host.addressV6 >= 0 ? t.socket(host.addressV6, port) : null;
  }

  public Host host() {
    return host;
  }

  public int port() {
    return port;
  }

  public DatagramCore endpoint() {
    return endpoint;
  }

  /** The host's first address (IPv4 if it has one) and this port. */
  public InetSocketAddress localAddress() {
    return local4 != null ? local4 : local6;
  }

  /** The host's IPv6 (or IPv4) address and this port; throws when it has no such address. */
  public InetSocketAddress localAddress(boolean ipv6) {
    InetSocketAddress a = ipv6 ? local6 : local4;
    if (a == null) {
      throw new IllegalArgumentException(
          "host " + host.name + " has no " + (ipv6 ? "IPv6" : "IPv4") + " address");
    }
    return a;
  }

  public boolean isOpen() {
    return open;
  }

  /** Unbinds: datagrams to the port are dropped from now on and the endpoint's timer is gone. */
  public void close() {
    host.network.unbind(this);
  }

  @Override
  public String toString() {
    return host.name + ":" + port;
  }
}
