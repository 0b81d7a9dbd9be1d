package io.natswarm.node.bt;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;
import java.util.Optional;

/**
 * Which addresses a node may tell others about and dial for an IPv6 upgrade: those of global scope
 * (not loopback, link-local, site-local, unique-local {@code fc00::/7}, multicast, wildcard or
 * IPv4-in-IPv6), and the local interfaces' addresses of that scope. A loopback address counts only
 * between two loopback addresses (nodes on one host, in tests).
 */
final class AddressScope {
  private AddressScope() {}

  /** True for an address that peers elsewhere on the internet could reach. */
  static boolean global(InetAddress a) {
    if (a == null
        || a.isLoopbackAddress()
        || a.isLinkLocalAddress()
        || a.isSiteLocalAddress()
        || a.isAnyLocalAddress()
        || a.isMulticastAddress()) {
      return false;
    }
    if (a instanceof Inet6Address) {
      byte[] b = a.getAddress();
      if ((b[0] & 0xfe) == 0xfc) {
        return false; // unique local
      }
      boolean v4Compatible = true;
      for (int i = 0; i < 10; i++) {
        v4Compatible &= b[i] == 0;
      }
      return !v4Compatible; // ::a.b.c.d and ::ffff:a.b.c.d are IPv4
    }
    byte[] b = a.getAddress();
    int first = b[0] & 0xff;
    // 100.64.0.0/10: a carrier-grade NAT's shared space (RFC 6598), not reachable from outside
    return !(first == 0 || (first == 100 && (b[1] & 0xc0) == 64));
  }

  /** True when a node at {@code ours} may dial {@code theirs}: both global, or both loopback. */
  static boolean reachableFrom(InetAddress ours, InetAddress theirs) {
    if (ours == null || theirs == null) {
      return false;
    }
    if (ours.isLoopbackAddress() || theirs.isLoopbackAddress()) {
      return ours.isLoopbackAddress() && theirs.isLoopbackAddress();
    }
    return global(ours) && global(theirs);
  }

  /** A global address of the family of {@code family} on an interface that is up, if any. */
  static Optional<InetAddress> firstGlobal(Class<? extends InetAddress> family) {
    try {
      for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!nif.isUp() || nif.isLoopback()) {
          continue;
        }
        for (InetAddress a : Collections.list(nif.getInetAddresses())) {
          if (family.isInstance(a) && global(a)) {
            return Optional.of(a);
          }
        }
      }
    } catch (SocketException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }

  /** The first global IPv6 address of an interface, if any. */
  static Optional<InetAddress> firstGlobalIpv6() {
    return firstGlobal(Inet6Address.class);
  }

  /** The first global IPv4 address of an interface, if any. */
  static Optional<InetAddress> firstGlobalIpv4() {
    return firstGlobal(Inet4Address.class);
  }
}
