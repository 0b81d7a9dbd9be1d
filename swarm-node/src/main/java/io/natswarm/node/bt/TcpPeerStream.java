package io.natswarm.node.bt;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.time.Duration;

/**
 * A peer stream over a TCP connection. The handshake uses the socket in blocking mode, reading
 * through its socket adaptor so that a read times out; the session registers the channel with the
 * {@link PeerIoLoop}'s selector. Interest in reading is dropped while the reader's buffer is full
 * (the selector is level-triggered: it would otherwise report the same bytes again and again) and
 * interest in writing is set only after a short write.
 */
final class TcpPeerStream extends PeerStream {
  private final SocketChannel channel;
  private final InetSocketAddress remote;
  private final boolean outgoing;
  private volatile PeerIoLoop loop;
  private volatile SelectionKey key; // written on the loop

  TcpPeerStream(SocketChannel channel, InetSocketAddress remote, boolean outgoing) {
    this.channel = channel;
    this.remote = remote;
    this.outgoing = outgoing;
  }

  @Override
  Transport transport() {
    return Transport.TCP;
  }

  /** The socket channel (to re-wrap it with another role before the stream is used). */
  SocketChannel channel() {
    return channel;
  }

  @Override
  InetSocketAddress remoteAddress() {
    return remote;
  }

  @Override
  boolean outgoing() {
    return outgoing;
  }

  @Override
  ByteChannel blockingView(Duration readTimeout) throws IOException {
    channel.configureBlocking(true);
    channel.socket().setSoTimeout((int) Math.max(1, readTimeout.toMillis()));
    InputStream in = channel.socket().getInputStream();
    return new ByteChannel() {
      @Override
      public int read(ByteBuffer dst) throws IOException {
        if (dst.hasArray()) {
          int n = in.read(dst.array(), dst.arrayOffset() + dst.position(), dst.remaining());
          if (n > 0) {
            dst.position(dst.position() + n);
          }
          return n;
        }
        byte[] b = new byte[Math.min(dst.remaining(), 64 * 1024)];
        int n = in.read(b);
        if (n > 0) {
          dst.put(b, 0, n);
        }
        return n;
      }

      @Override
      public int write(ByteBuffer src) throws IOException {
        int total = 0;
        while (src.hasRemaining()) {
          total += channel.write(src);
        }
        return total;
      }

      @Override
      public boolean isOpen() {
        return channel.isOpen();
      }

      @Override
      public void close() throws IOException {
        channel.close();
      }
    };
  }

  @Override
  void startNonBlocking(PeerIoLoop loop, Readiness sink) throws IOException {
    channel.socket().setSoTimeout(0);
    channel.configureBlocking(false);
    this.loop = loop;
    loop.execute(
        () -> {
          try {
            key =
                loop.register(
                    channel,
                    SelectionKey.OP_READ,
                    ready -> {
                      if ((ready & SelectionKey.OP_WRITE) != 0) {
                        interest(SelectionKey.OP_WRITE, false);
                        sink.onWritable();
                      }
                      if ((ready & SelectionKey.OP_READ) != 0) {
                        sink.onReadable();
                      }
                    });
          } catch (IOException e) {
            // closed before it was registered: the reader sees it on its next read
          }
          sink.onReadable();
        });
  }

  /** On the loop: sets or clears {@code op} in the key's interest set. */
  private void interest(int op, boolean on) {
    SelectionKey k = key;
    if (k == null || !k.isValid()) {
      return;
    }
    int ops = k.interestOps();
    k.interestOps(on ? ops | op : ops & ~op);
  }

  @Override
  void wantWrite() {
    PeerIoLoop l = loop;
    if (l != null) {
      l.execute(() -> interest(SelectionKey.OP_WRITE, true));
    }
  }

  @Override
  void pauseReading() {
    PeerIoLoop l = loop;
    if (l != null) {
      l.execute(() -> interest(SelectionKey.OP_READ, false));
    }
  }

  @Override
  void resumeReading() {
    PeerIoLoop l = loop;
    if (l != null) {
      l.execute(() -> interest(SelectionKey.OP_READ, true));
    }
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    return channel.read(dst);
  }

  @Override
  public int write(ByteBuffer src) throws IOException {
    return channel.write(src);
  }

  @Override
  public boolean isOpen() {
    return channel.isOpen();
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }

  @Override
  public String toString() {
    return "TCP " + (outgoing ? "to " : "from ") + remote;
  }
}
