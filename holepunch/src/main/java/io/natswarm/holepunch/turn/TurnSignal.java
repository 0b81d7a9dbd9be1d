package io.natswarm.holepunch.turn;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A message of {@code ns_turn}, natswarm's BEP 10 extension that carries a TURN relayed address
 * (RFC 8656 section 2) between two peers through a peer connected to both, as BEP 55's rendezvous
 * carries endpoints: the signalling channel ICE (RFC 8445) leaves to the application.
 *
 * <p>The node that could reach its target on no other rung takes an allocation on its TURN server
 * and sends {@link Type#OFFER} (the target's endpoint, its relayed address) to a peer connected to
 * both; that peer sends {@link Type#DIAL} (the offering peer's endpoint, the relayed address) to
 * the target, which dials the relayed address over µTP. The target's own NAT then lets the relay's
 * answers in (the target sent first), and the offering node, having created a permission for the
 * target's address, hears it through the server.
 *
 * <p>Wire format, big-endian: the type (one byte: 0 offer, 1 dial), then two endpoints, each an
 * address family byte (4 or 6), the address (4 or 16 bytes) and the port (2 bytes); nothing after.
 * {@link #parse} never throws on bad bytes.
 *
 * @param type offer (to the middle peer) or dial (from it)
 * @param peer for an offer the target's endpoint, for a dial the offering peer's
 * @param relayed the offering node's relayed address on its TURN server
 */
public record TurnSignal(Type type, InetSocketAddress peer, InetSocketAddress relayed) {
  /** The extension's name in the BEP 10 handshake's {@code m} dictionary. */
  public static final String EXTENSION_NAME = "ns_turn";

  /** The longest valid message: two IPv6 endpoints. */
  public static final int MAX_ENCODED_LENGTH = 1 + 2 * (1 + 16 + 2);

  /** What a signal asks. */
  public enum Type {
    /** To a peer connected to both sides: tell {@code peer} to dial {@code relayed}. */
    OFFER,
    /** From that peer: the peer at {@code peer} asks us to dial {@code relayed}. */
    DIAL
  }

  /** Why bytes are not a signal. */
  public enum Problem {
    /** Shorter than its fields say. */
    TRUNCATED,
    /** A type other than 0 or 1. */
    UNKNOWN_TYPE,
    /** An address family other than 4 or 6. */
    BAD_FAMILY,
    /** Port 0, or an address that cannot be dialled (unspecified, multicast). */
    BAD_ENDPOINT,
    /** Bytes after the second endpoint. */
    TRAILING_BYTES
  }

  /**
   * A parsed message or the problem with it.
   *
   * @param signal the message, or null
   * @param problem why there is none, or null
   */
  public record Parsed(TurnSignal signal, Problem problem) {
    public boolean ok() {
      return signal != null;
    }
  }

  public TurnSignal {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(peer, "peer");
    Objects.requireNonNull(relayed, "relayed");
    if (peer.isUnresolved() || relayed.isUnresolved()) {
      throw new IllegalArgumentException("unresolved endpoint");
    }
  }

  /** Writes the message into {@code out} from its position; returns the bytes written. */
  public int write(ByteBuffer out) {
    int start = out.position();
    out.put((byte) (type == Type.OFFER ? 0 : 1));
    putEndpoint(out, peer);
    putEndpoint(out, relayed);
    return out.position() - start;
  }

  /** The message as a new array. */
  public byte[] toBytes() {
    ByteBuffer b = ByteBuffer.allocate(MAX_ENCODED_LENGTH);
    write(b);
    byte[] out = new byte[b.position()];
    b.flip().get(out);
    return out;
  }

  private static void putEndpoint(ByteBuffer out, InetSocketAddress e) {
    byte[] a = e.getAddress().getAddress();
    out.put((byte) (a.length == 4 ? 4 : 6)).put(a).putShort((short) e.getPort());
  }

  /** Parses a whole message; never throws. */
  public static Parsed parse(byte[] bytes) {
    return parse(ByteBuffer.wrap(bytes));
  }

  /** Parses the bytes between {@code in}'s position and limit; never throws, moves nothing. */
  public static Parsed parse(ByteBuffer in) {
    int at = in.position();
    int end = in.limit();
    if (end - at < 1) {
      return bad(Problem.TRUNCATED);
    }
    int t = in.get(at) & 0xFF;
    if (t > 1) {
      return bad(Problem.UNKNOWN_TYPE);
    }
    at++;
    InetSocketAddress[] endpoints = new InetSocketAddress[2];
    for (int i = 0; i < 2; i++) {
      if (end - at < 1) {
        return bad(Problem.TRUNCATED);
      }
      int family = in.get(at) & 0xFF;
      int n = family == 4 ? 4 : family == 6 ? 16 : -1;
      if (n < 0) {
        return bad(Problem.BAD_FAMILY);
      }
      at++;
      if (end - at < n + 2) {
        return bad(Problem.TRUNCATED);
      }
      byte[] a = new byte[n];
      for (int j = 0; j < n; j++) {
        a[j] = in.get(at + j);
      }
      int port = in.getShort(at + n) & 0xFFFF;
      at += n + 2;
      InetAddress address;
      try {
        address = InetAddress.getByAddress(a);
      } catch (UnknownHostException e) {
        return bad(Problem.BAD_FAMILY); // not reached: 4 or 16 bytes
      }
      if (family == 6 && address instanceof Inet4Address) {
        return bad(Problem.BAD_ENDPOINT); // an IPv4-mapped IPv6 address: write it as family 4
      }
      if (port == 0 || address.isAnyLocalAddress() || address.isMulticastAddress()) {
        return bad(Problem.BAD_ENDPOINT);
      }
      endpoints[i] = new InetSocketAddress(address, port);
    }
    if (at != end) {
      return bad(Problem.TRAILING_BYTES);
    }
    return new Parsed(new TurnSignal(Type.values()[t], endpoints[0], endpoints[1]), null);
  }

  private static Parsed bad(Problem p) {
    return new Parsed(null, p);
  }
}
