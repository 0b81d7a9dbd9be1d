package io.natswarm.pex;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A peer named in a ut_pex message: its endpoint (IPv4 or IPv6, resolved, port 1–65535) and the
 * {@link PexFlags} its sender gave it (0 for a dropped peer or when the sender sent none).
 *
 * @param endpoint the peer's address and port
 * @param flags the {@link PexFlags} bits, 0–255
 */
public record PexPeer(InetSocketAddress endpoint, int flags) {
  public PexPeer {
    Objects.requireNonNull(endpoint, "endpoint");
    if (endpoint.isUnresolved()) {
      throw new IllegalArgumentException("a PEX peer needs a resolved address: " + endpoint);
    }
    if (endpoint.getPort() == 0) {
      throw new IllegalArgumentException("a PEX peer needs a port: " + endpoint);
    }
    if (flags < 0 || flags > 0xff) {
      throw new IllegalArgumentException("PEX flags are one byte, not " + flags);
    }
  }

  /** Whether the peer's address is IPv6 (sent in {@code added6}). */
  public boolean isIpv6() {
    return endpoint.getAddress().getAddress().length == 16;
  }

  @Override
  public String toString() {
    return endpoint + "[" + PexFlags.describe(flags) + "]";
  }
}
