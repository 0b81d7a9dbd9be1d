package io.natswarm.holepunch.portmap.upnp;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.function.LongSupplier;

/**
 * Everything a {@link UpnpMapper} needs to know, injectable for tests: where the SSDP M-SEARCH goes
 * (in production the SSDP multicast group 239.255.255.250:1900, UPnP Device Architecture 1.1
 * section 1.3.2, sent from the LAN address of the default route's interface, {@code
 * portmap.DefaultRoute#lanAddress}; in tests a loopback responder), the bounds on every HTTP
 * exchange, the lease asked for and the clock.
 *
 * @param discoveryTarget where the M-SEARCH is sent
 * @param localAddress the address the SSDP socket binds to (and, for multicast, whose interface
 *     sends it)
 * @param discoveryTimeoutMillis how long to wait for SSDP replies
 * @param connectTimeoutMillis TCP connect timeout to the device
 * @param readTimeoutMillis the longest silence between two reads from the device
 * @param totalTimeoutMillis the longest one HTTP exchange may take
 * @param maxHeaderBytes cap on an HTTP status line and headers
 * @param maxBodyBytes cap on an HTTP body (description or SOAP answer)
 * @param leaseSeconds the lease asked for each mapping; 0 asks for a permanent one
 * @param retrySeconds when to try again after a failure
 * @param description the mapping's description shown on the router
 * @param nanoClock the host's monotonic clock ({@link System#nanoTime} in production)
 */
public record UpnpConfig(
    InetSocketAddress discoveryTarget,
    InetAddress localAddress,
    int discoveryTimeoutMillis,
    int connectTimeoutMillis,
    int readTimeoutMillis,
    int totalTimeoutMillis,
    int maxHeaderBytes,
    int maxBodyBytes,
    int leaseSeconds,
    int retrySeconds,
    String description,
    LongSupplier nanoClock) {

  /** The SSDP multicast group and port. */
  public static final InetSocketAddress SSDP_MULTICAST =
      new InetSocketAddress(InetAddressesHolder.SSDP_GROUP, 1900);

  /** Checks the values. */
  public UpnpConfig {
    if (discoveryTimeoutMillis < 1 || leaseSeconds < 0 || retrySeconds < 1) {
      throw new IllegalArgumentException("bad UPnP settings");
    }
    new LanHttp.Limits(
        connectTimeoutMillis, readTimeoutMillis, totalTimeoutMillis, maxHeaderBytes, maxBodyBytes);
  }

  /**
   * Production settings: M-SEARCH to 239.255.255.250:1900 from {@code lanAddress}; 3 s of
   * discovery; 2 s to connect, 2 s of silence, 5 s per exchange; 8 KiB of headers, 64 KiB of body
   * (a real description is 2 to 10 KiB); one-hour leases renewed at half; retry after 5 minutes.
   */
  public static UpnpConfig forLan(InetAddress lanAddress) {
    return new UpnpConfig(
        SSDP_MULTICAST,
        lanAddress,
        3000,
        2000,
        2000,
        5000,
        8 * 1024,
        64 * 1024,
        3600,
        300,
        "natswarm",
        System::nanoTime);
  }

  /** The same settings with another M-SEARCH destination and local address (tests: loopback). */
  public UpnpConfig withDiscovery(InetSocketAddress target, InetAddress local) {
    return new UpnpConfig(
        target,
        local,
        discoveryTimeoutMillis,
        connectTimeoutMillis,
        readTimeoutMillis,
        totalTimeoutMillis,
        maxHeaderBytes,
        maxBodyBytes,
        leaseSeconds,
        retrySeconds,
        description,
        nanoClock);
  }

  /** The same settings with other HTTP timeouts. */
  public UpnpConfig withTimeouts(
      int discoveryMillis, int connectMillis, int readMillis, int total) {
    return new UpnpConfig(
        discoveryTarget,
        localAddress,
        discoveryMillis,
        connectMillis,
        readMillis,
        total,
        maxHeaderBytes,
        maxBodyBytes,
        leaseSeconds,
        retrySeconds,
        description,
        nanoClock);
  }

  /** The same settings with another body cap. */
  public UpnpConfig withMaxBodyBytes(int bytes) {
    return new UpnpConfig(
        discoveryTarget,
        localAddress,
        discoveryTimeoutMillis,
        connectTimeoutMillis,
        readTimeoutMillis,
        totalTimeoutMillis,
        maxHeaderBytes,
        bytes,
        leaseSeconds,
        retrySeconds,
        description,
        nanoClock);
  }

  /** The same settings with another lease and clock. */
  public UpnpConfig withLease(int seconds, LongSupplier clock) {
    return new UpnpConfig(
        discoveryTarget,
        localAddress,
        discoveryTimeoutMillis,
        connectTimeoutMillis,
        readTimeoutMillis,
        totalTimeoutMillis,
        maxHeaderBytes,
        maxBodyBytes,
        seconds,
        retrySeconds,
        description,
        clock);
  }

  LanHttp.Limits httpLimits() {
    return new LanHttp.Limits(
        connectTimeoutMillis, readTimeoutMillis, totalTimeoutMillis, maxHeaderBytes, maxBodyBytes);
  }

  private static final class InetAddressesHolder {
    static final InetAddress SSDP_GROUP = group();

    private static InetAddress group() {
      try {
        return InetAddress.getByAddress(
            new byte[] {(byte) 239, (byte) 255, (byte) 255, (byte) 250});
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    }
  }
}
