package io.natswarm.node.cli;

import java.time.Duration;
import java.util.Locale;

/** Sizes, rates and durations for a person. */
final class Units {
  private Units() {}

  /** 1.5 MiB, 320 KiB, 12 B. */
  static String bytes(double n) {
    if (n >= 1 << 30) {
      return String.format(Locale.ROOT, "%.1f GiB", n / (1 << 30));
    }
    if (n >= 1 << 20) {
      return String.format(Locale.ROOT, "%.1f MiB", n / (1 << 20));
    }
    if (n >= 1 << 10) {
      return String.format(Locale.ROOT, "%.1f KiB", n / (1 << 10));
    }
    return String.format(Locale.ROOT, "%.0f B", n);
  }

  /** 127.0.0.1:6881 or [::1]:6881. */
  static String address(java.net.InetSocketAddress a) {
    String host = a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
  }

  /** 1:02:03 or 2:03. */
  static String clock(Duration d) {
    long s = Math.max(0, d.toSeconds());
    return s >= 3600
        ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
        : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }
}
