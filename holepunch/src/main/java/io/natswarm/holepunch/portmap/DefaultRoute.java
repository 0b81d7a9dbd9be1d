package io.natswarm.holepunch.portmap;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The host's IPv4 default route, where PCP, NAT-PMP and UPnP-IGD look for the gateway: its gateway
 * address and the interface's own address. Read from Linux's {@code /proc/net/route} (hexadecimal,
 * in the kernel's byte order); empty elsewhere or without a default route. Sends nothing.
 *
 * @param gateway the next hop of the default route
 * @param lanAddress this host's IPv4 address on the interface that holds the route
 * @param interfaceName that interface
 */
public record DefaultRoute(Inet4Address gateway, Inet4Address lanAddress, String interfaceName) {
  private static final Path ROUTES = Path.of("/proc/net/route");

  /** The default route now, if the host has one with a gateway. */
  public static Optional<DefaultRoute> ipv4() {
    try {
      return parse(Files.readAllLines(ROUTES, StandardCharsets.US_ASCII));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** The default route in {@code /proc/net/route}'s lines (header first), if any. */
  static Optional<DefaultRoute> parse(List<String> lines) throws SocketException {
    for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
      String[] f = line.trim().split("\\s+", -1);
      // Iface Destination Gateway Flags RefCnt Use Metric Mask ...; RTF_GATEWAY is 0x2
      if (f.length < 8 || !f[1].equals("00000000") || !f[7].equals("00000000")) {
        continue;
      }
      int flags;
      long gw;
      try {
        flags = Integer.parseInt(f[3], 16);
        gw = Long.parseLong(f[2], 16);
      } catch (NumberFormatException e) {
        continue;
      }
      if ((flags & 0x2) == 0 || gw == 0) {
        continue;
      }
      Inet4Address gateway = littleEndian(gw);
      NetworkInterface nif = NetworkInterface.getByName(f[0]);
      if (gateway == null || nif == null) {
        continue;
      }
      for (InetAddress a : Collections.list(nif.getInetAddresses())) {
        if (a instanceof Inet4Address a4) {
          return Optional.of(new DefaultRoute(gateway, a4, f[0]));
        }
      }
    }
    return Optional.empty();
  }

  private static Inet4Address littleEndian(long v) {
    byte[] b = {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
    try {
      return (Inet4Address) InetAddress.getByAddress(b);
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
