package io.natswarm.netsim;

import java.net.InetSocketAddress;
import java.util.Arrays;

/**
 * The datagrams in flight: a pool of reusable packet slots (header fields in primitive arrays,
 * payload in a per-slot byte array that is kept for the next packet) and a binary min-heap of the
 * slots ordered by (arrival time, sequence number). Each in-flight packet is exactly one pending
 * event, so a slot doubles as its event. Nothing here allocates once the pool has grown to the peak
 * number of packets in flight.
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
  private static final int LENGTH = 4;
  private static final int HOPS = 5;
  private static final int NODE = 6;
  private static final int STAGE = 7;

  private int[] header;
  private byte[][] data;

  /** The sender's address as a ready object when no NAT rewrote it, else null. */
  private InetSocketAddress[] from;

  private int[] free;
  private int freeCount;
  private int capacity;

  private int[] heap = new int[16];
  private long[] heapTime = new long[16];
  private long[] heapSeq = new long[16];
  private int heapSize;

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

  int length(int s) {
    return header[(s << 3) + LENGTH];
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

  // ---- heap ----
  // A 4-ary min-heap whose entries carry their keys inline (heapTime, heapSeq) next to the slot:
  // sifting reads contiguous arrays instead of chasing slot indexes, which matters with tens of
  // thousands of datagrams in flight.

  void schedule(int s, long at, long sequence, int toNode, byte toStage) {
    header[(s << 3) + NODE] = toNode;
    header[(s << 3) + STAGE] = toStage;
    int i = heapSize++;
    if (i == heapTime.length) {
      heapTime = Arrays.copyOf(heapTime, i * 2);
      heapSeq = Arrays.copyOf(heapSeq, i * 2);
      heap = Arrays.copyOf(heap, i * 2);
    }
    while (i > 0) {
      int parent = (i - 1) >>> 2;
      long pt = heapTime[parent];
      if (pt < at || (pt == at && heapSeq[parent] < sequence)) {
        break;
      }
      heapTime[i] = pt;
      heapSeq[i] = heapSeq[parent];
      heap[i] = heap[parent];
      i = parent;
    }
    heapTime[i] = at;
    heapSeq[i] = sequence;
    heap[i] = s;
  }

  boolean isEmpty() {
    return heapSize == 0;
  }

  /** The slot that is due first; only valid when not empty. */
  int peek() {
    return heap[0];
  }

  long peekTime() {
    return heapTime[0];
  }

  long peekSeq() {
    return heapSeq[0];
  }

  int poll() {
    int top = heap[0];
    int n = --heapSize;
    if (n == 0) {
      return top;
    }
    long lt = heapTime[n];
    long ls = heapSeq[n];
    int last = heap[n];
    int i = 0;
    while (true) {
      int first = 4 * i + 1;
      if (first >= n) {
        break;
      }
      int best = first;
      long bt = heapTime[first];
      long bs = heapSeq[first];
      int end = Math.min(first + 4, n);
      for (int c = first + 1; c < end; c++) {
        long ct = heapTime[c];
        if (ct < bt || (ct == bt && heapSeq[c] < bs)) {
          best = c;
          bt = ct;
          bs = heapSeq[c];
        }
      }
      if (lt < bt || (lt == bt && ls < bs)) {
        break;
      }
      heapTime[i] = bt;
      heapSeq[i] = bs;
      heap[i] = heap[best];
      i = best;
    }
    heapTime[i] = lt;
    heapSeq[i] = ls;
    heap[i] = last;
    return top;
  }
}
