package io.natswarm.node.reach;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/** The local endpoint the kernel would send from, for STUN's "is there a NAT at all?" test. */
public final class LocalRoute {
  private LocalRoute() {}

  /**
   * The address this host sends to {@code server} from, with {@code port}: {@code bound} itself
   * when the socket is bound to one address, else the kernel's route choice (a connected datagram
   * socket sends nothing: only a route lookup), or {@code bound} when there is no route.
   */
  public static InetSocketAddress toward(InetSocketAddress server, InetSocketAddress bound) {
    InetAddress a = bound.getAddress();
    if (!a.isAnyLocalAddress()) {
      return bound;
    }
    try (DatagramSocket probe = new DatagramSocket()) {
      probe.connect(server);
      return new InetSocketAddress(probe.getLocalAddress(), bound.getPort());
    } catch (IOException | RuntimeException e) {
      return bound;
    }
  }
}
