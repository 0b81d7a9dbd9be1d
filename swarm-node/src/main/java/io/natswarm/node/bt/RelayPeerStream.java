package io.natswarm.node.bt;

import io.natswarm.holepunch.relay.RelayCipher;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayDeque;

/**
 * A peer stream carried by a relay peer: one end of an {@code ns_relay} circuit ({@link
 * RelayService}), end-to-end encrypted by a {@link RelayCipher}. What we write is sealed into
 * frames of at most {@link RelayCipher#MAX_PLAINTEXT} bytes, sent as DATA messages on our
 * BitTorrent connection with the relay, within the credit the other end granted (WINDOW messages);
 * DATA from the other end is opened here and read from a queue whose bytes are granted back as they
 * are read. A frame that fails authentication ends the stream: the relay, or someone on its path,
 * altered, dropped or replayed it.
 *
 * <p>Threads: {@link #deliver}, {@link #credit} and {@link #remoteClosed} are called by {@link
 * RelayService} on Bt's message-dispatch thread; reads and writes on the connection's threads; all
 * state is guarded by this object's monitor, and readiness goes to the {@link PeerIoLoop} like a
 * µTP stream's.
 */
final class RelayPeerStream extends PeerStream {
  /** Sends a sealed DATA frame, a WINDOW grant or a CLOSE for this circuit (never blocks). */
  interface Circuit {
    void sendData(byte[] frame);

    void grant(int credit);

    void close();
  }

  private final RelayCipher cipher;
  private final InetSocketAddress remote;
  private final boolean outgoing;
  private final int window;

  /** Bytes a writer may leave waiting for credit, past which writes are short. */
  static final int MAX_PENDING = 4 << 20;

  private final ArrayDeque<ByteBuffer> inbound = new ArrayDeque<>();
  private final ArrayDeque<Integer> frameLengths = new ArrayDeque<>();
  private final ArrayDeque<ByteBuffer> pending = new ArrayDeque<>(); // written, not yet sealed
  private int pendingBytes;
  private final ByteBuffer sealed =
      ByteBuffer.allocate(RelayCipher.MAX_PLAINTEXT + RelayCipher.TAG);
  private Circuit circuit;
  private long credit; // bytes of frames we may still send
  private int inboundBytes; // frame bytes received and not yet read
  private int toGrant; // frame bytes read and not yet granted back
  private boolean closed; // we closed it
  private boolean ended; // the other end, the relay or the cipher ended it
  private String endReason = "";
  private boolean writeBlocked;
  private boolean paused;
  private PeerIoLoop loop;
  private Readiness sink;

  RelayPeerStream(RelayCipher cipher, InetSocketAddress remote, boolean outgoing, int window) {
    this.cipher = cipher;
    this.remote = remote;
    this.outgoing = outgoing;
    this.window = window;
    this.credit = window;
  }

  /** The circuit this stream sends on; set once, before the stream is used. */
  synchronized void attach(Circuit c) {
    this.circuit = c;
  }

  @Override
  Transport transport() {
    return Transport.RELAY;
  }

  @Override
  InetSocketAddress remoteAddress() {
    return remote;
  }

  @Override
  boolean outgoing() {
    return outgoing;
  }

  /**
   * A DATA frame from the other end: opened into the read queue. Returns false when the stream must
   * end: the frame failed authentication or overran the credit we granted.
   */
  synchronized boolean deliver(ByteBuffer frame) {
    if (closed || ended) {
      return true; // moot
    }
    int length = frame.remaining();
    if (inboundBytes + length > window) {
      end("the other end sent more than its credit");
      return false;
    }
    ByteBuffer plain = ByteBuffer.allocate(Math.max(0, length - RelayCipher.TAG));
    RelayCipher.OpenResult r = cipher.open(frame, plain);
    if (!r.ok()) {
      end("a relayed frame failed authentication (" + r + ")");
      return false;
    }
    plain.flip();
    inbound.add(plain);
    inboundBytes += length;
    // the grant for this frame is its sealed length, given back once all of it was read
    frameLengths.add(length);
    readable();
    return true;
  }

  /** The other end granted {@code bytes} more of credit: bytes waiting for it are sent. */
  synchronized void credit(int bytes) {
    credit += bytes;
    sendPending();
    notifyAll();
    if (writeBlocked && loop != null) {
      writeBlocked = false;
      Readiness s = sink;
      loop.execute(s::onWritable);
    }
  }

  /** The circuit ended from the other side (CLOSE, REFUSE, the relay's connection closed). */
  synchronized void remoteClosed(String reason) {
    end(reason);
  }

  private void end(String reason) {
    if (!ended) {
      ended = true;
      endReason = reason;
    }
    notifyAll();
    readable();
    if (loop != null) {
      Readiness s = sink;
      loop.execute(s::onWritable);
    }
  }

  /** Why the stream ended, or empty while it is open. */
  synchronized String endReason() {
    return endReason;
  }

  private void readable() {
    notifyAll();
    if (loop != null && !paused) {
      Readiness s = sink;
      loop.execute(s::onReadable);
    }
  }

  @Override
  public synchronized int read(ByteBuffer dst) throws IOException {
    if (closed) {
      throw new ClosedChannelException();
    }
    int n = 0;
    while (dst.hasRemaining() && !inbound.isEmpty()) {
      ByteBuffer head = inbound.peek();
      int k = Math.min(head.remaining(), dst.remaining());
      int limit = head.limit();
      head.limit(head.position() + k);
      dst.put(head);
      head.limit(limit);
      n += k;
      if (!head.hasRemaining()) {
        inbound.poll();
        int frame = frameLengths.poll();
        inboundBytes -= frame;
        toGrant += frame;
      }
    }
    if (toGrant > 0 && (toGrant >= window / 4 || inbound.isEmpty()) && !ended) {
      int g = toGrant;
      toGrant = 0;
      circuit.grant(g);
    }
    if (n == 0 && ended) {
      if (endReason.startsWith("a relayed frame failed") || endReason.contains("credit")) {
        throw new IOException(endReason);
      }
      return -1;
    }
    return n;
  }

  /**
   * Seals what fits in the credit and sends it; the rest, up to {@link #MAX_PENDING} bytes, waits
   * here for the next WINDOW. Taking bytes past the credit matters: Bt's dispatch thread writes
   * (through the connection's handler) and also delivers the WINDOW that frees the credit, so a
   * write that left bytes in the handler would block that thread until the handler's send timeout.
   */
  @Override
  public synchronized int write(ByteBuffer src) throws IOException {
    if (closed) {
      throw new ClosedChannelException();
    }
    if (ended) {
      throw new IOException("relayed stream ended: " + endReason);
    }
    int n = 0;
    if (pending.isEmpty()) {
      n += sealWithinCredit(src);
    }
    int room = MAX_PENDING - pendingBytes;
    if (src.hasRemaining() && room > 0) {
      int k = Math.min(room, src.remaining());
      ByteBuffer copy = ByteBuffer.allocate(k);
      int limit = src.limit();
      src.limit(src.position() + k);
      copy.put(src).flip();
      src.limit(limit);
      pending.add(copy);
      pendingBytes += k;
      n += k;
    }
    if (src.hasRemaining()) {
      writeBlocked = true;
    }
    return n;
  }

  /** Seals and sends bytes of {@code src} while the credit lasts; returns the bytes taken. */
  private int sealWithinCredit(ByteBuffer src) {
    int n = 0;
    while (src.hasRemaining()) {
      int frame = Math.min(src.remaining(), RelayCipher.MAX_PLAINTEXT) + RelayCipher.TAG;
      if (credit < frame) {
        break;
      }
      int before = src.remaining();
      sealed.clear();
      int length = cipher.seal(src, sealed);
      n += before - src.remaining();
      credit -= length;
      sealed.flip();
      byte[] bytes = new byte[sealed.remaining()];
      sealed.get(bytes);
      circuit.sendData(bytes);
    }
    return n;
  }

  /** Sends waiting bytes, oldest first, while the credit lasts. */
  private void sendPending() {
    while (!pending.isEmpty() && !ended) {
      ByteBuffer head = pending.peek();
      int before = head.remaining();
      sealWithinCredit(head);
      pendingBytes -= before - head.remaining();
      if (head.hasRemaining()) {
        return;
      }
      pending.poll();
    }
  }

  /** Bytes written and waiting for credit (for tests). */
  synchronized int pendingBytes() {
    return pendingBytes;
  }

  @Override
  public synchronized boolean isOpen() {
    return !closed;
  }

  @Override
  public void close() {
    Circuit c;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      notifyAll();
      c = ended ? null : circuit;
      ended = true;
      if (endReason.isEmpty()) {
        endReason = "closed";
      }
    }
    if (c != null) {
      c.close();
    }
  }

  @Override
  ByteChannel blockingView(Duration readTimeout) {
    long timeoutNanos = readTimeout.toNanos();
    return new ByteChannel() {
      @Override
      public int read(ByteBuffer dst) throws IOException {
        synchronized (RelayPeerStream.this) {
          long deadline = System.nanoTime() + timeoutNanos;
          while (inbound.isEmpty() && !ended && !closed) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
              throw new SocketTimeoutException("no relayed bytes for " + readTimeout);
            }
            waitNanos(left);
          }
          return RelayPeerStream.this.read(dst);
        }
      }

      @Override
      public int write(ByteBuffer src) throws IOException {
        synchronized (RelayPeerStream.this) {
          int total = 0;
          long deadline = System.nanoTime() + timeoutNanos;
          while (src.hasRemaining()) {
            total += RelayPeerStream.this.write(src);
            if (src.hasRemaining()) {
              long left = deadline - System.nanoTime();
              if (left <= 0) {
                throw new SocketTimeoutException("no relay credit for " + readTimeout);
              }
              waitNanos(left);
            }
          }
          return total;
        }
      }

      @Override
      public boolean isOpen() {
        return RelayPeerStream.this.isOpen();
      }

      @Override
      public void close() {
        RelayPeerStream.this.close();
      }
    };
  }

  @SuppressWarnings("WaitNotInLoop") // both callers wait in a loop on their condition
  private void waitNanos(long nanos) throws IOException {
    try {
      long ms = Math.max(1, nanos / 1_000_000);
      wait(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted");
    }
  }

  @Override
  synchronized void startNonBlocking(PeerIoLoop loop, Readiness sink) {
    this.sink = sink;
    this.loop = loop;
    loop.execute(sink::onReadable); // bytes that arrived during the handshake
  }

  @Override
  void wantWrite() {
    // credit() reports writable once a WINDOW grant arrives after a short write
  }

  @Override
  synchronized void pauseReading() {
    paused = true;
  }

  @Override
  synchronized void resumeReading() {
    paused = false;
    if (!inbound.isEmpty() || ended) {
      readable();
    }
  }

  @Override
  public String toString() {
    return "relayed " + (outgoing ? "to " : "from ") + remote;
  }
}
