package io.natswarm.utp.endpoint;

import io.natswarm.utp.UtpConnection;
import io.natswarm.utp.UtpConnectionListener;
import io.natswarm.utp.UtpError;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;

/**
 * One µTP connection (BEP 29) as a {@link ByteChannel}: what Bt and other applications use as a
 * peer connection. Blocking by default ({@link #read} waits for bytes, {@link #write} writes
 * everything); {@link #configureBlocking(boolean) configureBlocking(false)} makes both return at
 * once with what they could do, and a {@link UtpChannelListener} says when to try again.
 *
 * <p>Threads: the public methods may be called from any thread. The {@link UtpConnection} itself
 * belongs to the endpoint's event loop; bytes cross between the two through one {@link ByteQueue}
 * per direction guarded by this object's monitor (the only lock; the protocol core has none).
 * Application calls wake the loop through {@link UdpEndpoint#execute} only when a queue changes
 * from idle to busy, and the loop wakes blocked application threads once per read burst.
 *
 * <p>{@link #close()} is orderly: bytes already written are still delivered, then a FIN is sent.
 * {@link #abort()} sends ST_RESET and drops everything. Errors surface as {@link IOException}s that
 * say what happened: {@link ConnectException} (refused), {@link SocketTimeoutException} (timed
 * out), or "reset by peer".
 */
public final class UtpChannel implements ByteChannel {
  private final UtpStackHandler owner;
  private final UtpConnection conn; // event-loop thread only
  private final InetSocketAddress remote;
  private final boolean outgoing;
  private final ByteQueue in;
  private final ByteQueue out;
  private final int inCap;
  private final int outCap;
  private final Runnable flushTask = this::loopFlush;
  private final Runnable resumeTask = this::loopResume;
  private final Runnable closeTask = this::loopClose;
  private final Runnable abortTask = this::loopAbort;
  final UtpConnectionListener coreListener = new CoreEvents();

  // Guarded by this.
  private boolean appClosed;
  private boolean outputShutdown;
  private boolean peerEof;
  private boolean ended;
  private UtpError endError = UtpError.NONE;
  private boolean flushScheduled;
  private boolean resumeScheduled;
  private boolean inStalled;
  private boolean abortRequested;

  private volatile boolean blocking = true;
  private volatile long readTimeoutNanos;
  private volatile UtpChannelListener listener;

  // Event-loop thread only.
  boolean readDirty;
  boolean writeDirty;
  private boolean finQueued;
  private boolean closeQueued;
  CompletableFuture<UtpChannel> connecting;
  long connectDeadline;
  Duration connectTimeout;

  UtpChannel(
      UtpStackHandler owner,
      UtpConnection conn,
      ChunkPool small,
      ChunkPool large,
      int streamBufferBytes) {
    this.owner = owner;
    this.conn = conn;
    this.remote = conn.remoteAddress();
    this.outgoing = conn.isOutgoing();
    this.in = new ByteQueue(small, large);
    this.out = new ByteQueue(small, large);
    this.inCap = streamBufferBytes;
    this.outCap = streamBufferBytes;
  }

  /** The peer's address. */
  public InetSocketAddress remoteAddress() {
    return remote;
  }

  /** The local UDP endpoint's address. */
  public InetSocketAddress localAddress() {
    return owner.endpoint().localAddress();
  }

  /** True if we dialled (sent the SYN), false if accepted. */
  public boolean isOutgoing() {
    return outgoing;
  }

  /** Blocking (default) or non-blocking reads and writes. */
  public UtpChannel configureBlocking(boolean block) {
    this.blocking = block;
    return this;
  }

  public boolean isBlocking() {
    return blocking;
  }

  /**
   * How long a blocking {@link #read} waits for bytes before it throws {@link
   * SocketTimeoutException}; zero (the default) waits forever.
   */
  public UtpChannel setReadTimeout(Duration timeout) {
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("readTimeout must not be negative: " + timeout);
    }
    this.readTimeoutNanos = timeout.toNanos();
    return this;
  }

  /** Sets (or clears with null) the readiness callbacks, called on the event-loop thread. */
  public void setListener(UtpChannelListener listener) {
    this.listener = listener;
  }

  /** Bytes a read can return now without waiting. */
  public synchronized int available() {
    return in.size();
  }

  /** Bytes written but not yet handed to the µTP connection. */
  public synchronized int pendingOutput() {
    return out.size();
  }

  /**
   * Runs {@code query} against the underlying µTP connection on the event loop and returns its
   * answer (congestion window, RTT, {@link UtpConnection#stats()} counters...). The connection must
   * not be kept or changed by the query.
   */
  public <T> T inspect(Function<UtpConnection, T> query) throws IOException {
    return owner.endpoint().call(() -> query.apply(conn), Duration.ofSeconds(10));
  }

  @Override
  public synchronized boolean isOpen() {
    return !appClosed;
  }

  /** Whether the connection has ended (orderly or not); then {@link #error()} says how. */
  public synchronized boolean isEnded() {
    return ended;
  }

  /** Why the connection ended ({@link UtpError#NONE} while open or after an orderly close). */
  public synchronized UtpError error() {
    return endError;
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    boolean resume = false;
    int n;
    synchronized (this) {
      long timeout = readTimeoutNanos;
      long deadline = timeout == 0 ? 0 : System.nanoTime() + timeout;
      while (true) {
        if (appClosed) {
          throw new ClosedChannelException();
        }
        if (!in.isEmpty() || !dst.hasRemaining()) {
          break;
        }
        if (ended && endError != UtpError.NONE) {
          throw failure(endError);
        }
        if (peerEof || ended) {
          return -1;
        }
        if (!blocking) {
          return 0;
        }
        awaitUntil(deadline, "read");
      }
      n = in.readInto(dst);
      if (inStalled && !resumeScheduled && in.size() <= inCap / 2) {
        resumeScheduled = true;
        resume = true;
      }
    }
    if (resume) {
      submit(resumeTask);
    }
    return n;
  }

  @Override
  public int write(ByteBuffer src) throws IOException {
    int total = 0;
    boolean schedule = false;
    synchronized (this) {
      while (src.hasRemaining()) {
        if (appClosed || outputShutdown) {
          throw new ClosedChannelException();
        }
        if (ended) {
          throw endError == UtpError.NONE
              ? new IOException("µTP connection to " + remote + " is closed")
              : failure(endError);
        }
        int room = outCap - out.size();
        if (room > 0) {
          total += out.writeFrom(src, room);
          if (!flushScheduled) {
            flushScheduled = true;
            schedule = true;
          }
          continue;
        }
        if (!blocking) {
          break;
        }
        if (schedule) {
          schedule = false;
          submit(flushTask);
        }
        awaitUntil(0, "write");
      }
    }
    if (schedule) {
      submit(flushTask);
    }
    return total;
  }

  /**
   * Half close: sends a FIN after every byte written so far; reading goes on until the peer's FIN.
   */
  public void shutdownOutput() throws IOException {
    synchronized (this) {
      if (appClosed) {
        throw new ClosedChannelException();
      }
      if (outputShutdown) {
        return;
      }
      outputShutdown = true;
      notifyAll();
    }
    submit(flushTask);
  }

  /**
   * Orderly close: bytes already written are still delivered, then a FIN is sent; bytes not yet
   * read are discarded. Returns at once. Idempotent.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (appClosed) {
        return;
      }
      appClosed = true;
      in.clear();
      notifyAll();
    }
    trySubmit(closeTask);
  }

  /** Abortive close: sends ST_RESET to the peer and drops every buffered byte. Idempotent. */
  public void abort() {
    synchronized (this) {
      if (abortRequested) {
        return;
      }
      abortRequested = true;
      appClosed = true;
      in.clear();
      out.clear();
      notifyAll();
    }
    trySubmit(abortTask);
  }

  @Override
  public String toString() {
    return "UtpChannel[" + (outgoing ? "to " : "from ") + remote + "]";
  }

  // ---------------------------------------------------------------------------------------------
  // Event-loop side.

  /** Moves readable bytes from the connection into {@link #in}, up to its capacity. */
  void pumpIn(long now, boolean ignoreCap) {
    pumpIn(now, ignoreCap, null);
  }

  /**
   * Moves readable bytes into {@link #in}; with {@code finalError} non-null the connection has
   * ended and the channel is marked ended with that reason in the same critical section, so that a
   * woken reader never sees an intermediate reason.
   */
  private void pumpIn(long now, boolean ignoreCap, UtpError finalError) {
    boolean progress = false;
    synchronized (this) {
      if (appClosed) {
        // Keep the window open: read and discard what still arrives.
        ByteBuffer sink = owner.scratch();
        int n;
        do {
          n = conn.read(sink.clear(), now);
        } while (n > 0);
        if (finalError != null && !ended) {
          ended = true;
          endError = finalError;
        }
        return;
      }
      while (ignoreCap || in.size() < inCap) {
        ByteBuffer t = in.tail(conn.readableBytes());
        if (!ignoreCap) {
          t.limit(Math.min(t.limit(), t.position() + (inCap - in.size())));
        }
        int n = conn.read(t, now);
        if (n > 0) {
          in.produced(n);
          progress = true;
          continue;
        }
        in.produced(0);
        if (n < 0) {
          UtpError e = conn.error();
          if (e != UtpError.NONE) {
            ended = true;
            endError = e;
            progress = true;
          } else if (!peerEof) {
            peerEof = true;
            progress = true;
          }
        }
        break;
      }
      if (finalError != null) {
        ended = true;
        endError = finalError;
        out.clear();
        progress = true;
      }
      inStalled = in.size() >= inCap;
      resumeScheduled = false;
      if (progress) {
        notifyAll();
      }
    }
    if (progress && finalError == null) {
      UtpChannelListener l = listener;
      if (l != null) {
        l.onReadable(this);
      }
    }
  }

  /** Moves queued bytes from {@link #out} into the connection's send buffer; FIN when due. */
  void pumpOut(long now) {
    boolean progress = false;
    boolean wasFull;
    synchronized (this) {
      flushScheduled = false;
      wasFull = out.size() >= outCap;
      if (!ended) {
        ByteBuffer h;
        while ((h = out.head()) != null) {
          int n = conn.write(h, now);
          if (n <= 0) {
            if (n < 0) {
              out.clear();
            }
            break;
          }
          out.consumed(n);
          progress = true;
        }
        if (out.isEmpty()) {
          if (appClosed && !closeQueued) {
            closeQueued = true;
            finQueued = true;
            conn.close(now);
          } else if (outputShutdown && !finQueued) {
            finQueued = true;
            conn.shutdownOutput(now);
          }
        }
      } else {
        out.clear();
      }
      if (progress) {
        notifyAll();
      }
    }
    if (progress && wasFull) {
      UtpChannelListener l = listener;
      if (l != null) {
        l.onWritable(this);
      }
    }
  }

  /** The connection ended: keep what was readable, record why, wake everyone. */
  void markEnded(long now, UtpError why) {
    pumpIn(now, true, why);
    UtpChannelListener l = listener;
    if (l != null) {
      l.onReadable(this);
      l.onClosed(this);
    }
  }

  /** The endpoint or the µTP socket shut down underneath the channel. */
  void markShutDown() {
    synchronized (this) {
      if (!ended) {
        ended = true;
        endError = UtpError.STACK_CLOSED;
      }
      out.clear();
      notifyAll();
    }
  }

  UtpConnection connection() {
    return conn;
  }

  private void loopFlush() {
    pumpOut(owner.now());
  }

  private void loopResume() {
    pumpIn(owner.now(), false);
  }

  private void loopClose() {
    pumpOut(owner.now());
  }

  private void loopAbort() {
    conn.abort(owner.now());
  }

  IOException failure(UtpError e) {
    String who = remote.toString();
    return switch (e) {
      case REFUSED ->
          new ConnectException("connection refused by " + who + " (µTP SYN answered by RESET)");
      case TIMED_OUT ->
          new SocketTimeoutException(
              "µTP connection to " + who + " timed out: the peer stopped answering");
      case RESET_BY_PEER -> new IOException("µTP connection to " + who + " reset by peer");
      case ABORTED -> new IOException("µTP connection to " + who + " was aborted locally");
      case STACK_CLOSED ->
          new IOException(
              "µTP connection to " + who + " closed: the µTP socket or its UDP endpoint shut down");
      default -> new IOException("µTP connection to " + who + " failed: " + e.message());
    };
  }

  static String seconds(Duration d) {
    return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
  }

  // Every caller re-checks its condition in a loop around this call.
  @SuppressWarnings("WaitNotInLoop")
  private void awaitUntil(long deadline, String what) throws IOException {
    try {
      if (deadline == 0) {
        wait();
      } else {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new SocketTimeoutException(
              "µTP "
                  + what
                  + " from "
                  + remote
                  + " timed out after "
                  + seconds(Duration.ofNanos(readTimeoutNanos)));
        }
        wait(Math.max(1, left / 1_000_000), 0);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted during µTP " + what + " on " + remote);
    }
  }

  private void submit(Runnable task) throws IOException {
    try {
      owner.endpoint().execute(task);
    } catch (RejectedExecutionException e) {
      markShutDown();
      throw new IOException(
          "µTP connection to " + remote + " closed: the UDP endpoint shut down", e);
    }
  }

  private void trySubmit(Runnable task) {
    try {
      owner.endpoint().execute(task);
    } catch (RejectedExecutionException e) {
      markShutDown();
    }
  }

  /** The core's callbacks, on the event-loop thread; they only mark work for the end of burst. */
  private final class CoreEvents implements UtpConnectionListener {
    @Override
    public void onConnected(UtpConnection c) {
      owner.connected(UtpChannel.this);
    }

    @Override
    public void onReadable(UtpConnection c) {
      owner.markReadDirty(UtpChannel.this);
    }

    @Override
    public void onWritable(UtpConnection c) {
      owner.markWriteDirty(UtpChannel.this);
    }

    @Override
    public void onClosed(UtpConnection c) {
      owner.closed(UtpChannel.this);
    }
  }
}
