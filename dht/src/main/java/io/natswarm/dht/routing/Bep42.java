package io.natswarm.dht.routing;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Random;
import java.util.zip.CRC32C;

/**
 * BEP 42 ("DHT Security extension"): node ids whose first 21 bits are derived from the node's
 * external IP address with CRC32-C, so that an attacker cannot choose ids freely. Local and
 * loopback addresses are exempt. Stateless; any thread.
 */
public final class Bep42 {
  private static final byte[] V4_MASK = {0x03, 0x0f, 0x3f, (byte) 0xff};
  private static final byte[] V6_MASK = {0x01, 0x03, 0x07, 0x0f, 0x1f, 0x3f, 0x7f, (byte) 0xff};

  private Bep42() {}

  /** A fresh id valid for {@code external}, with the random byte {@code r} (0-255). */
  public static NodeId generate(InetAddress external, int r, Random random) {
    byte[] id = new byte[NodeId.LENGTH];
    random.nextBytes(id);
    int crc = crc(external.getAddress(), r & 7);
    id[0] = (byte) (crc >>> 24);
    id[1] = (byte) (crc >>> 16);
    id[2] = (byte) (((crc >>> 8) & 0xf8) | (id[2] & 0x07));
    id[19] = (byte) r;
    return NodeId.of(id);
  }

  /** Whether {@code id} is valid for {@code address}; always true for exempt addresses. */
  public static boolean isValid(NodeId id, InetAddress address) {
    if (isExempt(address)) {
      return true;
    }
    byte[] b = id.toBytes();
    int crc = crc(address.getAddress(), b[19] & 7);
    return (b[0] & 0xff) == ((crc >>> 24) & 0xff)
        && (b[1] & 0xff) == ((crc >>> 16) & 0xff)
        && (b[2] & 0xf8) == ((crc >>> 8) & 0xf8);
  }

  /** Loopback, link-local and private (RFC 1918, unique local) addresses are exempt. */
  public static boolean isExempt(InetAddress a) {
    if (a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress()) {
      return true;
    }
    byte[] b = a.getAddress();
    return b.length == 16 && (b[0] & 0xfe) == 0xfc;
  }

  private static int crc(byte[] ip, int r) {
    byte[] mask = ip.length == 4 ? V4_MASK : V6_MASK;
    byte[] masked = new byte[mask.length];
    for (int i = 0; i < mask.length; i++) {
      masked[i] = (byte) (ip[i] & mask[i]);
    }
    masked[0] |= (byte) (r << 5);
    CRC32C c = new CRC32C();
    c.update(masked);
    return (int) c.getValue();
  }

  /** Whether {@code a} is IPv4. */
  static boolean isV4(InetAddress a) {
    return a instanceof Inet4Address;
  }
}
