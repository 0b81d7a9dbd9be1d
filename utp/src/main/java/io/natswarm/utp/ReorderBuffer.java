package io.natswarm.utp;

import java.nio.ByteBuffer;

/**
 * Data packets that arrived ahead of a gap, indexed by sequence number relative to the next
 * expected one (BEP 29: the receiver buffers out-of-order packets and reports them in the selective
 * ACK). Payload copies live in per-slot arrays that are allocated on first use and kept; the number
 * of slots grows by doubling up to a bound, and the bytes held count against the advertised receive
 * window, so a peer cannot make us buffer without bound. Owned by the event-loop thread.
 */
final class ReorderBuffer {
  private static final int INITIAL = 16;

  private final int maxSlots;
  private byte[][] data = new byte[0][];
  private int[] lengths = new int[0];
  private boolean[] present = new boolean[0];
  private int mask = -1;
  private int count;
  private int bytes;

  /** Highest stored sequence number (valid when count > 0). */
  private int highest;

  ReorderBuffer(int maxSlots) {
    this.maxSlots = maxSlots;
  }

  /** How far ahead of the next expected sequence number a packet may be stored. */
  int maxDistance() {
    return maxSlots;
  }

  int count() {
    return count;
  }

  int bytes() {
    return bytes;
  }

  int highest() {
    return highest;
  }

  boolean contains(int seq) {
    return count > 0 && mask >= 0 && present[seq & mask] && inRange(seq);
  }

  private boolean inRange(int seq) {
    return SeqNr.diff(highest, seq) >= 0 && SeqNr.diff(highest, seq) < data.length;
  }

  /**
   * Stores the payload of {@code seq}, which is {@code distance} (1..maxSlots-1) ahead of the next
   * expected. Returns false if already present.
   */
  boolean store(int seq, int distance, ByteBuffer src, int index, int length) {
    if (distance >= data.length) {
      grow(distance + 1);
    }
    int i = seq & mask;
    if (present[i]) {
      return false;
    }
    byte[] slot = data[i];
    if (slot == null || slot.length < length) {
      // Sized to the payload (not a full packet) so tiny hostile packets cannot pin a packet each.
      slot = new byte[Math.max(length, 64)];
      data[i] = slot;
    }
    src.get(index, slot, 0, length);
    lengths[i] = length;
    present[i] = true;
    if (count == 0 || SeqNr.diff(seq, highest) > 0) {
      highest = seq;
    }
    count++;
    bytes += length;
    return true;
  }

  /** If {@code seq} is stored, moves its payload into {@code ring}; returns the length or -1. */
  int take(int seq, ByteRing ring) {
    if (count == 0) {
      return -1;
    }
    int i = seq & mask;
    if (!present[i]) {
      return -1;
    }
    present[i] = false;
    count--;
    int n = lengths[i];
    bytes -= n;
    if (ring != null) {
      ring.append(data[i], n);
    }
    return n;
  }

  void clear() {
    data = new byte[0][];
    lengths = new int[0];
    present = new boolean[0];
    mask = -1;
    count = 0;
    bytes = 0;
  }

  private void grow(int needed) {
    int cap = Math.max(INITIAL, data.length);
    while (cap < needed) {
      cap <<= 1;
    }
    cap = Math.min(cap, Integer.highestOneBit(Math.max(INITIAL, maxSlots - 1)) << 1);
    byte[][] nd = new byte[cap][];
    int[] nl = new int[cap];
    boolean[] np = new boolean[cap];
    int nm = cap - 1;
    if (count > 0) {
      // stored packets lie within the old capacity below highest
      for (int k = 0; k < data.length; k++) {
        int seq = SeqNr.add(highest, -k);
        int i = seq & mask;
        if (present[i]) {
          int j = seq & nm;
          nd[j] = data[i];
          nl[j] = lengths[i];
          np[j] = true;
        }
      }
    }
    data = nd;
    lengths = nl;
    present = np;
    mask = nm;
  }
}
