package io.natswarm.utp.stream;

import java.util.ArrayDeque;

/**
 * A bounded pool of fixed-size byte chunks shared by the {@link ByteQueue}s of one {@link
 * UtpSocket}, so that streaming bytes between application threads and the event loop allocates
 * nothing in the steady state and an idle connection holds no buffer at all. Thread-safe (one short
 * lock); used by the loop and by application threads.
 */
final class ChunkPool {
  private final int chunkBytes;
  private final int maxPooled;
  private final ArrayDeque<Chunk> free = new ArrayDeque<>();

  ChunkPool(int chunkBytes, int maxPooled) {
    this.chunkBytes = chunkBytes;
    this.maxPooled = maxPooled;
  }

  int chunkBytes() {
    return chunkBytes;
  }

  Chunk take() {
    synchronized (free) {
      Chunk c = free.pollFirst();
      if (c != null) {
        return c;
      }
    }
    return new Chunk(chunkBytes);
  }

  void give(Chunk c) {
    c.reset();
    synchronized (free) {
      if (free.size() < maxPooled) {
        free.addFirst(c);
      }
    }
  }

  int pooled() {
    synchronized (free) {
      return free.size();
    }
  }
}
