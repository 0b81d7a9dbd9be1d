package io.natswarm.utp;

import java.net.InetSocketAddress;

/**
 * Key of the stack's connection table: remote address plus our receive connection id (BEP 29: the
 * id is only unique per remote endpoint). The stack keeps one mutable instance for lookups so that
 * the per-packet path allocates nothing. Owned by the event-loop thread.
 */
final class ConnectionKey {
  private InetSocketAddress address;
  private int id;

  ConnectionKey(InetSocketAddress address, int id) {
    this.address = address;
    this.id = id;
  }

  ConnectionKey set(InetSocketAddress address, int id) {
    this.address = address;
    this.id = id;
    return this;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ConnectionKey k && k.id == id && k.address.equals(address);
  }

  @Override
  public int hashCode() {
    return address.hashCode() * 31 + id;
  }
}
