package io.natswarm.holepunch.relay;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;

/**
 * The ns_relay payload, natswarm's BEP 10 extension for relaying a connection through a peer both
 * ends are connected to: the bytes after the extended message header (BEP 10, "extension message"),
 * all integers big-endian whatever the buffers' byte order.
 *
 * <pre>
 * CONNECT  (1): u32 circuit, key[32], endpoint
 * INCOMING (2): u32 circuit, key[32], peerId[20], endpoint
 * ACCEPT   (3): u32 circuit, key[32], peerId[20]
 * REFUSE   (4): u32 circuit, u8 reason
 * DATA     (5): u32 circuit, 1 to MAX_DATA bytes (one sealed frame, opaque to the relay)
 * WINDOW   (6): u32 circuit, u32 credit (1 to 2^31 - 1)
 * CLOSE    (7): u32 circuit, u8 reason
 * endpoint:     u8 family (4 or 6), 4 or 16 address bytes, u16 port (not 0)
 * </pre>
 *
 * <p>Circuit ids are per hop (one BitTorrent connection) and chosen by the side that opens the hop:
 * the initiator picks the id of its CONNECT, below 2<sup>30</sup>; the relay picks the id of its
 * INCOMING, with bit 30 set (and bit 31 clear). Every message the other side of a hop sends carries
 * the hop's id with bit 31 set: the relay's REFUSE, ACCEPT, DATA, WINDOW and CLOSE to the
 * initiator, and the target's ACCEPT, REFUSE, DATA, WINDOW and CLOSE to the relay. So a receiver
 * tells its four kinds of circuits on one connection apart without asking the other side: bit 31
 * equal to bit 30 is a hop whose relay the receiver is, different is one of its own ends (the
 * convention of swarm-node's {@code RelayService}; {@link RelaySwitch} keeps it). This codec reads
 * and writes ids as they are; it checks none of these bits. An IPv4-mapped IPv6 address is read as
 * the IPv4 address it maps, as the JDK reports the endpoints of dual-stack sockets, and such an
 * address is written as IPv4. The reason byte keeps any value (see {@link RelayReason#of}); every
 * other field is checked.
 *
 * <p>{@link #parse} never throws on any bytes; it returns a {@link RelayProblem}. Stateless and
 * thread-safe; used on the engine thread.
 */
public final class RelayCodec {
  /** The extension's name in the BEP 10 extended handshake's {@code m} dictionary. */
  public static final String EXTENSION_NAME = "ns_relay";

  /** The most data a DATA message carries: a full sealed frame ({@link RelayCipher}). */
  public static final int MAX_DATA = RelayCipher.MAX_PLAINTEXT + RelayCipher.TAG;

  /** The longest payload {@link #encode} writes: a full DATA message. */
  public static final int MAX_ENCODED_LENGTH = 1 + 4 + MAX_DATA;

  /**
   * The credit each direction of a circuit starts with, which both ends and the relay must agree
   * on: ns_relay v1 fixes it at 256 KiB ({@link RelaySwitch.Settings#DEFAULTS}).
   */
  public static final int INITIAL_WINDOW = 256 * 1024;

  /** The type byte and the circuit id. */
  static final int HEADER = 5;

  static final int FAMILY_IPV4 = 4;
  static final int FAMILY_IPV6 = 6;

  private RelayCodec() {}

  /** Bytes {@link #encode} writes for {@code m}. */
  static int encodedLength(RelayMessage m) {
    return switch (m.type()) {
      case CONNECT -> HEADER + RelayMessage.KEY_LENGTH + endpointLength(m.endpoint());
      case INCOMING ->
          HEADER
              + RelayMessage.KEY_LENGTH
              + RelayMessage.PEER_ID_LENGTH
              + endpointLength(m.endpoint());
      case ACCEPT -> HEADER + RelayMessage.KEY_LENGTH + RelayMessage.PEER_ID_LENGTH;
      case REFUSE, CLOSE -> HEADER + 1;
      case WINDOW -> HEADER + 4;
      case DATA -> HEADER + m.data().remaining();
    };
  }

  private static int endpointLength(InetSocketAddress e) {
    return e.getAddress() instanceof Inet6Address ? 1 + 16 + 2 : 1 + 4 + 2;
  }

  /**
   * Writes {@code m} into {@code out} from its position, advances it, and returns the bytes
   * written. Does not move the message's data.
   *
   * @throws BufferOverflowException if {@code out} has less room; nothing is written then
   */
  public static int encode(RelayMessage m, ByteBuffer out) {
    int length = encodedLength(m);
    if (out.remaining() < length) {
      throw new BufferOverflowException();
    }
    int i = out.position();
    out.put(i, (byte) m.type().code());
    putInt(out, i + 1, m.circuit());
    int o = i + HEADER;
    switch (m.type()) {
      case CONNECT -> {
        out.put(o, m.key());
        putEndpoint(out, o + RelayMessage.KEY_LENGTH, m.endpoint());
      }
      case INCOMING -> {
        out.put(o, m.key());
        out.put(o + RelayMessage.KEY_LENGTH, m.peerId());
        putEndpoint(out, o + RelayMessage.KEY_LENGTH + RelayMessage.PEER_ID_LENGTH, m.endpoint());
      }
      case ACCEPT -> {
        out.put(o, m.key());
        out.put(o + RelayMessage.KEY_LENGTH, m.peerId());
      }
      case REFUSE, CLOSE -> out.put(o, (byte) m.code());
      case WINDOW -> putInt(out, o, m.code());
      case DATA -> {
        ByteBuffer data = m.data();
        out.put(o, data, data.position(), data.remaining());
      }
    }
    out.position(i + length);
    return length;
  }

  /** The payload of {@code m} in a new array. */
  public static byte[] encode(RelayMessage m) {
    byte[] bytes = new byte[encodedLength(m)];
    encode(m, ByteBuffer.wrap(bytes));
    return bytes;
  }

  /** Parses {@code payload} whole; see {@link #parse(ByteBuffer)}. */
  public static RelayParsed parse(byte[] payload) {
    return parse(ByteBuffer.wrap(payload));
  }

  /**
   * Parses the payload between {@code payload}'s position and limit without moving either. The data
   * of a DATA message is a read-only view of {@code payload}'s bytes, not a copy: it changes if
   * they do. Allocates only the message, its arrays and views.
   */
  public static RelayParsed parse(ByteBuffer payload) {
    int start = payload.position();
    int available = payload.remaining();
    if (available == 0) {
      return RelayParsed.problem(RelayProblem.EMPTY);
    }
    RelayMessageType type = RelayMessageType.ofCode(payload.get(start) & 0xFF);
    if (type == null) {
      return RelayParsed.problem(RelayProblem.UNKNOWN_TYPE);
    }
    if (available < HEADER) {
      return RelayParsed.problem(RelayProblem.TRUNCATED);
    }
    int circuit = getInt(payload, start + 1);
    int o = start + HEADER;
    int end = start + available;
    return switch (type) {
      case CONNECT -> withEndpoint(payload, type, circuit, o, o + RelayMessage.KEY_LENGTH, end);
      case INCOMING ->
          withEndpoint(
              payload,
              type,
              circuit,
              o,
              o + RelayMessage.KEY_LENGTH + RelayMessage.PEER_ID_LENGTH,
              end);
      case ACCEPT -> {
        RelayProblem p =
            fixed(available, HEADER + RelayMessage.KEY_LENGTH + RelayMessage.PEER_ID_LENGTH);
        yield p != null
            ? RelayParsed.problem(p)
            : RelayParsed.ok(
                new RelayMessage(
                    type, circuit, key(payload, o), peerId(payload, o), null, 0, null));
      }
      case REFUSE, CLOSE -> {
        RelayProblem p = fixed(available, HEADER + 1);
        yield p != null
            ? RelayParsed.problem(p)
            : RelayParsed.ok(
                new RelayMessage(type, circuit, null, null, null, payload.get(o) & 0xFF, null));
      }
      case WINDOW -> {
        RelayProblem p = fixed(available, HEADER + 4);
        int credit = p == null ? getInt(payload, o) : 0;
        if (p == null && credit <= 0) {
          p = RelayProblem.BAD_CREDIT;
        }
        yield p != null
            ? RelayParsed.problem(p)
            : RelayParsed.ok(new RelayMessage(type, circuit, null, null, null, credit, null));
      }
      case DATA -> {
        int n = available - HEADER;
        if (n == 0) {
          yield RelayParsed.problem(RelayProblem.EMPTY_DATA);
        }
        if (n > MAX_DATA) {
          yield RelayParsed.problem(RelayProblem.DATA_TOO_LONG);
        }
        yield RelayParsed.ok(
            new RelayMessage(
                type, circuit, null, null, null, 0, payload.slice(o, n).asReadOnlyBuffer()));
      }
    };
  }

  /** TRUNCATED or TRAILING_BYTES unless {@code available} is exactly {@code length}. */
  private static RelayProblem fixed(int available, int length) {
    if (available < length) {
      return RelayProblem.TRUNCATED;
    }
    return available > length ? RelayProblem.TRAILING_BYTES : null;
  }

  /** CONNECT or INCOMING: the key at {@code o}, a peer id after it, the endpoint at {@code e}. */
  private static RelayParsed withEndpoint(
      ByteBuffer payload, RelayMessageType type, int circuit, int o, int e, int end) {
    if (end <= e) {
      return RelayParsed.problem(RelayProblem.TRUNCATED);
    }
    int family = payload.get(e) & 0xFF;
    if (family != FAMILY_IPV4 && family != FAMILY_IPV6) {
      return RelayParsed.problem(RelayProblem.BAD_FAMILY);
    }
    int addressLength = family == FAMILY_IPV4 ? 4 : 16;
    int length = 1 + addressLength + 2;
    if (end - e < length) {
      return RelayParsed.problem(RelayProblem.TRUNCATED);
    }
    if (end - e > length) {
      return RelayParsed.problem(RelayProblem.TRAILING_BYTES);
    }
    int port = (payload.get(e + 1 + addressLength) & 0xFF) << 8;
    port |= payload.get(e + 2 + addressLength) & 0xFF;
    if (port == 0) {
      return RelayParsed.problem(RelayProblem.ZERO_PORT);
    }
    byte[] raw = new byte[addressLength];
    payload.get(e + 1, raw);
    InetAddress address;
    try {
      address = InetAddress.getByAddress(raw); // reads an IPv4-mapped address as IPv4
    } catch (UnknownHostException x) {
      throw new AssertionError("4 or 16 bytes are always an address", x);
    }
    byte[] peerId = type == RelayMessageType.INCOMING ? peerId(payload, o) : null;
    return RelayParsed.ok(
        new RelayMessage(
            type, circuit, key(payload, o), peerId, new InetSocketAddress(address, port), 0, null));
  }

  private static byte[] key(ByteBuffer payload, int o) {
    byte[] key = new byte[RelayMessage.KEY_LENGTH];
    payload.get(o, key);
    return key;
  }

  private static byte[] peerId(ByteBuffer payload, int o) {
    byte[] id = new byte[RelayMessage.PEER_ID_LENGTH];
    payload.get(o + RelayMessage.KEY_LENGTH, id);
    return id;
  }

  private static void putEndpoint(ByteBuffer out, int i, InetSocketAddress e) {
    byte[] raw = e.getAddress().getAddress();
    out.put(i, (byte) (raw.length == 4 ? FAMILY_IPV4 : FAMILY_IPV6));
    out.put(i + 1, raw);
    out.put(i + 1 + raw.length, (byte) (e.getPort() >>> 8));
    out.put(i + 2 + raw.length, (byte) e.getPort());
  }

  static int getInt(ByteBuffer b, int i) {
    return (b.get(i) & 0xFF) << 24
        | (b.get(i + 1) & 0xFF) << 16
        | (b.get(i + 2) & 0xFF) << 8
        | (b.get(i + 3) & 0xFF);
  }

  static void putInt(ByteBuffer b, int i, int v) {
    b.put(i, (byte) (v >>> 24));
    b.put(i + 1, (byte) (v >>> 16));
    b.put(i + 2, (byte) (v >>> 8));
    b.put(i + 3, (byte) v);
  }

  /**
   * {@code e} with an IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}) replaced by the IPv4
   * address; {@code e} itself otherwise.
   */
  static InetSocketAddress canonical(InetSocketAddress e) {
    InetAddress a = e.getAddress();
    if (!(a instanceof Inet6Address)) {
      return e;
    }
    byte[] raw = a.getAddress();
    for (int k = 0; k < 10; k++) {
      if (raw[k] != 0) {
        return e;
      }
    }
    if (raw[10] != (byte) 0xFF || raw[11] != (byte) 0xFF) {
      return e;
    }
    try {
      Inet4Address v4 =
          (Inet4Address) InetAddress.getByAddress(new byte[] {raw[12], raw[13], raw[14], raw[15]});
      return new InetSocketAddress(v4, e.getPort());
    } catch (UnknownHostException x) {
      throw new AssertionError("4 bytes are always an address", x);
    }
  }
}
