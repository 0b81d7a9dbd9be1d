package io.natswarm.netsim;

import java.net.InetSocketAddress;

/**
 * A {@link SimEndpoint} bound to one UDP port on every address of a {@link Host} (like a socket
 * bound to the wildcard address). Outgoing datagrams leave from the host's address of the
 * destination's family.
 */
public final class Binding {
  final int id;
  final Host host;
  final int port;
  final SimEndpoint endpoint;
  boolean open = true;

  Binding(int id, Host host, int port, SimEndpoint endpoint) {
    this.id = id;
    this.host = host;
    this.port = port;
    this.endpoint = endpoint;
  }

  public Host host() {
    return host;
  }

  public int port() {
    return port;
  }

  public SimEndpoint endpoint() {
    return endpoint;
  }

  /** The host's first address (IPv4 if it has one) and this port. */
  public InetSocketAddress localAddress() {
    int a = host.addressV4 >= 0 ? host.addressV4 : host.addressV6;
    return host.network.addresses.socket(a, port);
  }

  /** The host's IPv6 (or IPv4) address and this port; throws when it has no such address. */
  public InetSocketAddress localAddress(boolean ipv6) {
    int a = ipv6 ? host.addressV6 : host.addressV4;
    if (a < 0) {
      throw new IllegalArgumentException(
          "host " + host.name + " has no " + (ipv6 ? "IPv6" : "IPv4") + " address");
    }
    return host.network.addresses.socket(a, port);
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
