package io.natswarm.utp.stream;

import io.natswarm.utp.UtpConnection;
import io.natswarm.utp.UtpConnectionListener;
import io.natswarm.utp.UtpError;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
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
 * Application calls wake the loop through {@link io.natswarm.datagram.UdpEndpoint#execute} only
 * when a queue changes from idle to busy, and the loop wakes blocked application threads once per
 * read burst.
 *
 * <p>{@link #close()} is orderly: bytes already written are still delivered, then a FIN is sent.
 * {@link #abort()} sends ST_RESET and drops everything. Errors surface as {@link IOException}s that
 * say what happened: {@link java.net.ConnectException} (refused), {@link SocketTimeoutException}
 * (timed out), or "reset by peer" (see {@link StreamErrors}).
 */
public final class UtpChannel implements ByteChannel {
  /** What the loop has asked of the connection so far (event-loop thread only). */
  private enum Requested {
    NOTHING,
    SHUTDOWN_OUTPUT,
    CLOSE
  }

  private final StreamLayer owner;
  private final UtpConnection conn; // event-loop thread only
  private final InetSocketAddress remote;
  private final boolean outgoing;
  private final ByteQueue in;
  private final ByteQueue out;
  private final int inCap;
  private final int outCap;
  private final Runnable flushTask = this::loopFlush;
  private final Runnable resumeTask = this::loopResume;
  private final Runnable abortTask = this::loopAbort;
  private final UtpConnectionListener coreListener = new CoreEvents();

  // Guarded by this.
  private ChannelState state = ChannelState.OPEN;
  private UtpError endError; // null until the connection ended
  private boolean flushScheduled;
  private boolean resumeScheduled;
  private boolean inStalled;

  private volatile boolean blocking = true;
  private volatile long readTimeoutNanos;
  private volatile UtpChannelListener listener;

  // Event-loop thread only.
  private boolean readQueued;
  private boolean writeQueued;
  private Requested requested = Requested.NOTHING;
  private PendingConnect connecting;

  UtpChannel(
      StreamLayer owner, UtpConnection conn, ChunkPool small, ChunkPool large, int bufferBytes) {
    this.owner = owner;
    this.conn = conn;
    this.remote = conn.remoteAddress();
    this.outgoing = conn.isOutgoing();
    this.in = new ByteQueue(small, large);
    this.out = new ByteQueue(small, large);
    this.inCap = bufferBytes;
    this.outCap = bufferBytes;
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
    return !state.appClosed();
  }

  /** Whether the connection has ended (orderly or not); then {@link #error()} says how. */
  public synchronized boolean isEnded() {
    return endError != null;
  }

  /** Why the connection ended ({@link UtpError#NONE} while open or after an orderly close). */
  public synchronized UtpError error() {
    return endError == null ? UtpError.NONE : endError;
  }

  /** The application side's state (for tests and diagnostics). */
  synchronized ChannelState state() {
    return state;
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    boolean resume = false;
    int n;
    synchronized (this) {
      long timeout = readTimeoutNanos;
      long deadline = timeout == 0 ? 0 : clockNanos() + timeout;
      while (true) {
        if (state.appClosed()) {
          throw new ClosedChannelException();
        }
        if (!in.isEmpty() || !dst.hasRemaining()) {
          break;
        }
        if (state == ChannelState.ENDED && endError != UtpError.NONE) {
          throw StreamErrors.failure(remote, endError);
        }
        if (state == ChannelState.ENDED || state.inputEnded()) {
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
        if (state.appClosed() || state.outputShut()) {
          throw new ClosedChannelException();
        }
        if (state == ChannelState.ENDED) {
          throw endError == UtpError.NONE
              ? new IOException("µTP connection to " + remote + " is closed")
              : StreamErrors.failure(remote, endError);
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
      if (state.appClosed()) {
        throw new ClosedChannelException();
      }
      if (state.outputShut() || state == ChannelState.ENDED) {
        return;
      }
      move(state == ChannelState.INPUT_ENDED ? ChannelState.BOTH_SHUT : ChannelState.OUTPUT_SHUT);
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
      if (state.appClosed()) {
        return;
      }
      move(ChannelState.CLOSED);
      in.clear();
      notifyAll();
    }
    trySubmit(flushTask);
  }

  /** Abortive close: sends ST_RESET to the peer and drops every buffered byte. Idempotent. */
  public void abort() {
    synchronized (this) {
      if (state == ChannelState.ABORTED) {
        return;
      }
      move(ChannelState.ABORTED);
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

  /** Under the monitor: the one place the application-side state changes. */
  private void move(ChannelState next) {
    if (!state.canMoveTo(next)) {
      throw new IllegalStateException(
          "µTP channel to " + remote + ": illegal move " + state + " -> " + next);
    }
    state = next;
  }

  /** Under the monitor: the connection ended with {@code why} (a later reason replaces one). */
  private void ended(UtpError why) {
    endError = why;
    if (!state.appClosed() && state != ChannelState.ENDED) {
      move(ChannelState.ENDED);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Event-loop side.

  UtpConnectionListener coreListener() {
    return coreListener;
  }

  UtpConnection connection() {
    return conn;
  }

  /** Marks the channel as queued for reading; false if it already was. */
  boolean enterReadQueue() {
    if (readQueued) {
      return false;
    }
    readQueued = true;
    return true;
  }

  void leftReadQueue() {
    readQueued = false;
  }

  /** Marks the channel as queued for writing; false if it already was. */
  boolean enterWriteQueue() {
    if (writeQueued) {
      return false;
    }
    writeQueued = true;
    return true;
  }

  void leftWriteQueue() {
    writeQueued = false;
  }

  /** This channel's connection was dialled: {@code f} completes when the handshake does. */
  void startConnect(CompletableFuture<UtpChannel> f, Duration timeout, long nowNanos) {
    connecting = new PendingConnect(f, remote, timeout, nowNanos);
  }

  /** The connection closed with {@code why}: a pending connect fails with that reason. */
  void connectFailed(UtpError why, long nowNanos) {
    PendingConnect p = connecting;
    if (p != null) {
      connecting = null;
      p.failed(why, nowNanos);
    }
  }

  /** Moves readable bytes from the connection into {@link #in}, up to its capacity. */
  void pumpIn(long now) {
    pumpIn(now, false, null);
  }

  /**
   * Moves readable bytes into {@link #in}; with {@code finalError} non-null the connection has
   * ended and the channel is marked ended with that reason in the same critical section, so that a
   * woken reader never sees an intermediate reason.
   */
  private void pumpIn(long now, boolean ignoreCap, UtpError finalError) {
    boolean progress = false;
    synchronized (this) {
      if (state.appClosed()) {
        // Keep the window open: read and discard what still arrives.
        ByteBuffer sink = owner.scratch();
        int n;
        do {
          n = conn.read(sink.clear(), now);
        } while (n > 0);
        if (finalError != null && endError == null) {
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
            ended(e);
            progress = true;
          } else if (state == ChannelState.OPEN || state == ChannelState.OUTPUT_SHUT) {
            move(state == ChannelState.OPEN ? ChannelState.INPUT_ENDED : ChannelState.BOTH_SHUT);
            progress = true;
          }
        }
        break;
      }
      if (finalError != null) {
        ended(finalError);
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
      if (endError == null) {
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
          if (state == ChannelState.CLOSED && requested != Requested.CLOSE) {
            requested = Requested.CLOSE;
            conn.close(now);
          } else if (state.outputShut() && requested == Requested.NOTHING) {
            requested = Requested.SHUTDOWN_OUTPUT;
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
      if (endError == null) {
        ended(UtpError.STACK_CLOSED);
      }
      out.clear();
      notifyAll();
    }
  }

  private void loopFlush() {
    pumpOut(owner.now());
  }

  private void loopResume() {
    pumpIn(owner.now(), false, null);
  }

  private void loopAbort() {
    conn.abort(owner.now());
  }

  private long clockNanos() {
    return owner.endpoint().clock().nanoTime();
  }

  // Every caller re-checks its condition in a loop around this call.
  @SuppressWarnings("WaitNotInLoop")
  private void awaitUntil(long deadline, String what) throws IOException {
    try {
      if (deadline == 0) {
        wait();
      } else {
        long left = deadline - clockNanos();
        if (left <= 0) {
          throw new SocketTimeoutException(
              "µTP "
                  + what
                  + " from "
                  + remote
                  + " timed out after "
                  + StreamErrors.seconds(Duration.ofNanos(readTimeoutNanos)));
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
      PendingConnect p = connecting;
      if (p != null) {
        connecting = null;
        p.succeeded(UtpChannel.this);
      }
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
