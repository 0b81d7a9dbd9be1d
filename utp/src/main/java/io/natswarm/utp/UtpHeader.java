package io.natswarm.utp;

import java.nio.ByteBuffer;

/**
 * A flyweight view of a µTP version 1 header and its extension chain (BEP 29, "Header format").
 * {@link #parse} decodes one datagram into primitive fields without allocating and returns a {@link
 * #OK} or an error code; it never throws on any input. The selective-ACK extension (type 1, BEP 29
 * "Extension") is located, not copied: {@link #sackOffset} and {@link #sackLength} point into the
 * parsed buffer; unknown extensions are skipped. One instance is reused by the stack's event-loop
 * thread.
 *
 * <pre>
 * 0       4       8               16              24              32
 * +-------+-------+---------------+---------------+---------------+
 * | type  | ver   | extension     | connection_id                 |
 * | timestamp_microseconds                                        |
 * | timestamp_difference_microseconds                             |
 * | wnd_size                                                      |
 * | seq_nr                        | ack_nr                        |
 * </pre>
 */
final class UtpHeader {
  static final int ST_DATA = 0;
  static final int ST_FIN = 1;
  static final int ST_STATE = 2;
  static final int ST_RESET = 3;
  static final int ST_SYN = 4;

  static final int VERSION = 1;
  static final int SIZE = 20;
  static final int EXT_SACK = 1;

  /**
   * Our padding extension, used only to pad path-MTU probes; any BEP 29 receiver skips extensions
   * it does not know. Never sent unless {@link UtpSettings#maxPacketSize()} exceeds {@link
   * UtpSettings#packetSize()}.
   */
  static final int EXT_PADDING = 0x7E;

  static final int OK = 0;
  static final int TOO_SHORT = 1;
  static final int BAD_VERSION = 2;
  static final int BAD_TYPE = 3;
  static final int BAD_EXTENSION = 4;

  int type;
  int connectionId;
  long timestampMicros;
  long timestampDifferenceMicros;
  long windowSize;
  int seqNr;
  int ackNr;

  /** Absolute index of the SACK bitmask in the buffer, or -1 when absent. */
  int sackOffset;

  int sackLength;

  /** Absolute index of the payload in the buffer. */
  int payloadOffset;

  int payloadLength;

  /**
   * Decodes the datagram in [position, limit) of {@code buf} (absolute reads; the position is not
   * moved).
   */
  int parse(ByteBuffer buf) {
    int start = buf.position();
    int end = buf.limit();
    if (end - start < SIZE) {
      return TOO_SHORT;
    }
    int b0 = buf.get(start) & 0xFF;
    if ((b0 & 0x0F) != VERSION) {
      return BAD_VERSION;
    }
    type = b0 >>> 4;
    if (type > ST_SYN) {
      return BAD_TYPE;
    }
    int ext = buf.get(start + 1) & 0xFF;
    connectionId = buf.getShort(start + 2) & 0xFFFF;
    timestampMicros = buf.getInt(start + 4) & 0xFFFF_FFFFL;
    timestampDifferenceMicros = buf.getInt(start + 8) & 0xFFFF_FFFFL;
    windowSize = buf.getInt(start + 12) & 0xFFFF_FFFFL;
    seqNr = buf.getShort(start + 16) & 0xFFFF;
    ackNr = buf.getShort(start + 18) & 0xFFFF;
    sackOffset = -1;
    sackLength = 0;
    int p = start + SIZE;
    // Each extension is [next type][length][bytes]; the chain ends at type 0. The loop is bounded
    // because every step consumes at least two bytes.
    while (ext != 0) {
      if (end - p < 2) {
        return BAD_EXTENSION;
      }
      int next = buf.get(p) & 0xFF;
      int len = buf.get(p + 1) & 0xFF;
      p += 2;
      if (end - p < len) {
        return BAD_EXTENSION;
      }
      if (ext == EXT_SACK && sackOffset < 0) {
        sackOffset = p;
        sackLength = len;
      }
      p += len;
      ext = next;
    }
    payloadOffset = p;
    payloadLength = end - p;
    return OK;
  }

  /** True if the SACK bitmask marks {@code ackNr + 2 + bit} as received. */
  static boolean sackBit(ByteBuffer buf, int sackOffset, int bit) {
    return (buf.get(sackOffset + (bit >>> 3)) & (1 << (bit & 7))) != 0;
  }

  /**
   * Writes a 20-byte header at the buffer's position and advances it. {@code extension} is the type
   * of the first extension (0 for none); the caller appends the extension chain.
   */
  static void write(
      ByteBuffer out,
      int type,
      int extension,
      int connectionId,
      long timestampMicros,
      long timestampDifferenceMicros,
      long windowSize,
      int seqNr,
      int ackNr) {
    out.put((byte) ((type << 4) | VERSION));
    out.put((byte) extension);
    out.putShort((short) connectionId);
    out.putInt((int) timestampMicros);
    out.putInt((int) timestampDifferenceMicros);
    out.putInt((int) Math.min(windowSize, 0xFFFF_FFFFL));
    out.putShort((short) seqNr);
    out.putShort((short) ackNr);
  }

  /**
   * Appends a chain of {@link #EXT_PADDING} extensions of {@code bytes} bytes in total (at least
   * 2), ending the chain; the header's extension byte must be {@link #EXT_PADDING}.
   */
  static void writePadding(ByteBuffer out, int bytes) {
    int rem = bytes;
    while (rem > 0) {
      int n = Math.min(rem, 257);
      if (rem - n == 1) {
        n--;
      }
      rem -= n;
      out.put((byte) (rem > 0 ? EXT_PADDING : 0));
      out.put((byte) (n - 2));
      for (int i = 2; i < n; i++) {
        out.put((byte) 0);
      }
    }
  }

  static String typeName(int type) {
    return switch (type) {
      case ST_DATA -> "ST_DATA";
      case ST_FIN -> "ST_FIN";
      case ST_STATE -> "ST_STATE";
      case ST_RESET -> "ST_RESET";
      case ST_SYN -> "ST_SYN";
      default -> "type" + type;
    };
  }
}
