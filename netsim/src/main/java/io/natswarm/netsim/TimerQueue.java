package io.natswarm.netsim;

import java.util.Arrays;

/**
 * One pending timer per binding, for the deadline its endpoint last reported through {@code
 * pollTimeout()}: an indexed binary min-heap over binding ids ordered by (deadline, sequence), so a
 * moved deadline is updated in place instead of leaving a stale event behind.
 */
final class TimerQueue {
  private long[] deadline = new long[16];
  private long[] seq = new long[16];
  private int[] pos = filled(16);
  private int[] heap = new int[16];
  private int size;

  private static int[] filled(int n) {
    int[] a = new int[n];
    Arrays.fill(a, -1);
    return a;
  }

  private void ensure(int id) {
    if (id >= pos.length) {
      int n = Math.max(id + 1, pos.length * 2);
      int old = pos.length;
      deadline = Arrays.copyOf(deadline, n);
      seq = Arrays.copyOf(seq, n);
      pos = Arrays.copyOf(pos, n);
      Arrays.fill(pos, old, n, -1);
      heap = Arrays.copyOf(heap, n);
    }
  }

  /** The scheduled deadline of {@code id}, or {@link Long#MAX_VALUE} when none. */
  long deadlineOf(int id) {
    return id < pos.length && pos[id] >= 0 ? deadline[id] : Long.MAX_VALUE;
  }

  /** Schedules or moves the timer of {@code id}. */
  void set(int id, long at, long sequence) {
    ensure(id);
    deadline[id] = at;
    seq[id] = sequence;
    int i = pos[id];
    if (i < 0) {
      i = size++;
      heap[i] = id;
      pos[id] = i;
    }
    siftDown(siftUp(i));
  }

  void remove(int id) {
    if (id >= pos.length || pos[id] < 0) {
      return;
    }
    int i = pos[id];
    pos[id] = -1;
    int last = heap[--size];
    if (i < size) {
      heap[i] = last;
      pos[last] = i;
      siftDown(siftUp(i));
    }
  }

  boolean isEmpty() {
    return size == 0;
  }

  int peek() {
    return heap[0];
  }

  long peekTime() {
    return deadline[heap[0]];
  }

  long peekSeq() {
    return seq[heap[0]];
  }

  int poll() {
    int top = heap[0];
    remove(top);
    return top;
  }

  private boolean less(int a, int b) {
    return deadline[a] < deadline[b] || (deadline[a] == deadline[b] && seq[a] < seq[b]);
  }

  private int siftUp(int i) {
    int id = heap[i];
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      int p = heap[parent];
      if (!less(id, p)) {
        break;
      }
      heap[i] = p;
      pos[p] = i;
      i = parent;
    }
    heap[i] = id;
    pos[id] = i;
    return i;
  }

  private void siftDown(int i) {
    int id = heap[i];
    while (true) {
      int child = 2 * i + 1;
      if (child >= size) {
        break;
      }
      int c = heap[child];
      if (child + 1 < size && less(heap[child + 1], c)) {
        child++;
        c = heap[child];
      }
      if (!less(c, id)) {
        break;
      }
      heap[i] = c;
      pos[c] = i;
      i = child;
    }
    heap[i] = id;
    pos[id] = i;
  }
}
