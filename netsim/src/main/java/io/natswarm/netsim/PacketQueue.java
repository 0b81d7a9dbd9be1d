package io.natswarm.netsim;

import java.net.InetSocketAddress;
import java.util.Arrays;

/**
 * The datagrams in flight: a pool of reusable packet slots (header fields in primitive arrays,
 * payload in a per-slot byte array that is kept for the next packet) and an {@link EventCalendar}
 * of the slots ordered by (arrival time, sequence number). Each in-flight packet is exactly one
 * pending event, so a slot doubles as its event. Nothing here allocates once the pool has grown to
 * the peak number of packets in flight.
 */
final class PacketQueue {
  static final byte STAGE_ROUTE = 0; // left the sender's uplink: route it in the sender's realm
  static final byte STAGE_ARRIVE = 1; // left the receiver's downlink: hand it to the receiver

  // Per slot, the header as one record of 8 ints (one half cache line) instead of one array per
  // field: a datagram delivered 50 ms after it was sent then costs one cache miss, not eight.
  private static final int SRC_ADDR = 0;
  private static final int SRC_PORT = 1;
  private static final int DST_ADDR = 2;
  private static final int DST_PORT = 3;
  private static final int LENGTH = 4; // payload bytes (low 24 bits), IP+UDP header bytes (high 8)
  private static final int HOPS = 5;
  private static final int NODE = 6;
  private static final int STAGE = 7;

  private static final int LENGTH_MASK = 0xFF_FFFF;

  private int[] header;
  private byte[][] data;

  /** The sender's address as a ready object when no NAT rewrote it, else null. */
  private InetSocketAddress[] from;

  private int[] free;
  private int freeCount;
  private int capacity;

  private final EventCalendar events = new EventCalendar();

  PacketQueue(int initial) {
    capacity = 0;
    header = new int[0];
    data = new byte[0][];
    from = new InetSocketAddress[0];
    free = new int[0];
    grow(Math.max(16, initial));
  }

  private void grow(int newCapacity) {
    header = Arrays.copyOf(header, newCapacity * 8);
    data = Arrays.copyOf(data, newCapacity);
    from = Arrays.copyOf(from, newCapacity);
    free = Arrays.copyOf(free, newCapacity);
    // Hand out low slots first so that a small simulation touches little memory.
    for (int s = newCapacity - 1; s >= capacity; s--) {
      free[freeCount++] = s;
    }
    capacity = newCapacity;
  }

  int srcAddr(int s) {
    return header[s << 3];
  }

  int srcPort(int s) {
    return header[(s << 3) + SRC_PORT];
  }

  int dstAddr(int s) {
    return header[(s << 3) + DST_ADDR];
  }

  int dstPort(int s) {
    return header[(s << 3) + DST_PORT];
  }

  /** The datagram's payload length (what the receiving core sees). */
  int length(int s) {
    return header[(s << 3) + LENGTH] & LENGTH_MASK;
  }

  /** The length a link serializes: the payload plus the IP and UDP headers. */
  int wireLength(int s) {
    int v = header[(s << 3) + LENGTH];
    return (v & LENGTH_MASK) + (v >>> 24);
  }

  int node(int s) {
    return header[(s << 3) + NODE];
  }

  int stage(int s) {
    return header[(s << 3) + STAGE];
  }

  InetSocketAddress from(int s) {
    return from[s];
  }

  byte[] data(int s) {
    return data[s];
  }

  void setSrcAddr(int s, int v) {
    header[(s << 3) + SRC_ADDR] = v;
  }

  void setSrcPort(int s, int v) {
    header[(s << 3) + SRC_PORT] = v;
  }

  void setDstAddr(int s, int v) {
    header[(s << 3) + DST_ADDR] = v;
  }

  void setDstPort(int s, int v) {
    header[(s << 3) + DST_PORT] = v;
  }

  /** Sets the bytes of IP and UDP header the datagram carries on every link (28 or 48). */
  void setHeaderBytes(int s, int v) {
    int i = (s << 3) + LENGTH;
    header[i] = (header[i] & LENGTH_MASK) | (v << 24);
  }

  void setHops(int s, int v) {
    header[(s << 3) + HOPS] = v;
  }

  void setFrom(int s, InetSocketAddress v) {
    from[s] = v;
  }

  /** Counts one more box crossed; returns the hops left (negative: too many). */
  int decrementHops(int s) {
    return --header[(s << 3) + HOPS];
  }

  /** Takes a free slot whose payload array holds at least {@code len} bytes. */
  int allocate(int len) {
    if (freeCount == 0) {
      grow(capacity * 2);
    }
    int s = free[--freeCount];
    byte[] d = data[s];
    if (d == null || d.length < len) {
      d = new byte[Math.max(64, (len + 63) & ~63)]; // small arrays: less memory in flight
      data[s] = d;
    }
    header[(s << 3) + LENGTH] = len;
    return s;
  }

  /** A copy of slot {@code s} (header and payload) in a new slot, not yet scheduled. */
  int duplicate(int s) {
    int len = length(s);
    int c = allocate(len);
    System.arraycopy(data[s], 0, data[c], 0, len);
    System.arraycopy(header, s << 3, header, c << 3, 8);
    from[c] = from[s];
    return c;
  }

  void release(int s) {
    from[s] = null;
    free[freeCount++] = s;
  }

  int inFlight() {
    return capacity - freeCount;
  }

  // ---- events ----

  void schedule(int s, long at, long sequence, int toNode, byte toStage) {
    header[(s << 3) + NODE] = toNode;
    header[(s << 3) + STAGE] = toStage;
    events.add(at, sequence, s);
  }

  boolean isEmpty() {
    return !events.hasNext();
  }

  /** Only valid right after {@link #isEmpty()} returned false. */
  long peekTime() {
    return events.peekTime();
  }

  long peekSeq() {
    return events.peekSeq();
  }

  int poll() {
    return events.poll();
  }
}
