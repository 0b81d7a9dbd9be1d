package io.natswarm.utp.stream;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/** Loopback addresses for tests (the network rule: tests talk to loopback only). */
final class Loopback {
  static final InetAddress V4 = address(new byte[] {127, 0, 0, 1});
  static final InetAddress V6 =
      address(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});

  private Loopback() {}

  static InetSocketAddress v4(int port) {
    return new InetSocketAddress(V4, port);
  }

  static InetSocketAddress v6(int port) {
    return new InetSocketAddress(V6, port);
  }

  private static InetAddress address(byte[] b) {
    try {
      return InetAddress.getByAddress(b);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }
}
