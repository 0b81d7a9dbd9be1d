package io.natswarm.node.bt;

import bt.metainfo.TorrentId;
import bt.net.Peer;
import bt.net.PeerConnection;
import bt.protocol.Message;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Bt's {@link PeerConnection} over a {@link StreamChannelHandler}. Unlike Bt's {@code
 * SocketPeerConnection}, which polls for a message in 100 ms steps during the BitTorrent handshake,
 * {@link #readMessage} waits on a signal that the I/O loop raises whenever bytes were decoded.
 *
 * <p>The remote peer of an outgoing connection is a fresh {@code InetPeer} without a port: Bt's
 * {@code ExtendedHandshakeConsumer} sets the port the peer advertises (BEP 10 {@code p}) and {@code
 * InetPeer.setPort} throws if a different port was set before, which is common behind NATs and for
 * µTP peers (DESIGN.md, Bt traps). Bt keys connections by address, {@link #getRemotePort} and
 * torrent, never by the peer's port.
 */
final class StreamPeerConnection implements PeerConnection {
  private final Peer peer;
  private final int remotePort;
  private final StreamChannelHandler handler;
  private final AtomicReference<TorrentId> torrentId = new AtomicReference<>();
  private final Object signal = new Object();
  private long signals; // guarded by signal
  private volatile long lastActive;
  private volatile Runnable onMessages = () -> {};

  StreamPeerConnection(Peer peer, int remotePort, StreamChannelHandler handler) {
    this.peer = peer;
    this.remotePort = remotePort;
    this.handler = handler;
    handler.onInbound(this::messagesArrived);
  }

  /** Also run (on the I/O loop) when messages arrived: the dispatcher's wake-up. */
  void onMessages(Runnable r) {
    this.onMessages = r;
  }

  PeerStream stream() {
    return handler.stream();
  }

  private void messagesArrived() {
    synchronized (signal) {
      signals++;
      signal.notifyAll();
    }
    onMessages.run();
  }

  @Override
  public Peer getRemotePeer() {
    return peer;
  }

  @Override
  public int getRemotePort() {
    return remotePort;
  }

  @Override
  public TorrentId setTorrentId(TorrentId id) {
    return torrentId.getAndSet(id);
  }

  @Override
  public TorrentId getTorrentId() {
    return torrentId.get();
  }

  @Override
  public Message readMessageNow() {
    Message m = handler.receive();
    if (m != null) {
      lastActive = System.currentTimeMillis();
    }
    return m;
  }

  @Override
  public Message readMessage(long timeoutMillis) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    while (true) {
      long seen;
      synchronized (signal) {
        seen = signals;
      }
      Message m = readMessageNow();
      if (m != null || handler.isClosed()) {
        return m;
      }
      synchronized (signal) {
        while (signals == seen) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            return null;
          }
          try {
            signal.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
          }
        }
      }
    }
  }

  @Override
  public void postMessage(Message message) {
    lastActive = System.currentTimeMillis();
    handler.send(message);
  }

  @Override
  public long getLastActive() {
    return lastActive;
  }

  @Override
  public void closeQuietly() {
    handler.close();
  }

  @Override
  public void close() {
    handler.close();
  }

  @Override
  public boolean isClosed() {
    return handler.isClosed();
  }

  @Override
  public String toString() {
    return "PeerConnection[" + handler.stream() + ", torrent " + torrentId.get() + "]";
  }
}
