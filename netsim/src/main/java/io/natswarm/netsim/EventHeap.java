package io.natswarm.netsim;

import java.util.Arrays;

/**
 * A 4-ary min-heap of (time, sequence, id) entries ordered by time then sequence, the keys kept
 * inline next to the id so that sifting reads contiguous arrays.
 */
final class EventHeap {
  private long[] time = new long[16];
  private long[] seq = new long[16];
  private int[] id = new int[16];
  private int size;

  int size() {
    return size;
  }

  boolean isEmpty() {
    return size == 0;
  }

  long peekTime() {
    return time[0];
  }

  long peekSeq() {
    return seq[0];
  }

  int peekId() {
    return id[0];
  }

  void add(long at, long sequence, int entry) {
    int i = size++;
    if (i == time.length) {
      time = Arrays.copyOf(time, i * 2);
      seq = Arrays.copyOf(seq, i * 2);
      id = Arrays.copyOf(id, i * 2);
    }
    while (i > 0) {
      int parent = (i - 1) >>> 2;
      long pt = time[parent];
      if (pt < at || (pt == at && seq[parent] < sequence)) {
        break;
      }
      time[i] = pt;
      seq[i] = seq[parent];
      id[i] = id[parent];
      i = parent;
    }
    time[i] = at;
    seq[i] = sequence;
    id[i] = entry;
  }

  /** Removes the minimum; returns its id. Only valid when not empty. */
  int poll() {
    int top = id[0];
    int n = --size;
    if (n == 0) {
      return top;
    }
    long lt = time[n];
    long ls = seq[n];
    int last = id[n];
    int i = 0;
    while (true) {
      int first = 4 * i + 1;
      if (first >= n) {
        break;
      }
      int best = first;
      long bt = time[first];
      long bs = seq[first];
      int end = Math.min(first + 4, n);
      for (int c = first + 1; c < end; c++) {
        long ct = time[c];
        if (ct < bt || (ct == bt && seq[c] < bs)) {
          best = c;
          bt = ct;
          bs = seq[c];
        }
      }
      if (lt < bt || (lt == bt && ls < bs)) {
        break;
      }
      time[i] = bt;
      seq[i] = bs;
      id[i] = id[best];
      i = best;
    }
    time[i] = lt;
    seq[i] = ls;
    id[i] = last;
    return top;
  }
}
