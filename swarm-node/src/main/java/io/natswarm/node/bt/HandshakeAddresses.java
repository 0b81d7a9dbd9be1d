package io.natswarm.node.bt;

import bt.bencoding.model.BEObject;
import bt.bencoding.types.BEInteger;
import bt.bencoding.types.BEMap;
import bt.bencoding.types.BEString;
import bt.protocol.extended.ExtendedHandshake;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Map;

/**
 * The address fields of the BEP 10 extended handshake: {@code yourip}, the compact address (4 or 16
 * bytes) at which the sender sees the receiver, which we add to each handshake we post and read
 * from each one we receive (a vote for our external address), and {@code ipv4}/{@code ipv6}, the
 * sender's own listening address ({@link NodeHandshakeFactory}).
 */
final class HandshakeAddresses {
  static final String YOURIP = "yourip";
  static final String IPV4 = "ipv4";
  static final String IPV6 = "ipv6";
  private static final String MESSAGE_TYPES = "m";

  private HandshakeAddresses() {}

  /** {@code handshake} with {@code yourip} set to the address of {@code remote}. */
  static ExtendedHandshake withYourIp(ExtendedHandshake handshake, InetSocketAddress remote) {
    if (remote == null || remote.getAddress() == null) {
      return handshake;
    }
    return with(handshake, YOURIP, new BEString(remote.getAddress().getAddress()));
  }

  /** A copy of {@code handshake} with {@code key} set to {@code value}. */
  static ExtendedHandshake with(ExtendedHandshake handshake, String key, BEObject<?> value) {
    ExtendedHandshake.Builder b = ExtendedHandshake.builder();
    for (Map.Entry<String, BEObject<?>> e : handshake.getData().entrySet()) {
      if (!e.getKey().equals(MESSAGE_TYPES)) {
        b.property(e.getKey(), e.getValue());
      } else if (e.getValue() instanceof BEMap m) {
        // Bt's builder reserves "m" for its own message-type map
        for (Map.Entry<String, BEObject<?>> t : m.getValue().entrySet()) {
          if (t.getValue() instanceof BEInteger id) {
            b.addMessageType(t.getKey(), id.getValue().intValue());
          }
        }
      }
    }
    b.property(key, value);
    return b.build();
  }

  /**
   * The address a peer's handshake says it sees us at, or null when it sent none or not 4 or 16
   * bytes.
   */
  static InetAddress yourIp(ExtendedHandshake handshake) {
    BEObject<?> v = handshake.getData().get(YOURIP);
    if (!(v instanceof BEString s)) {
      return null;
    }
    return address(s.getValue(), 4, 16);
  }

  /**
   * The IPv6 address a peer's handshake says it can be reached at ({@code ipv6}, 16 bytes), or null
   * when it sent none or a malformed one.
   */
  static InetAddress ipv6(ExtendedHandshake handshake) {
    return handshake.getData().get(IPV6) instanceof BEString s
        ? address(s.getValue(), 16, 16)
        : null;
  }

  /**
   * The IPv4 address a peer's handshake says it can be reached at ({@code ipv4}, 4 bytes), or null
   * when it sent none or a malformed one.
   */
  static InetAddress ipv4(ExtendedHandshake handshake) {
    return handshake.getData().get(IPV4) instanceof BEString s ? address(s.getValue(), 4, 4) : null;
  }

  private static InetAddress address(byte[] raw, int oneLength, int otherLength) {
    if (raw.length != oneLength && raw.length != otherLength) {
      return null;
    }
    try {
      return InetAddress.getByAddress(raw);
    } catch (UnknownHostException e) {
      return null; // not for 4 or 16 bytes
    }
  }
}
