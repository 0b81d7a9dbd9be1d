package io.natswarm.netsim;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * A box attached to one {@link Realm} by an access link: an uplink (node to realm) and a downlink
 * (realm to node), each with its own {@link LinkConfig}. A node has at most one IPv4 and one IPv6
 * address in its realm.
 */
public abstract class Node {
  final int id;
  final String name;
  final Realm realm;
  final Network network;
  final int addressV4;
  final int addressV6;
  final Link uplink;
  final Link downlink;

  Node(
      int id,
      String name,
      Realm realm,
      int addressV4,
      int addressV6,
      SimRandom uplinkRandom,
      SimRandom downlinkRandom) {
    this.id = id;
    this.name = name;
    this.realm = realm;
    this.network = realm.network;
    this.addressV4 = addressV4;
    this.addressV6 = addressV6;
    this.uplink = new Link(name + " uplink", uplinkRandom);
    this.downlink = new Link(name + " downlink", downlinkRandom);
  }

  public String name() {
    return name;
  }

  public Realm realm() {
    return realm;
  }

  public Network network() {
    return network;
  }

  /** The node's addresses in its realm, IPv4 first. */
  public List<InetAddress> addresses() {
    List<InetAddress> out = new ArrayList<>(2);
    if (addressV4 >= 0) {
      out.add(network.addresses.address(addressV4));
    }
    if (addressV6 >= 0) {
      out.add(network.addresses.address(addressV6));
    }
    return out;
  }

  /** The direction node to realm. */
  public Link uplink() {
    return uplink;
  }

  /** The direction realm to node. */
  public Link downlink() {
    return downlink;
  }

  /** Gives both directions of the access link the same impairments; returns this node. */
  public Node link(LinkConfig config) {
    uplink.configure(config);
    downlink.configure(config);
    return this;
  }

  /** Sets the impairments from node to realm; returns this node. */
  public Node uplink(LinkConfig config) {
    uplink.configure(config);
    return this;
  }

  /** Sets the impairments from realm to node; returns this node. */
  public Node downlink(LinkConfig config) {
    downlink.configure(config);
    return this;
  }

  /** A datagram in slot {@code slot} left this node's downlink. */
  abstract void receive(int slot);

  @Override
  public String toString() {
    return name;
  }
}
