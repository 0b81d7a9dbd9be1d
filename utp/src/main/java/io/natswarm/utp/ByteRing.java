package io.natswarm.utp;

import java.nio.ByteBuffer;

/**
 * A growable ring of bytes addressed by absolute stream offsets: bytes [{@link #start()}, {@link
 * #end()}) are held. It starts small and doubles up to the first power of two at or above its
 * limit, so idle connections cost little. Used for the send buffer (unsent plus unacked bytes) and
 * the receive buffer (in-order bytes not yet read). Owned by the event-loop thread.
 */
final class ByteRing {
  private static final int INITIAL = 4096;

  private final int limit;
  private byte[] ring = new byte[0];
  private long start;
  private long end;

  ByteRing(int limit) {
    this.limit = limit;
  }

  long start() {
    return start;
  }

  long end() {
    return end;
  }

  int size() {
    return (int) (end - start);
  }

  int free() {
    return limit - size();
  }

  /** Appends up to {@code free()} bytes from {@code src} (advancing it); returns the count. */
  int append(ByteBuffer src) {
    int n = Math.min(src.remaining(), free());
    if (n <= 0) {
      return 0;
    }
    ensure(size() + n);
    int mask = ring.length - 1;
    int at = (int) (end & mask);
    int first = Math.min(n, ring.length - at);
    src.get(ring, at, first);
    if (first < n) {
      src.get(ring, 0, n - first);
    }
    end += n;
    return n;
  }

  /** Appends {@code n} bytes of {@code src} at absolute index {@code index} (src not moved). */
  int append(ByteBuffer src, int index, int n) {
    n = Math.min(n, free());
    if (n <= 0) {
      return 0;
    }
    ensure(size() + n);
    int mask = ring.length - 1;
    int at = (int) (end & mask);
    int first = Math.min(n, ring.length - at);
    src.get(index, ring, at, first);
    if (first < n) {
      src.get(index + first, ring, 0, n - first);
    }
    end += n;
    return n;
  }

  /** Appends {@code n} bytes from an array. */
  int append(byte[] src, int n) {
    n = Math.min(n, free());
    if (n <= 0) {
      return 0;
    }
    ensure(size() + n);
    int mask = ring.length - 1;
    int at = (int) (end & mask);
    int first = Math.min(n, ring.length - at);
    System.arraycopy(src, 0, ring, at, first);
    if (first < n) {
      System.arraycopy(src, first, ring, 0, n - first);
    }
    end += n;
    return n;
  }

  /** Copies {@code n} held bytes from stream offset {@code offset} into {@code dst}. */
  void copyOut(long offset, int n, ByteBuffer dst) {
    if (n <= 0) {
      return;
    }
    int mask = ring.length - 1;
    int at = (int) (offset & mask);
    int first = Math.min(n, ring.length - at);
    dst.put(ring, at, first);
    if (first < n) {
      dst.put(ring, 0, n - first);
    }
  }

  /** Moves up to {@code dst.remaining()} bytes from the start into {@code dst}; returns count. */
  int read(ByteBuffer dst) {
    int n = Math.min(dst.remaining(), size());
    if (n > 0) {
      copyOut(start, n, dst);
      start += n;
    }
    return n;
  }

  /** Drops bytes before {@code offset}. */
  void releaseTo(long offset) {
    if (offset > start) {
      start = Math.min(offset, end);
    }
  }

  /** Gives the storage back when nothing is held (idle connections stay small). */
  void trimIfEmpty() {
    if (start == end) {
      ring = new byte[0];
    }
  }

  /** Drops everything and the storage. */
  void clear() {
    start = end;
    ring = new byte[0];
  }

  private void ensure(int needed) {
    if (needed <= ring.length) {
      return;
    }
    int cap = Math.max(INITIAL, ring.length);
    while (cap < needed) {
      cap <<= 1;
    }
    byte[] next = new byte[cap];
    int size = size();
    if (size > 0) {
      int mask = ring.length - 1;
      int at = (int) (start & mask);
      int first = Math.min(size, ring.length - at);
      int nat = (int) (start & (cap - 1));
      // copy in two steps into the new ring at the same absolute offsets
      copyInto(next, nat, ring, at, first);
      if (first < size) {
        copyInto(next, (int) ((start + first) & (cap - 1)), ring, 0, size - first);
      }
    }
    ring = next;
  }

  private static void copyInto(byte[] dst, int dstAt, byte[] src, int srcAt, int n) {
    int first = Math.min(n, dst.length - dstAt);
    System.arraycopy(src, srcAt, dst, dstAt, first);
    if (first < n) {
      System.arraycopy(src, srcAt + first, dst, 0, n - first);
    }
  }
}
