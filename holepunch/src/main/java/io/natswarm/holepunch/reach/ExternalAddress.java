package io.natswarm.holepunch.reach;

import java.net.InetAddress;
import java.util.Objects;

/**
 * How the world sees this node, as one source says.
 *
 * @param address the external address
 * @param port the external UDP port when the source knows it (STUN, the DHT's {@code ip}, a
 *     mapping), else 0 (BEP 10 {@code yourip} carries no port)
 * @param source who said so, for a person: "STUN 203.0.113.1:3478", "12 DHT nodes", "3 peers"
 */
public record ExternalAddress(InetAddress address, int port, String source) {
  /** Checks the values. */
  public ExternalAddress {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(source, "source");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port " + port);
    }
  }
}
