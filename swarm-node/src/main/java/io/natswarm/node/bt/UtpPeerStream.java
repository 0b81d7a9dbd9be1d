package io.natswarm.node.bt;

import io.natswarm.utp.stream.UtpChannel;
import io.natswarm.utp.stream.UtpChannelListener;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.time.Duration;

/**
 * A peer stream over a µTP connection (BEP 29) of the node's one UDP socket. The handshake uses the
 * {@link UtpChannel} in its blocking mode with a read timeout; the session uses it non-blocking,
 * and its listener (called on the UDP event loop, where Bt must never be called: Bt's event bus
 * fires listeners synchronously under its monitor) only hands readiness over to the {@link
 * PeerIoLoop}.
 */
final class UtpPeerStream extends PeerStream {
  private final UtpChannel channel;

  UtpPeerStream(UtpChannel channel) {
    this.channel = channel;
  }

  @Override
  Transport transport() {
    return Transport.UTP;
  }

  @Override
  InetSocketAddress remoteAddress() {
    return channel.remoteAddress();
  }

  @Override
  boolean outgoing() {
    return channel.isOutgoing();
  }

  @Override
  ByteChannel blockingView(Duration readTimeout) {
    channel.configureBlocking(true);
    channel.setReadTimeout(readTimeout);
    return channel;
  }

  @Override
  void startNonBlocking(PeerIoLoop loop, Readiness sink) {
    channel.setReadTimeout(Duration.ZERO);
    channel.configureBlocking(false);
    Runnable readable = sink::onReadable;
    Runnable writable = sink::onWritable;
    channel.setListener(
        new UtpChannelListener() {
          @Override
          public void onReadable(UtpChannel c) {
            loop.execute(readable);
          }

          @Override
          public void onWritable(UtpChannel c) {
            loop.execute(writable);
          }

          @Override
          public void onClosed(UtpChannel c) {
            loop.execute(readable);
          }
        });
    // Bytes that arrived between the handshake and the listener: report them now.
    loop.execute(readable);
  }

  @Override
  void wantWrite() {
    // The channel reports onWritable by itself once its send buffer drains after a short write.
  }

  @Override
  void pauseReading() {
    // The channel stops taking bytes from the connection when its own buffer is full, so the µTP
    // receive window closes; nothing to do here.
  }

  @Override
  void resumeReading() {}

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
  public void close() {
    channel.close();
  }

  /** This connection's retransmits and delays now (for the status server), or null if it closed. */
  io.natswarm.node.status.UtpPathView path() {
    try {
      return channel.inspect(
          c ->
              new io.natswarm.node.status.UtpPathView(
                  c.stats().retransmits(),
                  c.stats().timeouts(),
                  c.rttMicros(),
                  c.queuingDelayMicros()));
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  @Override
  public String toString() {
    return "µTP " + (outgoing() ? "to " : "from ") + remoteAddress();
  }
}
