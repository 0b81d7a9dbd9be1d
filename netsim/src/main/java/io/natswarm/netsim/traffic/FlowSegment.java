package io.natswarm.netsim.traffic;

import java.nio.ByteBuffer;

/**
 * The wire format of a {@link BulkFlow}'s datagrams, and its parser. A DATA segment is {@code
 * type(1)=0x44 'D', sequence(8), timestamp(8)} followed by padding up to the segment size; an ACK
 * is {@code type(1)=0x41 'A', cumulative ack(8), echoed timestamp(8)}. Big-endian.
 *
 * <p>{@link #parse} never throws: anything else is {@link #INVALID}, which the endpoints count.
 */
final class FlowSegment {
  static final byte DATA = 'D';
  static final byte ACK = 'A';
  static final int HEADER = 17;
  static final int ACK_LENGTH = 25;

  /** Returned by {@link #parse} for a datagram that is neither a DATA nor an ACK. */
  static final int INVALID = -1;

  private FlowSegment() {}

  /**
   * Checks the datagram at {@code packet}'s position without moving it: returns {@link #DATA},
   * {@link #ACK} or {@link #INVALID}. On success, {@link #number} and {@link #timestamp} read the
   * fields.
   */
  static int parse(ByteBuffer packet) {
    int n = packet.remaining();
    if (n < HEADER) {
      return INVALID;
    }
    byte type = packet.get(packet.position());
    if (type == ACK && n == ACK_LENGTH) {
      return ACK;
    }
    if (type == DATA) {
      return DATA;
    }
    return INVALID;
  }

  /** The sequence number (DATA) or cumulative acknowledgement (ACK) of a parsed datagram. */
  static long number(ByteBuffer packet) {
    return packet.getLong(packet.position() + 1);
  }

  /** The sender's timestamp (DATA) or the echoed one (ACK) of a parsed datagram. */
  static long timestamp(ByteBuffer packet) {
    return packet.getLong(packet.position() + 9);
  }

  /** The selectively acknowledged sequence number of a parsed ACK. */
  static long selective(ByteBuffer packet) {
    return packet.getLong(packet.position() + 17);
  }

  static void writeData(ByteBuffer out, long sequence, long timestamp, int size) {
    out.put(DATA).putLong(sequence).putLong(timestamp);
    out.position(Math.max(size, HEADER));
  }

  static void writeAck(ByteBuffer out, long cumulative, long echo, long selective) {
    out.put(ACK).putLong(cumulative).putLong(echo).putLong(selective);
  }
}
