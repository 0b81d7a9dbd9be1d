package io.natswarm.datagram;

import java.nio.ByteBuffer;

/**
 * The protocols that share the node's socket, in the fixed order the {@link Demultiplexer} tries
 * them (the order of libtorrent's {@code session_impl} packet dispatch and Tailscale's {@code
 * magicsock}), with TURN's ChannelData before the catch-all hole-punch probes. Each kind has a
 * cheap test on the datagram's first bytes; a datagram is offered to the cores of every kind whose
 * test matches, in this order, until one consumes it.
 */
public enum DatagramKind {
  /**
   * BEP 29 µTP: at least a 20-byte header whose first byte carries version 1 and a type from
   * ST_DATA (0) to ST_SYN (4), and not the STUN magic cookie at offset 4: a STUN success response
   * (type 0x0101) also starts with 0x01. The µTP core itself decides on the connection id (known
   * connection or ST_SYN) and declines the rest.
   */
  UTP {
    @Override
    boolean matches(ByteBuffer p, int pos, int len) {
      if (len < 20) {
        return false;
      }
      int b = p.get(pos) & 0xFF;
      return (b & 0x0F) == 1 && (b >>> 4) <= 4 && p.getInt(pos + 4) != STUN_MAGIC_COOKIE;
    }
  },
  /**
   * BEP 5 KRPC: a bencoded dictionary, so it starts with {@code 'd'} and ends with {@code 'e'}.
   * Each DHT node serves one address family and declines datagrams of the other.
   */
  KRPC {
    @Override
    boolean matches(ByteBuffer p, int pos, int len) {
      return len >= 2 && p.get(pos) == 'd' && p.get(pos + len - 1) == 'e';
    }
  },
  /**
   * RFC 8489 STUN: the two top bits of the first byte are zero and the magic cookie 0x2112A442 sits
   * at offset 4 of the 20-byte header.
   */
  STUN {
    @Override
    boolean matches(ByteBuffer p, int pos, int len) {
      return len >= 20 && (p.get(pos) & 0xC0) == 0 && p.getInt(pos + 4) == STUN_MAGIC_COOKIE;
    }
  },
  /**
   * Answers of the gateway's port-mapping server (NAT-PMP, RFC 6886 section 3; PCP, RFC 6887
   * section 7.2): version 0 or 2 in the first byte and the response bit (0x80) set in the opcode
   * byte. The clients accept only what comes from the gateway's port 5351 and decline the rest.
   */
  PORT_MAPPING {
    @Override
    boolean matches(ByteBuffer p, int pos, int len) {
      int version = p.get(pos) & 0xFF;
      return len >= 8 && (version == 0 || version == 2) && (p.get(pos + 1) & 0x80) != 0;
    }
  },
  /**
   * RFC 8656 section 12.4 ChannelData from the node's TURN server: a 4-byte header (channel number,
   * length) before the application data. The TURN client binds only channels 0x4000 to 0x40FF, so
   * the first byte is always 0x40, which no kind above can start with (µTP's first byte is 0x01,
   * 0x11, 0x21, 0x31 or 0x41; KRPC's {@code 'd'}; STUN's top two bits are zero; NAT-PMP and PCP
   * answers start with 0 or 2); the header's length must fit in the datagram (over UDP the data may
   * be followed by up to 3 bytes of padding). The TURN client accepts only what comes from its
   * server and declines the rest.
   */
  TURN_CHANNEL {
    @Override
    boolean matches(ByteBuffer p, int pos, int len) {
      return len >= 4 && p.get(pos) == 0x40 && (p.getShort(pos + 2) & 0xFFFF) <= len - 4;
    }
  },
  /**
   * Hole-punch probes: any datagram of at least 4 bytes that nothing above took; the probe core
   * checks its own magic and declines what is not its.
   */
  HOLEPUNCH_PROBE {
    @Override
    boolean matches(ByteBuffer p, int pos, int len) {
      return len >= 4;
    }
  };

  /** RFC 8489 section 6: the fixed magic cookie of every STUN message. */
  public static final int STUN_MAGIC_COOKIE = 0x2112A442;

  private static final DatagramKind[] ALL = values();

  /**
   * Whether the datagram in {@code packet} between position and limit passes this kind's cheap
   * test. Reads with absolute indexes; never changes the buffer.
   */
  public boolean matches(ByteBuffer packet) {
    return matches(packet, packet.position(), packet.remaining());
  }

  abstract boolean matches(ByteBuffer packet, int position, int length);

  /** The kinds in demultiplexing order, without copying. */
  static DatagramKind[] inOrder() {
    return ALL;
  }
}
