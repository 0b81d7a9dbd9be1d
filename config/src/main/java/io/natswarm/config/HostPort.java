package io.natswarm.config;

import java.net.InetSocketAddress;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A host name or IP address and a port, as written in the settings; resolved only when the node
 * starts ({@link #resolve()}), never while settings are read.
 *
 * @param host a host name, an IPv4 address or an IPv6 address (without brackets)
 * @param port 1-65535
 */
public record HostPort(String host, int port) {
  private static final Pattern BRACKETED =
      Pattern.compile("\\[([0-9A-Fa-f:.%a-zA-Z]+)\\]:(\\d{1,5})");
  private static final Pattern PLAIN = Pattern.compile("([A-Za-z0-9._-]+):(\\d{1,5})");

  public HostPort {
    if (host == null || host.isEmpty()) {
      throw new IllegalArgumentException("host must not be empty");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be 1-65535, was " + port);
    }
  }

  /** Reads {@code host:port} or {@code [ipv6]:port}; null if it is neither. */
  public static HostPort parse(String text) {
    Matcher m = BRACKETED.matcher(text);
    if (!m.matches()) {
      m = PLAIN.matcher(text);
      if (!m.matches()) {
        return null;
      }
    }
    int port = Integer.parseInt(m.group(2));
    if (port < 1 || port > 65535) {
      return null;
    }
    return new HostPort(m.group(1), port);
  }

  /** The address, looking the host name up if it is one (may block; may be unresolved). */
  public InetSocketAddress resolve() {
    return new InetSocketAddress(host, port);
  }

  @Override
  public String toString() {
    return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
  }
}
