package io.natswarm.netsim;

import java.util.Arrays;

/**
 * An open-addressing hash map from {@code long} to objects with linear probing and backward-shift
 * deletion; lookups neither box nor allocate. Single-threaded.
 */
final class LongObjectMap<V> {
  private static final long EMPTY = Long.MIN_VALUE;

  private long[] keys;
  private Object[] values;
  private int size;
  private int mask;

  LongObjectMap(int expected) {
    int cap = Integer.highestOneBit(Math.max(8, expected * 2 - 1)) << 1;
    keys = new long[cap];
    values = new Object[cap];
    Arrays.fill(keys, EMPTY);
    mask = cap - 1;
  }

  int size() {
    return size;
  }

  private static int hash(long key) {
    long h = key * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 32));
  }

  /** The value for {@code key}, or null. */
  @SuppressWarnings("unchecked") // values only ever holds V
  V get(long key) {
    int i = hash(key) & mask;
    while (true) {
      long k = keys[i];
      if (k == key) {
        return (V) values[i];
      }
      if (k == EMPTY) {
        return null;
      }
      i = (i + 1) & mask;
    }
  }

  void put(long key, V value) {
    if (key == EMPTY) {
      throw new IllegalArgumentException("reserved key");
    }
    int i = hash(key) & mask;
    while (true) {
      long k = keys[i];
      if (k == key) {
        values[i] = value;
        return;
      }
      if (k == EMPTY) {
        keys[i] = key;
        values[i] = value;
        if (++size * 2 > keys.length) {
          grow();
        }
        return;
      }
      i = (i + 1) & mask;
    }
  }

  /** Removes {@code key}; returns whether it was present. */
  boolean remove(long key) {
    int i = hash(key) & mask;
    while (true) {
      long k = keys[i];
      if (k == EMPTY) {
        return false;
      }
      if (k == key) {
        break;
      }
      i = (i + 1) & mask;
    }
    int hole = i;
    int j = i;
    while (true) {
      j = (j + 1) & mask;
      long k = keys[j];
      if (k == EMPTY) {
        break;
      }
      int home = hash(k) & mask;
      boolean movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
      if (movable) {
        keys[hole] = k;
        values[hole] = values[j];
        hole = j;
      }
    }
    keys[hole] = EMPTY;
    values[hole] = null;
    size--;
    return true;
  }

  private void grow() {
    long[] oldKeys = keys;
    Object[] oldValues = values;
    keys = new long[oldKeys.length * 2];
    values = new Object[oldKeys.length * 2];
    Arrays.fill(keys, EMPTY);
    mask = keys.length - 1;
    size = 0;
    for (int i = 0; i < oldKeys.length; i++) {
      if (oldKeys[i] != EMPTY) {
        @SuppressWarnings("unchecked") // values only ever holds V
        V v = (V) oldValues[i];
        put(oldKeys[i], v);
      }
    }
  }
}
