package io.natswarm.holepunch.punch;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;

/**
 * The ut_holepunch payload (BEP 55, "Protocol Extension"), the bytes after the extended message
 * header (BEP 10): {@code msg_type} (1 byte), {@code addr_type} (1 byte, 0 IPv4, 1 IPv6), the
 * address (4 or 16 bytes), the port (2 bytes, big endian) and {@code err_code} (4 bytes, big
 * endian, 0 unless an error).
 *
 * <p>As libtorrent 2.0.8 speaks it (LAB.md): libtorrent omits {@code err_code} in rendezvous and
 * connect messages (8 and 20 bytes) and ignores bytes after what it reads. So {@link #encode}
 * always writes BEP 55's full form (12 or 24 bytes), and {@link #parse} accepts both forms and
 * bytes after the full form. An error message without its code is refused: an error with no reason
 * cannot be acted on, and libtorrent drops it too. An IPv4-mapped IPv6 address is read as the IPv4
 * address it maps, as the JDK reports the endpoints of dual-stack sockets.
 *
 * <p>{@link #parse} never throws on any bytes; it returns a {@link HolepunchProblem}. Stateless and
 * thread-safe; used on the engine thread.
 */
public final class HolepunchCodec {
  /** The extension's name in the BEP 10 extended handshake's {@code m} dictionary. */
  public static final String EXTENSION_NAME = "ut_holepunch";

  /** Address types ({@code addr_type}). */
  static final int IPV4 = 0;

  static final int IPV6 = 1;

  /** The longest payload {@link #encode} writes (IPv6, full form). */
  public static final int MAX_ENCODED_LENGTH = 24;

  private HolepunchCodec() {}

  /** Bytes of the full form: 12 for IPv4, 24 for IPv6. */
  static int fullLength(boolean ipv6) {
    return shortLength(ipv6) + 4;
  }

  /** Bytes of libtorrent's short form (no {@code err_code}): 8 for IPv4, 20 for IPv6. */
  static int shortLength(boolean ipv6) {
    return 2 + (ipv6 ? 16 : 4) + 2;
  }

  /**
   * Writes {@code m} in the full form into {@code out} from its position and returns the bytes
   * written (12 or 24).
   *
   * @throws BufferOverflowException if {@code out} has less room; nothing is written then
   */
  public static int encode(HolepunchMessage m, ByteBuffer out) {
    return encode(m.type(), m.endpoint(), m.errorCode(), out);
  }

  /**
   * Writes the full form of a message from its parts (for {@link Outgoing}, which holds no message
   * object). The only allocation is the JDK's copy of the address bytes.
   */
  static int encode(MessageType type, InetSocketAddress endpoint, int errorCode, ByteBuffer out) {
    InetAddress address = endpoint.getAddress();
    boolean ipv6 = address instanceof Inet6Address;
    int length = fullLength(ipv6);
    if (out.remaining() < length) {
      throw new BufferOverflowException();
    }
    out.put((byte) type.wire());
    out.put((byte) (ipv6 ? IPV6 : IPV4));
    out.put(address.getAddress());
    out.putShort((short) endpoint.getPort());
    out.putInt(type == MessageType.ERROR ? errorCode : 0);
    return length;
  }

  /** Parses {@code payload} whole; see {@link #parse(ByteBuffer)}. */
  public static HolepunchParsed parse(byte[] payload) {
    return parse(ByteBuffer.wrap(payload));
  }

  /**
   * Parses the payload between {@code payload}'s position and limit without moving either. The
   * {@code err_code} of a rendezvous or connect message is not kept (BEP 55 has it 0); the raw code
   * of an error message is.
   */
  public static HolepunchParsed parse(ByteBuffer payload) {
    int start = payload.position();
    int available = payload.remaining();
    if (available < 2) {
      return HolepunchParsed.problem(HolepunchProblem.TOO_SHORT);
    }
    MessageType type = MessageType.ofWire(payload.get(start) & 0xFF);
    if (type == null) {
      return HolepunchParsed.problem(HolepunchProblem.UNKNOWN_TYPE);
    }
    int addressType = payload.get(start + 1) & 0xFF;
    if (addressType != IPV4 && addressType != IPV6) {
      return HolepunchParsed.problem(HolepunchProblem.UNKNOWN_ADDRESS_TYPE);
    }
    boolean ipv6 = addressType == IPV6;
    int shortLength = shortLength(ipv6);
    if (available < shortLength) {
      return HolepunchParsed.problem(HolepunchProblem.TOO_SHORT);
    }
    boolean full = available >= fullLength(ipv6);
    if (!full && available > shortLength) {
      return HolepunchParsed.problem(
          type == MessageType.ERROR
              ? HolepunchProblem.MISSING_ERROR_CODE
              : HolepunchProblem.TRUNCATED_ERROR_CODE);
    }
    if (!full && type == MessageType.ERROR) {
      return HolepunchParsed.problem(HolepunchProblem.MISSING_ERROR_CODE);
    }
    byte[] raw = new byte[ipv6 ? 16 : 4];
    payload.get(start + 2, raw);
    InetAddress address;
    try {
      address = InetAddress.getByAddress(raw);
    } catch (UnknownHostException e) {
      throw new AssertionError("4 or 16 bytes are always an address", e);
    }
    int port = payload.getShort(start + 2 + raw.length) & 0xFFFF;
    int errorCode = type == MessageType.ERROR ? payload.getInt(start + shortLength) : 0;
    return HolepunchParsed.ok(
        new HolepunchMessage(type, new InetSocketAddress(address, port), errorCode));
  }
}
