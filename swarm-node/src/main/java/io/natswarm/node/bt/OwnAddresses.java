package io.natswarm.node.bt;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The addresses this node accepts peers on, per family, as it tells them in its BEP 10 handshake
 * ({@code ipv4}, {@code ipv6}) and as the IPv6 upgrade needs them: the listen address itself when
 * the node listens on one address; when it listens on a wildcard, the first global address of an
 * interface of each family the socket serves ({@code ::} serves both, {@code 0.0.0.0} IPv4 only),
 * looked up again at most once a minute (interfaces come and go).
 *
 * <p>Thread-safe: read on Bt's connection and dispatch threads.
 */
final class OwnAddresses {
  private static final long REFRESH_NANOS = TimeUnit.MINUTES.toNanos(1);

  private final InetAddress listen;
  private final InetAddress advertisedIpv6;
  private volatile Snapshot snapshot;

  private record Snapshot(long atNanos, InetAddress v4, InetAddress v6) {}

  /**
   * @param listenAddress where the node's sockets are bound
   * @param advertisedIpv6 the IPv6 address to tell peers when listening on {@code ::}, or null for
   *     the interfaces' first global one
   */
  OwnAddresses(InetSocketAddress listenAddress, InetAddress advertisedIpv6) {
    this.listen = listenAddress.getAddress();
    this.advertisedIpv6 = advertisedIpv6;
  }

  /** True when the node's sockets take both IPv4 and IPv6 peers (bound to {@code ::}). */
  boolean dualStack() {
    return listen instanceof Inet6Address && listen.isAnyLocalAddress();
  }

  /** The IPv6 address peers can reach this node at, if it has one. */
  Optional<InetAddress> ipv6() {
    return Optional.ofNullable(current().v6());
  }

  /** The IPv4 address peers can reach this node at, if it has one of global scope. */
  Optional<InetAddress> ipv4() {
    return Optional.ofNullable(current().v4());
  }

  private Snapshot current() {
    Snapshot s = snapshot;
    long now = System.nanoTime();
    if (s == null || now - s.atNanos() > REFRESH_NANOS) {
      s = lookUp(now);
      snapshot = s;
    }
    return s;
  }

  private Snapshot lookUp(long now) {
    if (!listen.isAnyLocalAddress()) {
      return listen instanceof Inet4Address
          ? new Snapshot(now, listen, null)
          : new Snapshot(now, null, listen);
    }
    InetAddress v4 = AddressScope.firstGlobalIpv4().orElse(null);
    InetAddress v6 = null;
    if (dualStack()) {
      v6 = advertisedIpv6 != null ? advertisedIpv6 : AddressScope.firstGlobalIpv6().orElse(null);
    }
    return new Snapshot(now, v4, v6);
  }
}
