package io.natswarm.utp.stream;

import io.natswarm.datagram.UdpEndpoint;
import io.natswarm.utp.UtpConnection;
import io.natswarm.utp.UtpError;
import io.natswarm.utp.UtpStack;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Connects a {@link UtpStack}'s connections to {@link UtpChannel}s, on the endpoint's event loop.
 * The stack itself is the endpoint's {@code DatagramKind.UTP} core; this layer only hooks in as its
 * {@link UtpStack.ServiceListener}.
 *
 * <p>Core callbacks arriving per packet (readable, writable) only mark a channel; the marked
 * channels are serviced once per read burst, when the stack tells the layer that the socket is
 * drained, so that a blocked reader is woken once per burst and the window update the read causes
 * goes out with the deferred ACKs. Connect deadlines live in the core ({@link
 * UtpStack#connect(java.net.InetSocketAddress, long, long)}); a connect that does not complete ends
 * in the connection's close callback, which fails the connect future.
 *
 * <p>Owned by the endpoint's event-loop thread; every method runs there.
 */
final class StreamLayer implements UtpStack.ServiceListener {
  private final UdpEndpoint endpoint;
  private final UtpStack stack;
  private final ChunkPool small = new ChunkPool(1024, 4096);
  private final ChunkPool large = new ChunkPool(16 * 1024, 256);
  private final int streamBufferBytes;
  private final ArrayDeque<UtpChannel> readDirty = new ArrayDeque<>();
  private final ArrayDeque<UtpChannel> writeDirty = new ArrayDeque<>();
  private final Set<UtpChannel> channels = Collections.newSetFromMap(new IdentityHashMap<>());
  private final ByteBuffer scratch = ByteBuffer.allocate(65_536);
  private Consumer<UtpChannel> acceptSink;
  private boolean shuttingDown;

  StreamLayer(UdpEndpoint endpoint, UtpStack stack, int streamBufferBytes) {
    this.endpoint = endpoint;
    this.stack = stack;
    this.streamBufferBytes = streamBufferBytes;
    stack.setAcceptListener(this::drainAccepted);
    stack.setServiceListener(this);
  }

  UdpEndpoint endpoint() {
    return endpoint;
  }

  UtpStack stack() {
    return stack;
  }

  /** The loop's clock, for work that application threads handed over. */
  long now() {
    return endpoint.clock().nanoTime();
  }

  /** A buffer for bytes read only to be discarded (after the application closed). */
  ByteBuffer scratch() {
    return scratch;
  }

  int channelCount() {
    return channels.size();
  }

  // --- UtpStack.ServiceListener --------------------------------------------------------------

  @Override
  public void service(long nowNanos) {
    UtpChannel ch;
    while ((ch = writeDirty.poll()) != null) {
      ch.leftWriteQueue();
      ch.pumpOut(nowNanos);
    }
    while ((ch = readDirty.poll()) != null) {
      ch.leftReadQueue();
      ch.pumpIn(nowNanos);
    }
  }

  @Override
  public boolean hasPendingWork() {
    return !readDirty.isEmpty() || !writeDirty.isEmpty();
  }

  // --- stream API, on the loop ---------------------------------------------------------------

  /** Wraps a connection of the stack in a channel and starts listening to its callbacks. */
  UtpChannel open(UtpConnection conn) {
    UtpChannel ch = new UtpChannel(this, conn, small, large, streamBufferBytes);
    conn.attach(ch);
    conn.setListener(ch.coreListener());
    channels.add(ch);
    if (conn.isReadable()) {
      markReadDirty(ch); // bytes that arrived before the channel listened
    }
    return ch;
  }

  void setAcceptSink(Consumer<UtpChannel> sink) {
    this.acceptSink = sink;
    stack.setListening(sink != null);
    if (sink != null) {
      drainAccepted();
    }
  }

  private void drainAccepted() {
    UtpConnection conn;
    while (acceptSink != null && (conn = stack.pollAccepted()) != null) {
      acceptSink.accept(open(conn));
    }
  }

  void markReadDirty(UtpChannel ch) {
    if (ch.enterReadQueue()) {
      readDirty.add(ch);
    }
  }

  void markWriteDirty(UtpChannel ch) {
    if (ch.enterWriteQueue()) {
      writeDirty.add(ch);
    }
  }

  /** The channel's connection reached CLOSED: fail a pending connect, keep what was readable. */
  void closed(UtpChannel ch) {
    channels.remove(ch);
    UtpError why = shuttingDown ? UtpError.STACK_CLOSED : ch.connection().error();
    long now = now();
    ch.connectFailed(why, now);
    ch.markEnded(now, why);
  }

  /** The endpoint or this socket is going away: abort everything, fail waiting threads. */
  void shutdown(long now) {
    shuttingDown = true;
    stack.setListening(false);
    acceptSink = null;
    stack.closeAll(now);
    for (UtpChannel ch : channels.toArray(new UtpChannel[0])) {
      ch.connectFailed(UtpError.STACK_CLOSED, now);
      ch.markShutDown();
    }
    channels.clear();
    readDirty.clear();
    writeDirty.clear();
  }
}
