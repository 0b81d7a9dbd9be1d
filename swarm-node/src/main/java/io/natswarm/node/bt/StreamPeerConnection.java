package io.natswarm.node.bt;

import bt.bencoding.types.BEString;
import bt.metainfo.TorrentId;
import bt.net.IPeerConnectionPool;
import bt.net.Peer;
import bt.net.PeerConnection;
import bt.protocol.Handshake;
import bt.protocol.Message;
import bt.protocol.Piece;
import bt.protocol.extended.ExtendedHandshake;
import bt.torrent.messaging.MessageContext;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
  /**
   * The connection a BEP 10 message of {@code context} came on, when it is one of ours and its
   * torrent is known; else null (Bt not running yet, or no torrent yet).
   */
  static StreamPeerConnection of(IPeerConnectionPool pool, MessageContext context) {
    if (pool == null || context.getTorrentId() == null) {
      return null;
    }
    return pool.getConnection(context.getConnectionKey()) instanceof StreamPeerConnection s
        ? s
        : null;
  }

  private final Peer peer;
  private final int remotePort;
  private final StreamChannelHandler handler;
  private final AtomicReference<TorrentId> torrentId = new AtomicReference<>();
  private final Object signal = new Object();
  private long signals; // guarded by signal
  private volatile long lastActive;
  private volatile Runnable onMessages = () -> {};
  private final AtomicLong payloadIn = new AtomicLong(); // block bytes of piece messages
  private final AtomicLong payloadOut = new AtomicLong();
  private volatile byte[] peerId; // from the BitTorrent handshake
  private volatile String client = ""; // BEP 10 "v", else the peer id's printable prefix
  private volatile String path = "direct"; // how the connection was made

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

  /** How the connection was made: "direct", or "holepunch" after a BEP 55 rendezvous. */
  String path() {
    return path;
  }

  void path(String how) {
    this.path = how;
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
      if (m instanceof Piece p) {
        payloadIn.addAndGet(p.getLength());
      } else if (m instanceof ExtendedHandshake h) {
        String v = clientVersion(h);
        if (!v.isEmpty()) {
          client = v;
        }
      } else if (m instanceof Handshake h) {
        peerId = h.getPeerId().getBytes();
        if (client.isEmpty()) {
          client = printable(h.getPeerId().getBytes(), 8);
        }
      }
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
    if (message instanceof Piece p) {
      payloadOut.addAndGet(p.getLength());
    } else if (message instanceof ExtendedHandshake h) {
      message = HandshakeAddresses.withYourIp(h, stream().remoteAddress());
    }
    if (handler.isClosed()) {
      // Bt's dispatcher may still hold messages for a connection we closed (an IPv6 upgrade, a
      // ban): they are moot, and Bt would log the refusal as an error with a stack trace.
      return;
    }
    handler.send(message);
  }

  /** The peer id of its BitTorrent handshake, or null before the handshake arrived. */
  byte[] peerId() {
    byte[] id = peerId;
    return id == null ? null : id.clone();
  }

  /** Block bytes this connection received in piece messages (for the status page). */
  long payloadReceived() {
    return payloadIn.get();
  }

  /** Block bytes this connection sent in piece messages (for the status page). */
  long payloadSent() {
    return payloadOut.get();
  }

  /**
   * The peer's software as it names itself: the BEP 10 handshake's {@code v}, else the printable
   * start of its BEP 20 peer id (such as {@code -LT2080-}); empty before either arrived.
   */
  String client() {
    return client;
  }

  private static String clientVersion(ExtendedHandshake h) {
    Object v = h.getData().get(ExtendedHandshake.VERSION_PROPERTY);
    if (!(v instanceof BEString s)) {
      return "";
    }
    String text = new String(s.getValue(), StandardCharsets.UTF_8); // "µTorrent 3.5" is UTF-8
    StringBuilder out = new StringBuilder();
    text.codePoints()
        .filter(c -> c >= 0x20 && c != 0x7f && c != 0xfffd)
        .limit(64)
        .forEach(out::appendCodePoint);
    return out.toString();
  }

  /** Up to {@code max} leading bytes of {@code b} that are printable ASCII, as text. */
  private static String printable(byte[] b, int max) {
    int n = 0;
    while (n < b.length && n < max && b[n] >= 0x20 && b[n] < 0x7f) {
      n++;
    }
    return new String(b, 0, n, StandardCharsets.US_ASCII);
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
