package io.natswarm.netsim;

import java.nio.ByteBuffer;
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

  long[] time;
  long[] seq;
  int[] node;
  byte[] stage;
  int[] srcAddr;
  int[] srcPort;
  int[] dstAddr;
  int[] dstPort;
  int[] length;
  int[] hops;
  byte[][] data;
  private ByteBuffer[] views;

  private int[] free;
  private int freeCount;
  private int capacity;

  private int[] heap;
  private int heapSize;

  PacketQueue(int initial) {
    capacity = 0;
    time = new long[0];
    seq = new long[0];
    node = new int[0];
    stage = new byte[0];
    srcAddr = new int[0];
    srcPort = new int[0];
    dstAddr = new int[0];
    dstPort = new int[0];
    length = new int[0];
    hops = new int[0];
    data = new byte[0][];
    views = new ByteBuffer[0];
    free = new int[0];
    heap = new int[0];
    grow(Math.max(16, initial));
  }

  private void grow(int newCapacity) {
    time = Arrays.copyOf(time, newCapacity);
    seq = Arrays.copyOf(seq, newCapacity);
    node = Arrays.copyOf(node, newCapacity);
    stage = Arrays.copyOf(stage, newCapacity);
    srcAddr = Arrays.copyOf(srcAddr, newCapacity);
    srcPort = Arrays.copyOf(srcPort, newCapacity);
    dstAddr = Arrays.copyOf(dstAddr, newCapacity);
    dstPort = Arrays.copyOf(dstPort, newCapacity);
    length = Arrays.copyOf(length, newCapacity);
    hops = Arrays.copyOf(hops, newCapacity);
    data = Arrays.copyOf(data, newCapacity);
    views = Arrays.copyOf(views, newCapacity);
    free = Arrays.copyOf(free, newCapacity);
    heap = Arrays.copyOf(heap, newCapacity);
    // Hand out low slots first so that a small simulation touches little memory.
    for (int s = newCapacity - 1; s >= capacity; s--) {
      free[freeCount++] = s;
    }
    capacity = newCapacity;
  }

  /** Takes a free slot whose payload array holds at least {@code len} bytes. */
  int allocate(int len) {
    if (freeCount == 0) {
      grow(capacity * 2);
    }
    int s = free[--freeCount];
    byte[] d = data[s];
    if (d == null || d.length < len) {
      d = new byte[Math.max(len, d == null ? 256 : Math.min(65_536, d.length * 2))];
      data[s] = d;
      views[s] = ByteBuffer.wrap(d);
    }
    length[s] = len;
    return s;
  }

  /** A copy of slot {@code s} (header and payload) in a new slot, not yet scheduled. */
  int duplicate(int s) {
    int len = length[s];
    int c = allocate(len);
    System.arraycopy(data[s], 0, data[c], 0, len);
    srcAddr[c] = srcAddr[s];
    srcPort[c] = srcPort[s];
    dstAddr[c] = dstAddr[s];
    dstPort[c] = dstPort[s];
    hops[c] = hops[s];
    return c;
  }

  void release(int s) {
    free[freeCount++] = s;
  }

  /** The payload of slot {@code s} as a buffer positioned at 0 with the packet's length. */
  ByteBuffer view(int s) {
    ByteBuffer b = views[s];
    b.limit(length[s]).position(0);
    return b;
  }

  int inFlight() {
    return capacity - freeCount;
  }

  // ---- heap ----

  void schedule(int s, long at, long sequence, int toNode, byte toStage) {
    time[s] = at;
    seq[s] = sequence;
    node[s] = toNode;
    stage[s] = toStage;
    int i = heapSize++;
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      int p = heap[parent];
      if (!less(s, p)) {
        break;
      }
      heap[i] = p;
      i = parent;
    }
    heap[i] = s;
  }

  boolean isEmpty() {
    return heapSize == 0;
  }

  /** The slot that is due first; only valid when not empty. */
  int peek() {
    return heap[0];
  }

  int poll() {
    int top = heap[0];
    int last = heap[--heapSize];
    int n = heapSize;
    int i = 0;
    while (true) {
      int child = 2 * i + 1;
      if (child >= n) {
        break;
      }
      int c = heap[child];
      int right = child + 1;
      if (right < n && less(heap[right], c)) {
        child = right;
        c = heap[right];
      }
      if (!less(c, last)) {
        break;
      }
      heap[i] = c;
      i = child;
    }
    if (n > 0) {
      heap[i] = last;
    }
    return top;
  }

  private boolean less(int a, int b) {
    long ta = time[a];
    long tb = time[b];
    return ta < tb || (ta == tb && seq[a] < seq[b]);
  }
}
