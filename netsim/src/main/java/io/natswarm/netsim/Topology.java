package io.natswarm.netsim;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The scenario's nodes and their addresses: checks what a test asks for (names, address literals,
 * realms, address families a realm can route) and fails with a message that names the problem, then
 * records each node in the realms where its addresses are visible.
 */
final class Topology {
  private final Network network;
  private final AddressTable addresses;
  private final List<Node> nodeList = new ArrayList<>();
  private final Map<String, Node> byName = new HashMap<>();
  Node[] nodes = new Node[16];

  Topology(Network network, AddressTable addresses) {
    this.network = network;
    this.addresses = addresses;
  }

  int size() {
    return nodeList.size();
  }

  Node byName(String name) {
    return byName.get(name);
  }

  String nameOf(int id) {
    return id >= 0 && id < nodeList.size() ? nodeList.get(id).name : "?";
  }

  void checkName(String name) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("node name must not be empty");
    }
    if (byName.containsKey(name)) {
      throw new IllegalArgumentException("duplicate node name '" + name + "'");
    }
  }

  void checkRealm(Realm realm, String what) {
    if (realm == null) {
      throw new IllegalArgumentException(what + ": realm must not be null");
    }
    if (realm.network != network) {
      throw new IllegalArgumentException(
          what + ": realm " + realm.name + " belongs to another network (no route to it)");
    }
  }

  int[] parseAddresses(String what, String... literals) {
    if (literals == null || literals.length == 0) {
      throw new IllegalArgumentException(what + ": needs at least one address");
    }
    int[] a = {-1, -1};
    for (String literal : literals) {
      InetAddress ip = AddressTable.parse(literal, what);
      int family = ip instanceof Inet6Address ? 1 : 0;
      if (a[family] >= 0) {
        throw new IllegalArgumentException(
            what + ": more than one " + (family == 1 ? "IPv6" : "IPv4") + " address: " + literal);
      }
      a[family] = addresses.idOf(ip);
    }
    return a;
  }

  void register(Node node, String what) {
    int[] own = {node.addressV4, node.addressV6};
    for (int addr : own) {
      if (addr < 0) {
        continue;
      }
      boolean v6 = addresses.isIpv6(addr);
      // Every realm the address is visible in: its own, plus the outer realms of firewalls.
      Realm r = node.realm;
      while (true) {
        Node owner = r.owner(addr);
        if (owner != null) {
          throw new IllegalArgumentException(
              what
                  + ": address "
                  + addresses.address(addr).getHostAddress()
                  + " is already used by "
                  + owner.name
                  + " in realm "
                  + r.name);
        }
        NatBox gw = r.gateway;
        if (gw == null) {
          break;
        }
        if (gw.config.translating) {
          int outside = v6 ? gw.addressV6 : gw.addressV4;
          if (outside < 0) {
            throw new IllegalArgumentException(
                what
                    + ": realm "
                    + r.name
                    + " has no route for "
                    + (v6 ? "IPv6" : "IPv4")
                    + " (NAT "
                    + gw.name
                    + " translates only "
                    + (v6 ? "IPv4" : "IPv6")
                    + ")");
          }
          break;
        }
        r = gw.realm;
      }
    }
    for (int addr : own) {
      if (addr < 0) {
        continue;
      }
      Realm r = node.realm;
      Node owner = node;
      while (true) {
        r.setOwner(addr, owner);
        NatBox gw = r.gateway;
        if (gw == null || gw.config.translating) {
          break;
        }
        // Firewalled addresses are routed to the firewall in the realm outside it.
        r = gw.realm;
        owner = gw;
      }
    }
    nodeList.add(node);
    if (node.id >= nodes.length) {
      nodes = Arrays.copyOf(nodes, nodes.length * 2);
    }
    nodes[node.id] = node;
    byName.put(node.name, node);
  }
}
