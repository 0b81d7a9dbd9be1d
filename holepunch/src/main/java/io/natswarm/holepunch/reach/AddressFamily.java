package io.natswarm.holepunch.reach;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/** IPv4 or IPv6: reachability is judged separately for each. */
public enum AddressFamily {
  IPV4("IPv4"),
  IPV6("IPv6");

  private final String label;

  AddressFamily(String label) {
    this.label = label;
  }

  /** The family of {@code address} (an IPv4-mapped IPv6 address counts as IPv4). */
  public static AddressFamily of(InetAddress address) {
    if (address instanceof Inet4Address) {
      return IPV4;
    }
    byte[] b = ((Inet6Address) address).getAddress();
    boolean mapped = b[10] == (byte) 0xff && b[11] == (byte) 0xff;
    for (int i = 0; i < 10 && mapped; i++) {
      mapped = b[i] == 0;
    }
    return mapped ? IPV4 : IPV6;
  }

  /** "IPv4" or "IPv6". */
  public String label() {
    return label;
  }
}
