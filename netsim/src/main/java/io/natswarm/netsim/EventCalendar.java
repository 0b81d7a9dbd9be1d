package io.natswarm.netsim;

import java.util.Arrays;

/**
 * The pending datagram events, ordered exactly by (time, sequence): a calendar queue. Time is cut
 * into buckets of about 1 ms; a ring of 256 buckets holds the events of the next ~268 ms unsorted,
 * the bucket being consumed is a small {@link EventHeap} ({@code near}) that stays in cache, and
 * events further ahead wait in a {@code far} heap. With tens of thousands of datagrams in flight
 * this touches far less memory per event than one big heap.
 */
final class EventCalendar {
  private static final int SHIFT = 20; // bucket width 2^20 ns
  private static final int BUCKETS = 256;
  private static final int MASK = BUCKETS - 1;

  private final EventHeap near = new EventHeap();
  private final EventHeap far = new EventHeap();
  private final long[][] bucketTime = new long[BUCKETS][];
  private final long[][] bucketSeq = new long[BUCKETS][];
  private final int[][] bucketId = new int[BUCKETS][];
  private final int[] bucketCount = new int[BUCKETS];
  private int inRing;
  private long cursor; // bucket number (time >> SHIFT) that near covers, and everything before

  boolean isEmpty() {
    return near.isEmpty() && inRing == 0 && far.isEmpty();
  }

  void add(long at, long sequence, int id) {
    long b = at >> SHIFT;
    if (b <= cursor) {
      near.add(at, sequence, id);
    } else if (b - cursor < BUCKETS) {
      int k = (int) (b & MASK);
      int n = bucketCount[k];
      long[] t = bucketTime[k];
      if (t == null || n == t.length) {
        int cap = t == null ? 16 : n * 2;
        bucketTime[k] = t = t == null ? new long[cap] : Arrays.copyOf(t, cap);
        bucketSeq[k] = bucketSeq[k] == null ? new long[cap] : Arrays.copyOf(bucketSeq[k], cap);
        bucketId[k] = bucketId[k] == null ? new int[cap] : Arrays.copyOf(bucketId[k], cap);
      }
      t[n] = at;
      bucketSeq[k][n] = sequence;
      bucketId[k][n] = id;
      bucketCount[k] = n + 1;
      inRing++;
    } else {
      far.add(at, sequence, id);
    }
  }

  /** Makes near hold the minimum; returns false when there is nothing at all. */
  private boolean settle() {
    while (near.isEmpty()) {
      if (inRing == 0) {
        if (far.isEmpty()) {
          return false;
        }
        cursor = Math.max(cursor, (far.peekTime() >> SHIFT) - 1); // jump the empty stretch
      }
      cursor++;
      int k = (int) (cursor & MASK);
      int n = bucketCount[k];
      if (n > 0) {
        long[] t = bucketTime[k];
        long[] s = bucketSeq[k];
        int[] id = bucketId[k];
        for (int i = 0; i < n; i++) {
          near.add(t[i], s[i], id[i]);
        }
        bucketCount[k] = 0;
        inRing -= n;
      }
      while (!far.isEmpty() && (far.peekTime() >> SHIFT) <= cursor) {
        long ft = far.peekTime();
        long fs = far.peekSeq();
        near.add(ft, fs, far.poll());
      }
    }
    return true;
  }

  /** Whether an event is pending; when true, {@link #peekTime()} etc. are valid. */
  boolean hasNext() {
    return settle();
  }

  long peekTime() {
    return near.peekTime();
  }

  long peekSeq() {
    return near.peekSeq();
  }

  int poll() {
    settle();
    return near.poll();
  }
}
