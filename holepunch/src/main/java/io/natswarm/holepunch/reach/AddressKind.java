package io.natswarm.holepunch.reach;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * What an address says about where it can be reached from: the internet (global), only a LAN
 * (private, link-local, unique-local), only a provider's network (RFC 6598 shared space, behind a
 * carrier-grade NAT), only this host (loopback), or nowhere (wildcard, multicast).
 */
public enum AddressKind {
  GLOBAL,
  PRIVATE,
  CARRIER_GRADE_NAT,
  LOOPBACK,
  UNUSABLE;

  /** The kind of {@code a}. */
  public static AddressKind of(InetAddress a) {
    if (a == null || a.isAnyLocalAddress() || a.isMulticastAddress()) {
      return UNUSABLE;
    }
    if (a.isLoopbackAddress()) {
      return LOOPBACK;
    }
    if (a.isLinkLocalAddress() || a.isSiteLocalAddress()) {
      return PRIVATE;
    }
    byte[] b = a.getAddress();
    if (a instanceof Inet6Address) {
      if ((b[0] & 0xfe) == 0xfc) {
        return PRIVATE; // unique local fc00::/7
      }
      return GLOBAL;
    }
    int first = b[0] & 0xff;
    if (first == 0) {
      return UNUSABLE;
    }
    if (first == 100 && (b[1] & 0xc0) == 64) {
      return CARRIER_GRADE_NAT; // 100.64.0.0/10
    }
    return a instanceof Inet4Address ? GLOBAL : UNUSABLE;
  }
}
