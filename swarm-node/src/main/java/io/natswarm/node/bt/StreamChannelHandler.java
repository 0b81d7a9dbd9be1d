package io.natswarm.node.bt;

import bt.net.buffer.BorrowedBuffer;
import bt.net.pipeline.ChannelHandler;
import bt.net.pipeline.ChannelHandlerContext;
import bt.net.pipeline.ChannelPipeline;
import bt.protocol.KeepAlive;
import bt.protocol.Message;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bt's {@link ChannelHandler} for any {@link PeerStream}: moves bytes between the stream and Bt's
 * channel pipeline (its codecs and, after MSE, its RC4 {@code CipherBufferMutator}s), replacing
 * Bt's {@code SocketChannelHandler}, which needs a {@code SocketChannel} and Bt's selector.
 *
 * <p>Reading happens on the {@link PeerIoLoop} when the stream reports readiness. When Bt's inbound
 * buffer is full (piece data stays in it until the disk worker has written it) reading pauses and
 * is retried when Bt polls a message and after {@link #STALL_RETRY_MILLIS}, instead of Bt's 1 ms
 * sleep on its receive thread.
 *
 * <p>Writing: {@link #send} encodes into the outbound buffer and writes what the stream takes; the
 * rest is written when the stream reports room. A sender waits (without spinning) only when the
 * outbound buffer cannot take the message, at most {@link #SEND_TIMEOUT_MILLIS}, then the
 * connection is closed.
 *
 * <p>Locks: {@code inLock} then {@code outLock}, never the other way. The outbound buffer is
 * released only under {@code outLock} after {@code closed} is set, and {@link #send} checks {@code
 * closed} under {@code outLock} before encoding: Bt 1.10's {@code DefaultChannelPipeline.encode}
 * returns false and keeps the buffer's lock when the buffer was already released (DESIGN.md, Bt
 * traps), so it must never be called after close.
 */
final class StreamChannelHandler implements ChannelHandler, PeerStream.Readiness {
  /** Retry of a read that found Bt's inbound buffer full. */
  static final long STALL_RETRY_MILLIS = 1;

  /** A keep-alive goes out after this long without sending anything (libtorrent: 120 s). */
  static final long KEEPALIVE_IDLE_NANOS = TimeUnit.SECONDS.toNanos(60);

  /** Longest wait of a sender for room in the outbound buffer. */
  static final long SEND_TIMEOUT_MILLIS = 30_000;

  private static final Logger LOG = LoggerFactory.getLogger(StreamChannelHandler.class);

  private final PeerStream stream;
  private final BorrowedBuffer<ByteBuffer> inbound;
  private final BorrowedBuffer<ByteBuffer> outbound;
  private final ChannelHandlerContext context;
  private final PeerIoLoop loop;
  private final Object inLock = new Object();
  private final Object outLock = new Object();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Runnable retryRead = this::onReadable;
  private volatile boolean inputStalled; // a hint for receive(): Bt's inbound buffer was full
  private boolean paused; // loop thread only: reading readiness is paused
  private boolean retryScheduled; // loop thread only
  private volatile Runnable onInbound = () -> {};
  private volatile long lastSentNanos = System.nanoTime();
  private volatile long keepAlivesSent;
  private volatile Runnable onClosed = () -> {};

  StreamChannelHandler(
      PeerStream stream,
      BorrowedBuffer<ByteBuffer> inbound,
      BorrowedBuffer<ByteBuffer> outbound,
      ChannelPipeline pipeline,
      PeerIoLoop loop) {
    this.stream = stream;
    this.inbound = inbound;
    this.outbound = outbound;
    this.loop = loop;
    this.context = pipeline.bindHandler(this);
  }

  /** Run (on the I/O loop) after bytes were decoded, to wake whoever waits for messages. */
  void onInbound(Runnable r) {
    this.onInbound = r;
  }

  /** Run once when the handler closes. */
  void onClosed(Runnable r) {
    this.onClosed = r;
  }

  PeerStream stream() {
    return stream;
  }

  @Override
  public void send(Message message) {
    synchronized (outLock) {
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SEND_TIMEOUT_MILLIS);
      while (true) {
        if (closed.get()) {
          throw new IllegalStateException("connection " + stream + " is closed");
        }
        if (context.pipeline().encode(message)) {
          break;
        }
        if (flushLocked()) {
          continue; // bytes went out: there may be room now
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          shutdown();
          throw new IllegalStateException(
              "connection " + stream + ": no room to send for " + SEND_TIMEOUT_MILLIS + " ms");
        }
        try {
          outLock.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while sending to " + stream, e);
        }
      }
      flushLocked();
    }
  }

  /**
   * On the I/O loop: sends a BEP 3 keep-alive if nothing was sent for {@link #KEEPALIVE_IDLE_NANOS}
   * and schedules the next check, until the handler closes. Bt 1.10 sends no keep-alives, and
   * libtorrent drops a peer that stayed silent for 120 s (issue 9, "Scheduling"): a seed that only
   * receives, or two peers that have nothing to exchange, would lose their connections. Never
   * waits: if the outbound buffer is busy the connection is not silent anyway.
   */
  void keepAlive(long checkMillis) {
    if (closed.get()) {
      return;
    }
    if (System.nanoTime() - lastSentNanos >= KEEPALIVE_IDLE_NANOS) {
      synchronized (outLock) {
        if (!closed.get() && context.pipeline().encode(KeepAlive.instance())) {
          lastSentNanos = System.nanoTime();
          keepAlivesSent++;
          flushLocked();
        }
      }
    }
    loop.schedule(() -> keepAlive(checkMillis), checkMillis);
  }

  /** Keep-alives sent so far (for tests). */
  long keepAlivesSent() {
    return keepAlivesSent;
  }

  @Override
  public Message receive() {
    if (closed.get()) {
      return null;
    }
    Message m = context.pipeline().decode();
    if (inputStalled) {
      inputStalled = false;
      loop.execute(retryRead);
    }
    return m;
  }

  @Override
  public boolean read() throws IOException {
    synchronized (inLock) {
      if (closed.get()) {
        return true;
      }
      ByteBuffer buffer = inbound.lockAndGet();
      try {
        if (buffer == null) {
          return true;
        }
        do {
          int last;
          while ((last = stream.read(buffer)) > 0) {
            // read all that is there
          }
          boolean full = !buffer.hasRemaining();
          context.fireDataReceived();
          if (last < 0) {
            throw new EOFException("peer closed " + stream);
          }
          if (!full) {
            return true;
          }
        } while (buffer.hasRemaining());
        return false;
      } finally {
        inbound.unlock();
      }
    }
  }

  /** On the I/O loop: reads what arrived and wakes the consumers. */
  @Override
  public void onReadable() {
    if (closed.get()) {
      return;
    }
    try {
      if (read()) {
        inputStalled = false;
        if (paused) {
          paused = false;
          stream.resumeReading();
        }
      } else {
        inputStalled = true;
        if (!paused) {
          paused = true;
          stream.pauseReading();
        }
        if (!retryScheduled) {
          retryScheduled = true;
          loop.schedule(
              () -> {
                retryScheduled = false;
                onReadable();
              },
              STALL_RETRY_MILLIS);
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.debug("reading from {}: {}", stream, e.toString());
      shutdown();
    }
    onInbound.run();
  }

  /** On the I/O loop: the stream has room again. */
  @Override
  public void onWritable() {
    synchronized (outLock) {
      if (!closed.get()) {
        flushLocked();
      }
      outLock.notifyAll();
    }
  }

  @Override
  public void register() {
    // Reading starts when the stream's session starts (PeerConnector).
  }

  @Override
  public void unregister() {}

  @Override
  public void activate() {
    loop.execute(retryRead);
  }

  @Override
  public void deactivate() {}

  @Override
  public void flush() {
    synchronized (outLock) {
      if (!closed.get()) {
        flushLocked();
      }
    }
  }

  /**
   * Under {@code outLock}: writes what the stream takes; asks for writability if bytes remain.
   * Returns whether any byte was written.
   */
  private boolean flushLocked() {
    ByteBuffer buffer = outbound.lockAndGet();
    try {
      if (buffer == null) {
        return false;
      }
      buffer.flip();
      int total = 0;
      try {
        int n;
        while (buffer.hasRemaining() && (n = stream.write(buffer)) > 0) {
          total += n;
        }
      } finally {
        boolean more = buffer.hasRemaining();
        buffer.compact();
        if (more) {
          stream.wantWrite();
        }
      }
      return total > 0;
    } catch (IOException e) {
      LOG.debug("writing to {}: {}", stream, e.toString());
      loop.execute(this::close);
      throw new IllegalStateException("connection " + stream + ": " + e.getMessage(), e);
    } finally {
      outbound.unlock();
    }
  }

  @Override
  public void close() {
    shutdown();
  }

  private void shutdown() {
    synchronized (outLock) {
      if (!closed.compareAndSet(false, true)) {
        return;
      }
      try {
        stream.close();
      } catch (IOException e) {
        LOG.debug("closing {}: {}", stream, e.toString());
      }
      outbound.release();
      outLock.notifyAll();
    }
    // Off the sender's lock: the reader may hold the inbound buffer for a moment.
    synchronized (inLock) {
      inbound.release();
    }
    onInbound.run();
    onClosed.run();
  }

  @Override
  public boolean isClosed() {
    return closed.get();
  }
}
