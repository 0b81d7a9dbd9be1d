package io.natswarm.datagram;

import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One UDP socket shared by every datagram protocol of a node, and the event-loop thread that owns
 * it (docs/ARCHITECTURE.md, "One socket, one loop").
 *
 * <p>The endpoint hosts one {@link Demultiplexer}, into which the composition root registers the
 * node's {@link DatagramCore}s. The loop, on its own named thread: runs tasks handed over with
 * {@link #execute}; reads the socket until it is empty (into one reused direct buffer), offering
 * each datagram to the demultiplexer; tells it that the socket is drained (flush deferred ACKs);
 * fires due timeouts; drains its transmits (control before bulk) into the socket; then sleeps in
 * {@link Selector#select(long)} until the earliest deadline, a datagram, or a wake-up. Time comes
 * from the injected {@link NanoClock}. Nothing on this path allocates per datagram.
 *
 * <p>The JDK (17) cannot set the don't-fragment bit per datagram, so {@link
 * Transmit#dontFragment()} is counted, not applied: a path-MTU probe that the kernel fragments
 * simply succeeds.
 *
 * <p>Thread-safety: the public methods may be called from any thread unless they say otherwise;
 * everything they change is changed on the loop thread.
 */
public final class UdpEndpoint implements Closeable {
  /** 4 MiB, the usual kernel cap: smaller buffers drop datagrams on loopback (LAB.md). */
  public static final int DEFAULT_SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;

  private static final int MAX_READS_PER_ROUND = 1024;

  /** {@code ::}, which gives a dual-stack socket ({@code new InetSocketAddress(port)} is IPv4). */
  private static final InetAddress IPV6_WILDCARD = ipv6Wildcard();

  private static InetAddress ipv6Wildcard() {
    try {
      return InetAddress.getByAddress(new byte[16]);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  private enum State {
    RUNNING,
    CLOSING,
    CLOSED
  }

  private final DatagramChannel channel;
  private final Selector selector;
  private final SelectionKey key;
  private final Thread thread;
  private final InetSocketAddress localAddress;
  private final Demultiplexer demux = new Demultiplexer();
  private final NanoClock clock;
  private final EndpointTracer tracer;
  private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final List<Runnable> closeHooks = new ArrayList<>();
  private final Set<String> claims = ConcurrentHashMap.newKeySet();
  private final ByteBuffer rx = ByteBuffer.allocateDirect(Transmit.CAPACITY + 1);
  private final Transmit tx = Transmit.direct();
  private final int receiveBufferBytes;
  private final int sendBufferBytes;
  private volatile State state = State.RUNNING;
  private volatile EndpointStats lastStats;

  // Counters, written by the loop thread only.
  private long datagramsReceived;
  private long bytesReceived;
  private long datagramsSent;
  private long bytesSent;
  private long sendBlocked;
  private long sendErrors;
  private long receiveErrors;
  private long taskErrors;
  private long dontFragmentRequests;
  private long loopIterations;
  private int largestDatagramSent;
  private boolean txPending;
  private boolean writeInterest;

  private UdpEndpoint(Builder b) throws IOException {
    boolean v4 = b.bindAddress.getAddress() instanceof Inet4Address;
    DatagramChannel ch =
        v4 ? DatagramChannel.open(StandardProtocolFamily.INET) : DatagramChannel.open();
    Selector sel = null;
    try {
      ch.setOption(StandardSocketOptions.SO_RCVBUF, b.receiveBufferBytes);
      ch.setOption(StandardSocketOptions.SO_SNDBUF, b.sendBufferBytes);
      ch.bind(b.bindAddress);
      ch.configureBlocking(false);
      sel = Selector.open();
      this.key = ch.register(sel, SelectionKey.OP_READ);
    } catch (IOException | RuntimeException e) {
      ch.close();
      if (sel != null) {
        sel.close();
      }
      throw e;
    }
    this.channel = ch;
    this.selector = sel;
    this.localAddress = (InetSocketAddress) ch.getLocalAddress();
    this.clock = b.clock;
    this.tracer = b.tracer;
    demux.setTracer(b.tracer);
    this.receiveBufferBytes = ch.getOption(StandardSocketOptions.SO_RCVBUF);
    this.sendBufferBytes = ch.getOption(StandardSocketOptions.SO_SNDBUF);
    String name = b.threadName != null ? b.threadName : "natswarm-udp-" + localAddress.getPort();
    this.thread = new Thread(this::run, name);
    thread.setDaemon(b.daemon);
    this.lastStats = snapshot();
  }

  /** A builder for an endpoint; call {@link Builder#open()} to bind and start the loop. */
  public static Builder builder() {
    return new Builder();
  }

  /** Binds a dual-stack endpoint on an ephemeral port of every interface. */
  public static UdpEndpoint open() throws IOException {
    return builder().open();
  }

  /** Settings of a {@link UdpEndpoint}. */
  public static final class Builder {
    private InetSocketAddress bindAddress = new InetSocketAddress(IPV6_WILDCARD, 0);
    private int receiveBufferBytes = DEFAULT_SOCKET_BUFFER_BYTES;
    private int sendBufferBytes = DEFAULT_SOCKET_BUFFER_BYTES;
    private String threadName;
    private boolean daemon = true;
    private NanoClock clock = NanoClock.SYSTEM;
    private EndpointTracer tracer = EndpointTracer.NOOP;

    private Builder() {}

    /** The clock the loop reads and hands to the cores (default {@link NanoClock#SYSTEM}). */
    public Builder clock(NanoClock clock) {
      if (clock == null) {
        throw new IllegalArgumentException("clock must not be null");
      }
      this.clock = clock;
      return this;
    }

    /** Hears of core failures, unclaimed datagrams and send errors (default: none). */
    public Builder tracer(EndpointTracer tracer) {
      if (tracer == null) {
        throw new IllegalArgumentException("tracer must not be null (use EndpointTracer.NOOP)");
      }
      this.tracer = tracer;
      return this;
    }

    /** Binds the dual-stack wildcard {@code ::} on {@code port} (0: ephemeral). */
    public Builder port(int port) {
      return bind(new InetSocketAddress(IPV6_WILDCARD, port));
    }

    /**
     * Address and port to bind; port 0 picks an ephemeral port. The wildcard of IPv6 ({@code ::},
     * the default) gives a dual-stack socket; an IPv4 address gives an IPv4-only socket.
     */
    public Builder bind(InetSocketAddress address) {
      if (address == null || address.isUnresolved()) {
        throw new IllegalArgumentException("bind: need a resolved address, got " + address);
      }
      this.bindAddress = address;
      return this;
    }

    /** SO_RCVBUF in bytes (the kernel may cap it at net.core.rmem_max). */
    public Builder receiveBufferBytes(int bytes) {
      if (bytes < 65_536) {
        throw new IllegalArgumentException("receiveBufferBytes must be >= 65536, got " + bytes);
      }
      this.receiveBufferBytes = bytes;
      return this;
    }

    /** SO_SNDBUF in bytes (the kernel may cap it at net.core.wmem_max). */
    public Builder sendBufferBytes(int bytes) {
      if (bytes < 65_536) {
        throw new IllegalArgumentException("sendBufferBytes must be >= 65536, got " + bytes);
      }
      this.sendBufferBytes = bytes;
      return this;
    }

    /** The event-loop thread's name; default {@code natswarm-udp-<port>}. */
    public Builder threadName(String name) {
      this.threadName = name;
      return this;
    }

    /** Whether the loop thread is a daemon thread (default true). */
    public Builder daemon(boolean daemon) {
      this.daemon = daemon;
      return this;
    }

    /** Binds the socket and starts the event loop. */
    public UdpEndpoint open() throws IOException {
      UdpEndpoint e = new UdpEndpoint(this);
      e.thread.start();
      return e;
    }
  }

  /** The bound address and port. */
  public InetSocketAddress localAddress() {
    return localAddress;
  }

  /** The port the socket is bound to. */
  public int port() {
    return localAddress.getPort();
  }

  /** Whether the caller runs on this endpoint's event-loop thread. */
  public boolean inEventLoop() {
    return Thread.currentThread() == thread;
  }

  /**
   * Runs {@code task} on the event-loop thread, soon, and wakes the loop.
   *
   * @throws RejectedExecutionException when the endpoint is closed
   */
  public void execute(Runnable task) {
    if (state != State.RUNNING) {
      throw new RejectedExecutionException("UDP endpoint " + localAddress + " is closed");
    }
    tasks.add(task);
    selector.wakeup();
  }

  /** Runs {@code task} on the loop thread and waits for its result. */
  public <T> T call(Callable<T> task, Duration timeout) throws IOException {
    if (inEventLoop()) {
      try {
        return task.call();
      } catch (IOException | RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IOException(e);
      }
    }
    CompletableFuture<T> f = new CompletableFuture<>();
    execute(
        () -> {
          try {
            f.complete(task.call());
          } catch (Exception | Error e) {
            f.completeExceptionally(e);
          }
        });
    try {
      return f.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted waiting for the UDP event loop");
    } catch (TimeoutException e) {
      throw new IOException("UDP event loop did not answer within " + timeout.toMillis() + " ms");
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof IOException io) {
        throw io;
      }
      if (c instanceof RuntimeException re) {
        throw re;
      }
      throw new IOException(c);
    }
  }

  /**
   * Registers a protocol core for datagrams of {@code kind}; from now on the loop polls its
   * transmits and timeouts. May be called from any thread.
   */
  public void register(DatagramKind kind, DatagramCore core) {
    if (inEventLoop()) {
      demux.register(kind, core);
    } else {
      execute(() -> demux.register(kind, core));
    }
  }

  /** Unregisters a protocol core. May be called from any thread. */
  public void unregister(DatagramCore core) {
    if (inEventLoop()) {
      demux.unregister(core);
    } else {
      execute(() -> demux.unregister(core));
    }
  }

  /** The hosted demultiplexer; loop thread only (use {@link #call} from elsewhere). */
  public Demultiplexer demultiplexer() {
    return demux;
  }

  /** The loop's clock. */
  public NanoClock clock() {
    return clock;
  }

  /**
   * Reserves a role on this endpoint (for example "utp": one µTP stack per socket); false if it is
   * already taken. Any thread.
   */
  public boolean claim(String role) {
    return claims.add(role);
  }

  /** Gives a role reserved with {@link #claim} back. Any thread. */
  public void release(String role) {
    claims.remove(role);
  }

  /**
   * Adds an action the loop runs (on its thread) when it stops; remove it with {@link
   * #removeCloseHook} when what it closes goes away first. Loop thread only.
   */
  public void addCloseHook(Runnable hook) {
    closeHooks.add(hook);
  }

  /** Removes a hook added with {@link #addCloseHook}. Loop thread only. */
  public void removeCloseHook(Runnable hook) {
    closeHooks.remove(hook);
  }

  /** A snapshot of the counters (taken on the loop; the last one once the loop has stopped). */
  public EndpointStats stats() {
    if (state == State.CLOSED || inEventLoop()) {
      return inEventLoop() ? snapshot() : lastStats;
    }
    try {
      return call(this::snapshot, Duration.ofSeconds(5));
    } catch (RejectedExecutionException | IOException e) {
      return lastStats;
    }
  }

  private EndpointStats snapshot() {
    return new EndpointStats(
        datagramsReceived,
        bytesReceived,
        datagramsSent,
        bytesSent,
        demux.consumed(DatagramKind.UTP),
        demux.consumed(DatagramKind.KRPC),
        demux.consumed(DatagramKind.STUN),
        demux.consumed(DatagramKind.HOLEPUNCH_PROBE),
        demux.unclaimed(),
        demux.transmitted(SendClass.CONTROL),
        demux.transmitted(SendClass.BULK),
        dontFragmentRequests,
        sendBlocked,
        sendErrors,
        receiveErrors,
        demux.coreFailures() + taskErrors,
        loopIterations,
        receiveBufferBytes,
        sendBufferBytes,
        largestDatagramSent);
  }

  /** Stops the loop, closes the socket and waits (up to 5 s) for the loop thread to end. */
  @Override
  public void close() {
    if (state == State.RUNNING) {
      state = State.CLOSING;
      selector.wakeup();
    }
    if (!inEventLoop()) {
      try {
        thread.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Whether {@link #close()} has been called or the loop has died. */
  public boolean isClosed() {
    return state != State.RUNNING;
  }

  private void run() {
    try {
      while (state == State.RUNNING) {
        loopIterations++;
        try {
          iterate();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
          taskFailed(e);
        }
      }
    } finally {
      state = State.CLOSING;
      runTasks();
      for (Runnable hook : closeHooks) {
        try {
          hook.run();
        } catch (RuntimeException e) {
          taskFailed(e);
        }
      }
      lastStats = snapshot();
      state = State.CLOSED;
      try {
        selector.close();
        channel.close();
      } catch (IOException ignored) {
        // nothing useful to do while shutting down
      }
      Runnable t;
      while ((t = tasks.poll()) != null) {
        try {
          t.run();
        } catch (RuntimeException e) {
          taskFailed(e);
        }
      }
    }
  }

  private void iterate() throws IOException {
    runTasks();
    int reads = receiveBurst();
    long now = clock.nanoTime();
    if (reads > 0) {
      demux.handleReceiveDrained(now);
    }
    demux.handleTimeout(now);
    flushTransmits(now);
    if (state != State.RUNNING) {
      return;
    }
    if (reads == MAX_READS_PER_ROUND || !tasks.isEmpty()) {
      selector.selectNow();
    } else {
      long deadline = demux.pollTimeout();
      if (deadline == Deadlines.NONE) {
        selector.select();
      } else {
        long waitNanos = Deadlines.remaining(deadline, clock.nanoTime());
        if (waitNanos <= 0) {
          selector.selectNow();
        } else {
          selector.select(Math.max(1, (waitNanos + 999_999) / 1_000_000));
        }
      }
    }
    selector.selectedKeys().clear();
  }

  private void runTasks() {
    Runnable t;
    while ((t = tasks.poll()) != null) {
      try {
        t.run();
      } catch (RuntimeException e) {
        taskFailed(e);
      }
    }
  }

  /** A task, a close hook or the loop itself threw: a bug, counted and traced; the loop goes on. */
  private void taskFailed(RuntimeException e) {
    taskErrors++;
    tracer.coreFailed(EndpointTracer.Phase.TASK, null, null, e);
  }

  private int receiveBurst() {
    int n = 0;
    while (n < MAX_READS_PER_ROUND) {
      rx.clear();
      SocketAddress from;
      try {
        from = channel.receive(rx);
      } catch (IOException e) {
        receiveErrors++;
        break;
      }
      if (from == null) {
        break;
      }
      n++;
      rx.flip();
      datagramsReceived++;
      bytesReceived += rx.remaining();
      demux.dispatch(rx, (InetSocketAddress) from, clock.nanoTime());
    }
    return n;
  }

  /** Sends what the handlers have; stops early (and waits for OP_WRITE) when the kernel is full. */
  private void flushTransmits(long now) throws IOException {
    if (txPending && !sendCurrent()) {
      return;
    }
    while (demux.pollTransmit(tx, now)) {
      if (tx.dontFragment()) {
        dontFragmentRequests++;
      }
      tx.buffer().flip();
      if (!sendCurrent()) {
        return;
      }
    }
  }

  /** Sends {@link #tx}; returns false (and arms OP_WRITE) if the kernel had no room. */
  private boolean sendCurrent() throws IOException {
    ByteBuffer b = tx.buffer();
    InetSocketAddress to = tx.destination();
    if (to == null) {
      sendErrors++;
      txPending = false;
      return true;
    }
    int len = b.remaining();
    int sent;
    try {
      sent = channel.send(b, to);
    } catch (IOException | RuntimeException e) {
      if (!channel.isOpen()) {
        throw e instanceof IOException io ? io : new IOException(e);
      }
      // EPERM from a local firewall, an unreachable network...: the datagram is lost, the
      // connection is not dead (LAB.md: a drop on the output hook).
      sendErrors++;
      tracer.sendFailed(to, len, e);
      txPending = false;
      return true;
    }
    if (sent == 0 && len > 0) {
      sendBlocked++;
      txPending = true;
      if (!writeInterest) {
        key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
        writeInterest = true;
      }
      return false;
    }
    txPending = false;
    if (writeInterest) {
      key.interestOps(SelectionKey.OP_READ);
      writeInterest = false;
    }
    datagramsSent++;
    bytesSent += len;
    if (len > largestDatagramSent) {
      largestDatagramSent = len;
    }
    return true;
  }
}
