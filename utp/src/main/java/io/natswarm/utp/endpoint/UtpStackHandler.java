package io.natswarm.utp.endpoint;

import io.natswarm.utp.UtpConnection;
import io.natswarm.utp.UtpError;
import io.natswarm.utp.UtpStack;
import io.natswarm.utp.UtpTransmit;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Plugs a sans-IO {@link UtpStack} into the {@link UdpEndpoint}'s demultiplexer as the {@link
 * DatagramKind#UTP} handler and connects its connections to {@link UtpChannel}s.
 *
 * <p>Core callbacks arriving per packet (readable, writable) only mark a channel; the marked
 * channels are serviced once per read burst, when the socket is drained, so that a blocked reader
 * is woken once per burst and the window update the read causes goes out with the deferred ACKs.
 * Also keeps the connect deadlines of the stream API on the loop's clock.
 *
 * <p>Owned by the endpoint's event-loop thread; every method runs there.
 */
final class UtpStackHandler implements DatagramHandler {
  private final UdpEndpoint endpoint;
  private final UtpStack stack;
  private final ChunkPool small = new ChunkPool(1024, 4096);
  private final ChunkPool large = new ChunkPool(16 * 1024, 256);
  private final int streamBufferBytes;
  private final ArrayDeque<UtpChannel> readDirty = new ArrayDeque<>();
  private final ArrayDeque<UtpChannel> writeDirty = new ArrayDeque<>();
  private final PriorityQueue<UtpChannel> connectDeadlines =
      new PriorityQueue<>(Comparator.comparingLong((UtpChannel c) -> c.connectDeadline));
  private final Set<UtpChannel> channels = Collections.newSetFromMap(new IdentityHashMap<>());
  private final ByteBuffer scratch = ByteBuffer.allocate(65_536);
  private Consumer<UtpChannel> acceptSink;
  private UtpTransmit utpTx;
  private DatagramTransmit utpTxOwner;
  private long lastNow;
  private boolean shuttingDown;

  UtpStackHandler(UdpEndpoint endpoint, UtpStack stack, int streamBufferBytes) {
    this.endpoint = endpoint;
    this.stack = stack;
    this.streamBufferBytes = streamBufferBytes;
    stack.setAcceptListener(this::drainAccepted);
  }

  UdpEndpoint endpoint() {
    return endpoint;
  }

  UtpStack stack() {
    return stack;
  }

  /** The loop's clock for work that application threads handed over. */
  long now() {
    long n = System.nanoTime();
    lastNow = n;
    return n;
  }

  ByteBuffer scratch() {
    return scratch;
  }

  int channelCount() {
    return channels.size();
  }

  // --- DatagramHandler ---------------------------------------------------------------------

  @Override
  public boolean handleDatagram(ByteBuffer packet, InetSocketAddress from, long nowNanos) {
    lastNow = nowNanos;
    return stack.handleDatagram(packet, from, nowNanos);
  }

  @Override
  public void handleReceiveDrained(long nowNanos) {
    serviceDirty(nowNanos);
  }

  @Override
  public boolean pollTransmit(DatagramTransmit out, long nowNanos) {
    serviceDirty(nowNanos);
    ByteBuffer b = out.buffer();
    if (utpTxOwner != out) {
      utpTxOwner = out;
      utpTx = new UtpTransmit(b);
    }
    if (!stack.pollTransmit(utpTx, nowNanos)) {
      return false;
    }
    // UtpTransmit leaves the datagram flipped [position, limit); DatagramTransmit wants [0,
    // position).
    int len = b.limit();
    b.limit(b.capacity()).position(len);
    out.setDestination(utpTx.destination());
    return true;
  }

  @Override
  public long pollTimeout() {
    if (!readDirty.isEmpty() || !writeDirty.isEmpty()) {
      return lastNow;
    }
    long t = stack.pollTimeout();
    UtpChannel c = connectDeadlines.peek();
    if (c != null && (t == Long.MAX_VALUE || c.connectDeadline - t < 0)) {
      t = c.connectDeadline;
    }
    return t;
  }

  @Override
  public void handleTimeout(long nowNanos) {
    lastNow = nowNanos;
    UtpChannel c;
    while ((c = connectDeadlines.peek()) != null && c.connectDeadline - nowNanos <= 0) {
      connectDeadlines.poll();
      if (c.connecting != null) {
        c.connecting.completeExceptionally(
            new SocketTimeoutException(
                "µTP connect to "
                    + c.remoteAddress()
                    + " timed out after "
                    + UtpChannel.seconds(c.connectTimeout)
                    + " (no answer to the SYN)"));
        c.connecting = null;
        c.connection().abort(nowNanos);
      }
    }
    stack.handleTimeout(nowNanos);
    serviceDirty(nowNanos);
  }

  // --- unclaimed datagrams: RESET unknown µTP connections, as libtorrent does -----------------

  /** The demultiplexer's fallback: answers stray µTP packets with ST_RESET. */
  final DatagramHandler resetUnknown =
      new DatagramHandler() {
        @Override
        public boolean handleDatagram(ByteBuffer packet, InetSocketAddress from, long nowNanos) {
          return DatagramKind.UTP.matches(packet) && stack.resetUnknown(packet, from, nowNanos);
        }

        @Override
        public boolean pollTransmit(DatagramTransmit out, long nowNanos) {
          return false;
        }

        @Override
        public long pollTimeout() {
          return Long.MAX_VALUE;
        }

        @Override
        public void handleTimeout(long nowNanos) {}
      };

  // --- stream API, on the loop ---------------------------------------------------------------

  UtpChannel open(UtpConnection conn) {
    UtpChannel ch = new UtpChannel(this, conn, small, large, streamBufferBytes);
    conn.attach(ch);
    conn.setListener(ch.coreListener);
    channels.add(ch);
    return ch;
  }

  void startConnect(UtpChannel ch, long deadline) {
    ch.connectDeadline = deadline;
    connectDeadlines.add(ch);
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

  void connected(UtpChannel ch) {
    if (ch.connecting != null) {
      connectDeadlines.remove(ch);
      ch.connecting.complete(ch);
      ch.connecting = null;
    }
  }

  void markReadDirty(UtpChannel ch) {
    if (!ch.readDirty) {
      ch.readDirty = true;
      readDirty.add(ch);
    }
  }

  void markWriteDirty(UtpChannel ch) {
    if (!ch.writeDirty) {
      ch.writeDirty = true;
      writeDirty.add(ch);
    }
  }

  void closed(UtpChannel ch) {
    if (ch.connecting != null) {
      connectDeadlines.remove(ch);
      ch.connecting.completeExceptionally(ch.failure(ch.connection().error()));
      ch.connecting = null;
    }
    channels.remove(ch);
    ch.markEnded(lastNow, shuttingDown ? UtpError.STACK_CLOSED : ch.connection().error());
  }

  private void serviceDirty(long now) {
    UtpChannel ch;
    while ((ch = writeDirty.poll()) != null) {
      ch.writeDirty = false;
      ch.pumpOut(now);
    }
    while ((ch = readDirty.poll()) != null) {
      ch.readDirty = false;
      ch.pumpIn(now, false);
    }
  }

  /** The endpoint or this socket is going away: abort everything, fail waiting threads. */
  void shutdown(long now) {
    shuttingDown = true;
    stack.setListening(false);
    acceptSink = null;
    stack.closeAll(now);
    for (UtpChannel ch : channels.toArray(new UtpChannel[0])) {
      if (ch.connecting != null) {
        ch.connecting.completeExceptionally(ch.failure(UtpError.STACK_CLOSED));
        ch.connecting = null;
      }
      ch.markShutDown();
    }
    channels.clear();
    connectDeadlines.clear();
  }
}
