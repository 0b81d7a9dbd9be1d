package io.natswarm.node.bt;

import bt.net.buffer.BorrowedBuffer;
import java.nio.ByteBuffer;

/**
 * A connection's inbound buffer that is never handed back to Bt's buffer pool: once released it
 * reads as gone ({@link #lockAndGet} returns null, as Bt's own buffers do) and the garbage
 * collector frees it when nothing refers to it any more.
 *
 * <p>Why: Bt 1.10 leaves a received block ({@code Piece}) in the connection's inbound buffer until
 * its data worker has written it to disk, and its {@code BufferManager} reuses a released buffer
 * for the next connection at once (last released, first borrowed). A connection that closed with
 * blocks still queued for writing thus handed its buffer to another connection, whose bytes
 * overwrote the queued blocks before they were written: the piece failed its hash check and was
 * fetched again, and the closed peer was blamed for it. Seen in {@code SwarmFailureTest}
 * (connections close there through kills, bans and duplicate connections): honest peers banned as
 * the only senders of pieces that failed. Bt's own {@code SocketChannelHandler} releases the buffer
 * the same way.
 *
 * <p>Cost: one buffer allocation per connection instead of reuse.
 */
final class UnrecycledBuffer implements BorrowedBuffer<ByteBuffer> {
  private final BorrowedBuffer<ByteBuffer> borrowed;
  private volatile boolean released;

  UnrecycledBuffer(BorrowedBuffer<ByteBuffer> borrowed) {
    this.borrowed = borrowed;
  }

  @Override
  public ByteBuffer lockAndGet() {
    ByteBuffer b = borrowed.lockAndGet();
    return released ? null : b;
  }

  @Override
  public void unlock() {
    borrowed.unlock();
  }

  /** Forgets the buffer without returning it to the pool. */
  @Override
  public void release() {
    released = true;
  }
}
