package io.natswarm.utp.stream;

import io.natswarm.datagram.DatagramKind;
import io.natswarm.datagram.UdpEndpoint;
import io.natswarm.utp.UtpConnection;
import io.natswarm.utp.UtpSettings;
import io.natswarm.utp.UtpStack;
import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * µTP (BEP 29) on a {@link UdpEndpoint}: dials connections and, through {@link #listen()}, accepts
 * them, handing each out as a {@link UtpChannel}. One per endpoint (it claims the endpoint's "utp"
 * role); it registers its {@link UtpStack} as the endpoint's {@link DatagramKind#UTP} core, so µTP
 * is tried first for every datagram, and lets the stack answer stray µTP packets with ST_RESET.
 *
 * <pre>{@code
 * UdpEndpoint udp = UdpEndpoint.builder().bind(new InetSocketAddress(6881)).open();
 * UtpSocket utp = UtpSocket.open(udp, UtpSettings.defaults());
 * UtpChannel ch = utp.connect(new InetSocketAddress("127.0.0.1", 6882), Duration.ofSeconds(5));
 * UtpServerSocket server = utp.listen();
 * UtpChannel peer = server.accept(Duration.ofSeconds(30));
 * }</pre>
 *
 * <p>Thread-safe: every method may be called from any thread; the stack itself lives on the
 * endpoint's event-loop thread.
 */
public final class UtpSocket implements Closeable {
  /** Default per-direction hand-over buffer of each channel (on top of the core's buffers). */
  public static final int DEFAULT_STREAM_BUFFER_BYTES = 256 * 1024;

  private static final Duration LOOP_CALL_TIMEOUT = Duration.ofSeconds(10);

  /** The endpoint role µTP claims: one stack per socket. */
  static final String ROLE = "utp";

  private final UdpEndpoint endpoint;
  private final StreamLayer layer;
  private final UtpSettings settings;
  private final Runnable closeHook;
  private volatile UtpServerSocket server;
  private volatile boolean closed;

  private UtpSocket(UdpEndpoint endpoint, StreamLayer layer, UtpSettings settings) {
    this.endpoint = endpoint;
    this.layer = layer;
    this.settings = settings;
    this.closeHook = () -> layer.shutdown(layer.now());
  }

  /** µTP with default settings on {@code endpoint}. */
  public static UtpSocket open(UdpEndpoint endpoint) throws IOException {
    return open(endpoint, UtpSettings.defaults());
  }

  /** µTP with {@code settings} on {@code endpoint}. */
  public static UtpSocket open(UdpEndpoint endpoint, UtpSettings settings) throws IOException {
    return open(endpoint, settings, DEFAULT_STREAM_BUFFER_BYTES);
  }

  /**
   * µTP with {@code settings} on {@code endpoint}; each channel buffers at most {@code
   * streamBufferBytes} per direction between application threads and the loop (memory is taken from
   * a shared pool only while bytes are in flight).
   *
   * @throws IllegalStateException if the endpoint already carries µTP
   */
  public static UtpSocket open(UdpEndpoint endpoint, UtpSettings settings, int streamBufferBytes)
      throws IOException {
    if (streamBufferBytes < 4096) {
      throw new IllegalArgumentException("streamBufferBytes must be >= 4096: " + streamBufferBytes);
    }
    return attach(endpoint, new UtpStack(settings, new SecureRandom()), streamBufferBytes, true);
  }

  /**
   * The stream API over a {@link UtpStack} that the node's composition root already registered on
   * {@code endpoint} (as the {@link DatagramKind#UTP} core and the unclaimed handler). Closing the
   * returned socket unregisters the stack.
   *
   * @throws IllegalStateException if the endpoint already carries a µTP stream API
   */
  public static UtpSocket over(UdpEndpoint endpoint, UtpStack stack, int streamBufferBytes)
      throws IOException {
    if (streamBufferBytes < 4096) {
      throw new IllegalArgumentException("streamBufferBytes must be >= 4096: " + streamBufferBytes);
    }
    return attach(endpoint, stack, streamBufferBytes, false);
  }

  private static UtpSocket attach(
      UdpEndpoint endpoint, UtpStack stack, int streamBufferBytes, boolean register)
      throws IOException {
    if (!endpoint.claim(ROLE)) {
      throw new IllegalStateException(
          "UDP endpoint " + endpoint.localAddress() + " already has µTP");
    }
    StreamLayer layer = new StreamLayer(endpoint, stack, streamBufferBytes);
    UtpSocket s = new UtpSocket(endpoint, layer, stack.settings());
    try {
      endpoint.call(
          () -> {
            if (register) {
              endpoint.register(DatagramKind.UTP, stack);
              endpoint.demultiplexer().setUnclaimedHandler(stack::resetUnknown);
            }
            endpoint.addCloseHook(s.closeHook);
            return null;
          },
          LOOP_CALL_TIMEOUT);
    } catch (IOException | RuntimeException e) {
      endpoint.release(ROLE);
      throw e;
    }
    return s;
  }

  public UdpEndpoint endpoint() {
    return endpoint;
  }

  public UtpSettings settings() {
    return settings;
  }

  /**
   * Dials {@code remote} and waits until the handshake completes.
   *
   * @throws java.net.ConnectException if the peer refused (answered the SYN with ST_RESET)
   * @throws SocketTimeoutException if no answer came within {@code timeout}
   */
  public UtpChannel connect(InetSocketAddress remote, Duration timeout) throws IOException {
    return connect(remote, timeout, c -> {});
  }

  /**
   * Like {@link #connect(InetSocketAddress, Duration)}, handing the connection to {@code created}
   * on the endpoint's thread as soon as it exists, before its SYN is sent (to mark it for an egress
   * filter, say).
   */
  public UtpChannel connect(
      InetSocketAddress remote, Duration timeout, Consumer<UtpConnection> created)
      throws IOException {
    CompletableFuture<UtpChannel> f = connectAsync(remote, timeout, created);
    try {
      // The loop enforces the deadline; the extra second only guards against a stuck loop.
      return f.get(timeout.toNanos() + TimeUnit.SECONDS.toNanos(1), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      var unused = f.thenAccept(UtpChannel::abort);
      throw new InterruptedIOException("interrupted during µTP connect to " + remote);
    } catch (TimeoutException e) {
      var unused = f.thenAccept(UtpChannel::abort);
      throw new SocketTimeoutException(
          "µTP connect to " + remote + " timed out after " + StreamErrors.seconds(timeout));
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof IOException io) {
        io.addSuppressed(new IOException("while connecting from " + endpoint.localAddress()));
        throw io;
      }
      throw new IOException("µTP connect to " + remote + " failed", c);
    }
  }

  /**
   * Dials {@code remote}; the future completes with the channel once the handshake completes, or
   * exceptionally with the {@link IOException} {@link #connect} would throw.
   */
  public CompletableFuture<UtpChannel> connectAsync(InetSocketAddress remote, Duration timeout) {
    return connectAsync(remote, timeout, c -> {});
  }

  private CompletableFuture<UtpChannel> connectAsync(
      InetSocketAddress remote, Duration timeout, Consumer<UtpConnection> created) {
    CompletableFuture<UtpChannel> f = new CompletableFuture<>();
    if (remote.isUnresolved()) {
      f.completeExceptionally(new IOException("µTP connect: unresolved address " + remote));
      return f;
    }
    if (timeout.isNegative() || timeout.isZero()) {
      f.completeExceptionally(new IllegalArgumentException("connect timeout must be positive"));
      return f;
    }
    try {
      endpoint.execute(
          () -> {
            long now = layer.now();
            UtpConnection conn;
            try {
              conn = layer.stack().connect(remote, now, timeout.toNanos());
            } catch (IllegalStateException e) {
              f.completeExceptionally(
                  new IOException("µTP connect to " + remote + ": " + e.getMessage(), e));
              return;
            }
            created.accept(conn);
            UtpChannel ch = layer.open(conn);
            ch.startConnect(f, timeout, now);
          });
    } catch (RejectedExecutionException e) {
      f.completeExceptionally(
          new IOException("µTP connect to " + remote + ": the UDP endpoint is closed", e));
    }
    return f;
  }

  /**
   * Starts accepting incoming µTP connections (until the returned server socket is closed); without
   * it incoming SYNs are answered with ST_RESET. Returns the same server socket if already
   * listening.
   */
  public synchronized UtpServerSocket listen() throws IOException {
    if (closed) {
      throw new IOException("µTP socket on " + endpoint.localAddress() + " is closed");
    }
    UtpServerSocket s = server;
    if (s == null || !s.isOpen()) {
      UtpServerSocket created = new UtpServerSocket(this, settings.acceptBacklog());
      endpoint.call(
          () -> {
            layer.setAcceptSink(created::offer);
            return null;
          },
          LOOP_CALL_TIMEOUT);
      server = created;
      s = created;
    }
    return s;
  }

  void stopListening(UtpServerSocket s) {
    // Waits for the loop: a SYN read after close() returns must be refused, not accepted.
    try {
      endpoint.call(
          () -> {
            if (server == s) {
              layer.setAcceptSink(null);
            }
            return null;
          },
          LOOP_CALL_TIMEOUT);
    } catch (IOException | RejectedExecutionException e) {
      // endpoint closed: nothing listens any more anyway
    }
  }

  /** Runs {@code query} on the event loop against the µTP stack (counters, connection count). */
  public <T> T inspect(Function<UtpStack, T> query) throws IOException {
    return endpoint.call(() -> query.apply(layer.stack()), LOOP_CALL_TIMEOUT);
  }

  /** Channels currently open (connecting, open or closing). */
  public int channelCount() throws IOException {
    return endpoint.call(layer::channelCount, LOOP_CALL_TIMEOUT);
  }

  /**
   * Aborts every connection (ST_RESET to each peer), stops listening and takes µTP off the
   * endpoint, which stays open for its other protocols (a new {@link UtpSocket} may be opened on
   * it).
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    try {
      endpoint.call(
          () -> {
            layer.shutdown(layer.now());
            endpoint.removeCloseHook(closeHook);
            endpoint.demultiplexer().setUnclaimedHandler(null);
            endpoint.unregister(layer.stack());
            return null;
          },
          LOOP_CALL_TIMEOUT);
    } catch (IOException | RejectedExecutionException e) {
      // the endpoint is gone, and with it every connection
    } finally {
      endpoint.release(ROLE);
    }
  }
}
