package io.natswarm.utp.stream;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * A FIFO of bytes made of pooled {@link Chunk}s: the hand-over buffer between an application thread
 * and the event loop, one per direction of a {@link UtpChannel}. Empty queues give their chunks
 * back to the pool, so an idle connection holds none. Not thread-safe: every call is made under the
 * owning channel's monitor.
 */
final class ByteQueue {
  private final ChunkPool small;
  private final ChunkPool large;
  private ArrayDeque<Chunk> chunks;
  private int size;

  ByteQueue(ChunkPool small, ChunkPool large) {
    this.small = small;
    this.large = large;
  }

  int size() {
    return size;
  }

  boolean isEmpty() {
    return size == 0;
  }

  /** Copies up to {@code max} bytes from {@code src} into the queue; returns the count. */
  int writeFrom(ByteBuffer src, int max) {
    int want = Math.min(max, src.remaining());
    int done = 0;
    while (done < want) {
      Chunk tail = tailWithRoom(want - done);
      int n = Math.min(want - done, tail.writable());
      src.get(tail.data, tail.writeIndex, n);
      tail.writeIndex += n;
      done += n;
    }
    size += done;
    return done;
  }

  /** Copies queued bytes into {@code dst}; returns the count. */
  int readInto(ByteBuffer dst) {
    int done = 0;
    while (size > 0 && dst.hasRemaining()) {
      Chunk head = chunks.peekFirst();
      int n = Math.min(head.readable(), dst.remaining());
      dst.put(head.data, head.readIndex, n);
      consume(head, n);
      done += n;
    }
    return done;
  }

  /**
   * A view of the first chunk's queued bytes (position..limit), for a consumer that takes part of
   * it and then calls {@link #consumed(int)}. Null when empty.
   */
  ByteBuffer head() {
    if (size == 0) {
      return null;
    }
    Chunk c = chunks.peekFirst();
    c.view.limit(c.writeIndex).position(c.readIndex);
    return c.view;
  }

  /** Removes {@code n} bytes from the head chunk returned by {@link #head()}. */
  void consumed(int n) {
    if (n > 0) {
      consume(chunks.peekFirst(), n);
    }
  }

  /**
   * A view of the free space of the last chunk (position..limit), for a producer that fills part of
   * it and then calls {@link #produced(int)}.
   */
  ByteBuffer tail(int expected) {
    Chunk c = tailWithRoom(expected);
    c.view.limit(c.data.length).position(c.writeIndex);
    return c.view;
  }

  /** Adds {@code n} bytes written into the view returned by {@link #tail(int)}. */
  void produced(int n) {
    if (n > 0) {
      chunks.peekLast().writeIndex += n;
      size += n;
    }
    trimIfEmpty();
  }

  /** Drops every byte and gives every chunk back. */
  void clear() {
    if (chunks != null) {
      Chunk c;
      while ((c = chunks.pollFirst()) != null) {
        give(c);
      }
    }
    size = 0;
  }

  private void consume(Chunk head, int n) {
    head.readIndex += n;
    size -= n;
    if (head.readable() == 0) {
      chunks.pollFirst();
      give(head);
    }
  }

  private void trimIfEmpty() {
    if (size == 0 && chunks != null && !chunks.isEmpty()) {
      clear();
    }
  }

  private Chunk tailWithRoom(int expected) {
    if (chunks == null) {
      chunks = new ArrayDeque<>(4);
    }
    Chunk tail = chunks.peekLast();
    if (tail == null || tail.writable() == 0) {
      // a short message into an empty queue gets a small chunk; anything else a large one
      tail = tail == null && expected <= small.chunkBytes() ? small.take() : large.take();
      chunks.addLast(tail);
    }
    return tail;
  }

  private void give(Chunk c) {
    (c.data.length == small.chunkBytes() ? small : large).give(c);
  }
}
