package io.natswarm.netsim;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Interns every IP address the simulation meets as a small int id (24 bits), so that packets carry
 * primitives, and caches one {@link InetSocketAddress} per (address, port) so that delivering a
 * datagram allocates nothing. Parses address literals itself: the simulator never resolves names.
 */
final class AddressTable {
  static final int MAX_IDS = 1 << 24;

  private final Map<InetAddress, Integer> ids = new HashMap<>();
  private final List<InetAddress> addresses = new ArrayList<>();
  private final LongObjectMap<InetSocketAddress> sockets = new LongObjectMap<>(1024);

  int idOf(InetAddress address) {
    Integer id = ids.get(address);
    if (id != null) {
      return id;
    }
    int n = addresses.size();
    if (n >= MAX_IDS) {
      throw new IllegalStateException("more than " + MAX_IDS + " distinct addresses");
    }
    ids.put(address, n);
    addresses.add(address);
    return n;
  }

  InetAddress address(int id) {
    return addresses.get(id);
  }

  boolean isIpv6(int id) {
    return addresses.get(id) instanceof Inet6Address;
  }

  static long socketKey(int addressId, int port) {
    return ((long) addressId << 16) | port;
  }

  InetSocketAddress socket(int addressId, int port) {
    long key = socketKey(addressId, port);
    InetSocketAddress s = sockets.get(key);
    if (s == null) {
      InetAddress ip = addresses.get(addressId);
      s = new SimSocketAddress(this, ip, port, addressId, ip instanceof Inet6Address);
      sockets.put(key, s);
    }
    return s;
  }

  String text(int addressId, int port) {
    if (addressId < 0 || addressId >= addresses.size()) {
      return "?:" + port;
    }
    InetAddress a = addresses.get(addressId);
    return a instanceof Inet6Address
        ? "[" + a.getHostAddress() + "]:" + port
        : a.getHostAddress() + ":" + port;
  }

  /**
   * Parses an IPv4 dotted quad or an IPv6 literal without any name lookup; throws
   * IllegalArgumentException naming {@code what} otherwise.
   */
  static InetAddress parse(String literal, String what) {
    if (literal == null || literal.isEmpty()) {
      throw new IllegalArgumentException(what + ": address must not be empty");
    }
    if (literal.indexOf(':') >= 0) {
      String s =
          literal.startsWith("[") && literal.endsWith("]")
              ? literal.substring(1, literal.length() - 1)
              : literal;
      if (!s.matches("[0-9A-Fa-f:.]+")) {
        throw new IllegalArgumentException(
            what + ": unknown address format '" + literal + "' (want an IPv4 or IPv6 literal)");
      }
      try {
        InetAddress a = InetAddress.getByName(s); // a literal: no lookup happens
        if (!(a instanceof Inet6Address)) {
          throw new IllegalArgumentException(
              what + ": '" + literal + "' is an IPv4-mapped IPv6 address; write it as IPv4");
        }
        return a;
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException(
            what + ": unknown address format '" + literal + "' (invalid IPv6 literal)", e);
      }
    }
    String[] parts = literal.split("\\.", -1);
    if (parts.length != 4) {
      throw new IllegalArgumentException(
          what + ": unknown address format '" + literal + "' (want an IPv4 or IPv6 literal)");
    }
    byte[] b = new byte[4];
    for (int i = 0; i < 4; i++) {
      String p = parts[i];
      if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
        throw new IllegalArgumentException(
            what + ": unknown address format '" + literal + "' (want an IPv4 or IPv6 literal)");
      }
      int v = Integer.parseInt(p);
      if (v > 255) {
        throw new IllegalArgumentException(
            what + ": '" + literal + "' has an IPv4 octet out of range: " + v);
      }
      b[i] = (byte) v;
    }
    try {
      return Inet4Address.getByAddress(b);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(what + ": bad IPv4 address '" + literal + "'", e);
    }
  }
}
