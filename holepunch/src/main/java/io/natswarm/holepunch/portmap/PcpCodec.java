package io.natswarm.holepunch.portmap;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * The PCP wire format for port mapping (RFC 6887): MAP requests (sections 7.1, 11.1) and the
 * responses to them and ANNOUNCE (sections 7.2, 14.1). Addresses travel as 16 bytes, IPv4 as
 * IPv4-mapped IPv6 (section 5). Options after a response's body are skipped.
 *
 * <p>{@link #parse} never throws on bad bytes; it returns a {@link PcpError}. Stateless and
 * thread-safe.
 */
public final class PcpCodec {
  /** The gateway's PCP port (the same as NAT-PMP's). */
  public static final int SERVER_PORT = 5351;

  static final int VERSION = 2;
  static final int OPCODE_ANNOUNCE = 0;
  static final int OPCODE_MAP = 1;
  static final int HEADER_BYTES = 24;
  static final int MAP_BODY_BYTES = 36;
  static final int MAX_MESSAGE_BYTES = 1100;

  private static final byte[] IPV4_ANY = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1, 0, 0, 0, 0};
  private static final byte[] IPV6_ANY = new byte[16];

  private PcpCodec() {}

  /**
   * Writes a MAP request into {@code out} from its position, asking for any external address;
   * returns the bytes written (60). See {@link #writeMapRequest(ByteBuffer, InetAddress, long, int,
   * Protocol, int, int, InetAddress, long)}.
   */
  public static int writeMapRequest(
      ByteBuffer out,
      InetAddress client,
      long nonceHigh,
      int nonceLow,
      Protocol protocol,
      int internalPort,
      int suggestedPort,
      long lifetimeSeconds) {
    return writeMapRequest(
        out,
        client,
        nonceHigh,
        nonceLow,
        protocol,
        internalPort,
        suggestedPort,
        null,
        lifetimeSeconds);
  }

  /**
   * Writes a MAP request into {@code out} from its position; returns the bytes written (60).
   *
   * @param client this host's address as it sends to the server (IPv4 or IPv6)
   * @param nonceHigh the first 8 bytes of the mapping nonce (reused to renew and delete)
   * @param nonceLow the last 4 bytes of the mapping nonce
   * @param protocol UDP or TCP
   * @param internalPort the port to map
   * @param suggestedPort the external port asked for (0: any)
   * @param suggestedExternal the external address asked for (a renewal's); null for any, which
   *     section 11.1 writes as the all-zeros address of the client's family (::ffff:0.0.0.0 for
   *     IPv4, section 5)
   * @param lifetimeSeconds the lifetime asked for; 0 deletes the mapping
   */
  public static int writeMapRequest(
      ByteBuffer out,
      InetAddress client,
      long nonceHigh,
      int nonceLow,
      Protocol protocol,
      int internalPort,
      int suggestedPort,
      InetAddress suggestedExternal,
      long lifetimeSeconds) {
    int start = out.position();
    out.put((byte) VERSION).put((byte) OPCODE_MAP).putShort((short) 0);
    out.putInt((int) lifetimeSeconds);
    putAddress(out, client);
    out.putLong(nonceHigh).putInt(nonceLow);
    out.put((byte) (protocol == Protocol.UDP ? 17 : 6)).put((byte) 0).putShort((short) 0);
    out.putShort((short) internalPort).putShort((short) suggestedPort);
    if (suggestedExternal != null) {
      putAddress(out, suggestedExternal);
    } else if (client instanceof Inet4Address) {
      out.put(IPV4_ANY);
    } else {
      out.put(IPV6_ANY);
    }
    return out.position() - start;
  }

  /** Parses the response between {@code packet}'s position and limit; the buffer is unchanged. */
  public static PcpParsed parse(ByteBuffer packet) {
    int at = packet.position();
    int n = packet.remaining();
    if (n >= 2 && packet.get(at) == 0) {
      return PcpParsed.error(PcpError.NAT_PMP_ONLY);
    }
    if (n < HEADER_BYTES) {
      return PcpParsed.error(PcpError.TOO_SHORT);
    }
    if (n > MAX_MESSAGE_BYTES || (n & 3) != 0) {
      return PcpParsed.error(PcpError.BAD_LENGTH);
    }
    if (packet.get(at) != VERSION) {
      return PcpParsed.error(PcpError.UNSUPPORTED_VERSION);
    }
    int rAndOpcode = packet.get(at + 1) & 0xFF;
    if ((rAndOpcode & 0x80) == 0) {
      return PcpParsed.error(PcpError.NOT_A_RESPONSE);
    }
    int opcode = rAndOpcode & 0x7F;
    if (opcode != OPCODE_ANNOUNCE && opcode != OPCODE_MAP) {
      return PcpParsed.error(PcpError.UNKNOWN_OPCODE);
    }
    int result = packet.get(at + 3) & 0xFF;
    long lifetime = packet.getInt(at + 4) & 0xFFFFFFFFL;
    long epoch = packet.getInt(at + 8) & 0xFFFFFFFFL;
    int body = at + HEADER_BYTES;
    int end = at + n;
    PcpResponse r;
    if (opcode == OPCODE_MAP) {
      if (end - body < MAP_BODY_BYTES) {
        return PcpParsed.error(PcpError.TOO_SHORT);
      }
      InetAddress external = address(packet, body + 20);
      r =
          new PcpResponse(
              opcode,
              result,
              lifetime,
              epoch,
              packet.getLong(body),
              packet.getInt(body + 8),
              packet.get(body + 12) & 0xFF,
              packet.getShort(body + 16) & 0xFFFF,
              new InetSocketAddress(external, packet.getShort(body + 18) & 0xFFFF));
      body += MAP_BODY_BYTES;
    } else {
      r = new PcpResponse(opcode, result, lifetime, epoch, 0, 0, 0, 0, null);
    }
    while (body < end) { // options: code, reserved, length, data padded to 4 (section 7.3)
      if (end - body < 4) {
        return PcpParsed.error(PcpError.TRUNCATED_OPTION);
      }
      int length = packet.getShort(body + 2) & 0xFFFF;
      int padded = (length + 3) & ~3;
      if (padded > end - body - 4) {
        return PcpParsed.error(PcpError.TRUNCATED_OPTION);
      }
      body += 4 + padded;
    }
    return PcpParsed.ok(r);
  }

  private static void putAddress(ByteBuffer out, InetAddress a) {
    byte[] raw = a.getAddress();
    if (a instanceof Inet4Address) {
      out.put(new byte[10]).putShort((short) 0xFFFF).put(raw);
    } else {
      out.put(raw);
    }
  }

  /** 16 bytes at {@code index}; IPv4-mapped ones become IPv4 addresses. */
  private static InetAddress address(ByteBuffer b, int index) {
    byte[] raw = new byte[16];
    for (int i = 0; i < 16; i++) {
      raw[i] = b.get(index + i);
    }
    try {
      return InetAddress.getByAddress(raw); // the JDK turns ::ffff:a.b.c.d into IPv4
    } catch (UnknownHostException e) {
      throw new IllegalStateException("16 bytes are always an address", e);
    }
  }
}
