package io.natswarm.node.bt;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Arrays that received blocks are copied into, so that Bt's inbound connection buffer (where a
 * block's bytes otherwise stay until the data worker has written them, and whose filling up pauses
 * reading from the peer: {@link StreamChannelHandler}) is released as soon as the message is
 * consumed. At most {@code limitBytes} of copies wait at a time; beyond that a block keeps Bt's
 * buffer as before, which is the back-pressure on a peer faster than the disk. Arrays of the usual
 * block length (16 KiB, BEP 3's recommended request size) are kept for reuse.
 *
 * <p>Thread-safe: taken on Bt's message dispatcher thread, given back on a data worker thread.
 */
final class BlockCopies {
  /** Copies waiting at most: 16 MiB. */
  static final long DEFAULT_LIMIT_BYTES = 16L * 1024 * 1024;

  private static final int USUAL = 16 * 1024;
  private static final int KEPT = 256;

  private final long limitBytes;
  private final AtomicLong waiting = new AtomicLong();
  private final Queue<byte[]> free = new ConcurrentLinkedQueue<>();
  private final AtomicInteger kept = new AtomicInteger();

  BlockCopies(long limitBytes) {
    this.limitBytes = limitBytes;
  }

  /** An array of exactly {@code length} bytes, or null when too many copies wait. */
  byte[] take(int length) {
    if (waiting.addAndGet(length) > limitBytes) {
      waiting.addAndGet(-length);
      return null;
    }
    if (length == USUAL) {
      byte[] b = free.poll();
      if (b != null) {
        kept.decrementAndGet();
        return b;
      }
    }
    return new byte[length];
  }

  /** Gives back an array from {@link #take} once its block is written. */
  void give(byte[] copy) {
    waiting.addAndGet(-copy.length);
    if (copy.length == USUAL && kept.incrementAndGet() <= KEPT) {
      free.add(copy);
    } else if (copy.length == USUAL) {
      kept.decrementAndGet();
    }
  }

  /** Bytes of copies waiting now. */
  long waitingBytes() {
    return waiting.get();
  }
}
