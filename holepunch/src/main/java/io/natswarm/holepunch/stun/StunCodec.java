package io.natswarm.holepunch.stun;

import io.natswarm.datagram.DatagramKind;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32;

/**
 * The STUN wire format for binding discovery: Binding requests with an optional CHANGE-REQUEST (RFC
 * 5780 section 7.2) and a FINGERPRINT, and the attributes of Binding responses that binding
 * discovery reads (RFC 8489 sections 5, 14.1, 14.2, 14.7, 14.8; RFC 5780 sections 7.3, 7.4).
 * Unknown attributes are skipped (comprehension-required ones too: a response carries none a client
 * must understand).
 *
 * <p>{@link #parse} never throws on bad bytes; it returns a {@link StunError}. Stateless and
 * thread-safe.
 */
public final class StunCodec {
  static final int HEADER_BYTES = 20;
  static final int MAPPED_ADDRESS = 0x0001;
  static final int CHANGE_REQUEST = 0x0003;
  static final int ERROR_CODE = 0x0009;
  static final int XOR_MAPPED_ADDRESS = 0x0020;
  static final int FINGERPRINT = 0x8028;
  static final int RESPONSE_ORIGIN = 0x802B;
  static final int OTHER_ADDRESS = 0x802C;

  /** CHANGE-REQUEST flags (RFC 5780 section 7.2). */
  static final int CHANGE_IP = 0x04;

  static final int CHANGE_PORT = 0x02;

  private static final int FINGERPRINT_XOR = 0x5354554E;
  private static final int COOKIE = DatagramKind.STUN_MAGIC_COOKIE;

  private StunCodec() {}

  /**
   * Writes a Binding request into {@code out} from its position: the header, a CHANGE-REQUEST when
   * either flag is set, and a FINGERPRINT. Returns the bytes written (at most 36).
   */
  public static int writeBindingRequest(
      ByteBuffer out, TransactionId id, boolean changeIp, boolean changePort) {
    int start = out.position();
    int attributes = (changeIp || changePort ? 8 : 0) + 8;
    out.putShort((short) StunMessage.BINDING_REQUEST).putShort((short) attributes).putInt(COOKIE);
    id.write(out);
    if (changeIp || changePort) {
      out.putShort((short) CHANGE_REQUEST).putShort((short) 4);
      out.putInt((changeIp ? CHANGE_IP : 0) | (changePort ? CHANGE_PORT : 0));
    }
    int crc = crc(out, start, out.position() - start);
    out.putShort((short) FINGERPRINT).putShort((short) 4).putInt(crc ^ FINGERPRINT_XOR);
    return out.position() - start;
  }

  /**
   * Writes a Binding success response into {@code out} from its position: XOR-MAPPED-ADDRESS {@code
   * mapped}, and OTHER-ADDRESS and RESPONSE-ORIGIN when not null (what an RFC 5780 server sends),
   * then a FINGERPRINT. For a responder of our own and for tests.
   */
  public static int writeBindingSuccess(
      ByteBuffer out,
      TransactionId id,
      InetSocketAddress mapped,
      InetSocketAddress other,
      InetSocketAddress origin) {
    int start = out.position();
    out.putShort((short) StunMessage.BINDING_SUCCESS).putShort((short) 0).putInt(COOKIE);
    id.write(out);
    putAddress(out, XOR_MAPPED_ADDRESS, mapped, start + 8);
    if (other != null) {
      putAddress(out, OTHER_ADDRESS, other, -1);
    }
    if (origin != null) {
      putAddress(out, RESPONSE_ORIGIN, origin, -1);
    }
    out.putShort(start + 2, (short) (out.position() - start - HEADER_BYTES + 8));
    int crc = crc(out, start, out.position() - start);
    out.putShort((short) FINGERPRINT).putShort((short) 4).putInt(crc ^ FINGERPRINT_XOR);
    return out.position() - start;
  }

  /** An address attribute; XORed (RFC 8489 section 14.2) when {@code idIndex} is not -1. */
  private static void putAddress(ByteBuffer out, int type, InetSocketAddress a, int idIndex) {
    byte[] raw = a.getAddress().getAddress();
    out.putShort((short) type).putShort((short) (4 + raw.length));
    out.put((byte) 0).put((byte) (raw.length == 4 ? 1 : 2));
    boolean xor = idIndex != -1;
    out.putShort((short) (xor ? a.getPort() ^ (COOKIE >>> 16) : a.getPort()));
    for (int i = 0; i < raw.length; i++) {
      int mask = 0;
      if (xor) {
        mask = i < 4 ? (COOKIE >>> (24 - 8 * i)) & 0xFF : out.get(idIndex + i - 4) & 0xFF;
      }
      out.put((byte) (raw[i] ^ mask));
    }
  }

  /** Parses the message between {@code packet}'s position and limit; the buffer is unchanged. */
  public static StunParsed parse(ByteBuffer packet) {
    int start = packet.position();
    int length = packet.remaining();
    if (length < HEADER_BYTES) {
      return StunParsed.error(StunError.TOO_SHORT);
    }
    if ((packet.get(start) & 0xC0) != 0 || packet.getInt(start + 4) != COOKIE) {
      return StunParsed.error(StunError.NOT_STUN);
    }
    int type = packet.getShort(start) & 0xFFFF;
    int bodyLength = packet.getShort(start + 2) & 0xFFFF;
    if ((bodyLength & 3) != 0 || HEADER_BYTES + bodyLength != length) {
      return StunParsed.error(StunError.BAD_LENGTH);
    }
    TransactionId id = TransactionId.read(packet, start + 8);
    InetSocketAddress xorMapped = null;
    InetSocketAddress mapped = null;
    InetSocketAddress other = null;
    InetSocketAddress origin = null;
    int errorCode = 0;
    int at = start + HEADER_BYTES;
    int end = start + length;
    while (at < end) {
      if (end - at < 4) {
        return StunParsed.error(StunError.TRUNCATED_ATTRIBUTE);
      }
      int attrType = packet.getShort(at) & 0xFFFF;
      int attrLength = packet.getShort(at + 2) & 0xFFFF;
      int value = at + 4;
      int padded = (attrLength + 3) & ~3;
      if (padded > end - value) {
        return StunParsed.error(StunError.TRUNCATED_ATTRIBUTE);
      }
      switch (attrType) {
        case XOR_MAPPED_ADDRESS, MAPPED_ADDRESS, OTHER_ADDRESS, RESPONSE_ORIGIN -> {
          InetSocketAddress a =
              address(packet, value, attrLength, attrType == XOR_MAPPED_ADDRESS, start + 8);
          if (a == null) {
            return StunParsed.error(StunError.BAD_ADDRESS);
          }
          switch (attrType) {
            case XOR_MAPPED_ADDRESS -> xorMapped = a;
            case MAPPED_ADDRESS -> mapped = a;
            case OTHER_ADDRESS -> other = a;
            default -> origin = a;
          }
        }
        case ERROR_CODE -> {
          if (attrLength < 4) {
            return StunParsed.error(StunError.BAD_ERROR_CODE);
          }
          int errorClass = packet.get(value + 2) & 0x07;
          int number = packet.get(value + 3) & 0xFF;
          if (errorClass < 3 || errorClass > 6 || number > 99) {
            return StunParsed.error(StunError.BAD_ERROR_CODE);
          }
          errorCode = errorClass * 100 + number;
        }
        case FINGERPRINT -> {
          if (attrLength != 4 || value + 4 != end) {
            return StunParsed.error(StunError.BAD_FINGERPRINT);
          }
          int expected = crc(packet, start, at - start) ^ FINGERPRINT_XOR;
          if (packet.getInt(value) != expected) {
            return StunParsed.error(StunError.BAD_FINGERPRINT);
          }
        }
        default -> {}
      }
      at = value + padded;
    }
    return StunParsed.ok(
        new StunMessage(
            type, id, xorMapped != null ? xorMapped : mapped, other, origin, errorCode));
  }

  /**
   * An address attribute (RFC 8489 sections 14.1, 14.2) whose value starts at {@code value} of
   * {@code b}, {@code length} bytes: family 1 (IPv4, 8 bytes) or 2 (IPv6, 20 bytes); in an XOR
   * attribute ({@code xor}: XOR-MAPPED-ADDRESS, and TURN's XOR-PEER-ADDRESS and
   * XOR-RELAYED-ADDRESS) the port and address are XORed with the cookie (and, for IPv6, the
   * transaction id that starts at {@code idIndex}). Null when malformed. Also TURN's reader.
   */
  public static InetSocketAddress address(
      ByteBuffer b, int value, int length, boolean xor, int idIndex) {
    if (length < 4) {
      return null;
    }
    int family = b.get(value + 1) & 0xFF;
    int size = family == 1 ? 4 : family == 2 ? 16 : -1;
    if (size < 0 || length != 4 + size) {
      return null;
    }
    int port = b.getShort(value + 2) & 0xFFFF;
    byte[] raw = new byte[size];
    for (int i = 0; i < size; i++) {
      raw[i] = b.get(value + 4 + i);
    }
    if (xor) {
      port ^= COOKIE >>> 16;
      for (int i = 0; i < size; i++) {
        // the cookie's 4 bytes, then (IPv6) the transaction id's 12
        int mask = i < 4 ? (COOKIE >>> (24 - 8 * i)) & 0xFF : b.get(idIndex + i - 4) & 0xFF;
        raw[i] ^= (byte) mask;
      }
    }
    try {
      InetAddress a = InetAddress.getByAddress(raw);
      if (size == 16 && !(a instanceof Inet6Address)) {
        a = Inet6Address.getByAddress(null, raw, null); // keep ::ffff:a.b.c.d as IPv6
      }
      return new InetSocketAddress(a, port);
    } catch (UnknownHostException e) {
      return null; // not for 4 or 16 bytes
    }
  }

  /**
   * The FINGERPRINT value (RFC 8489 section 14.7) of the {@code length} bytes of {@code b} from
   * {@code from}: their CRC-32 XORed with 0x5354554E. Also TURN's.
   */
  public static int fingerprint(ByteBuffer b, int from, int length) {
    return crc(b, from, length) ^ FINGERPRINT_XOR;
  }

  private static int crc(ByteBuffer b, int from, int length) {
    CRC32 crc = new CRC32();
    ByteBuffer view = b.duplicate();
    view.limit(from + length).position(from);
    crc.update(view);
    return (int) crc.getValue();
  }
}
