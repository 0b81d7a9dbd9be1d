package io.natswarm.node.bt;

import io.natswarm.datagram.UdpEndpoint;
import io.natswarm.holepunch.reach.Transport;
import io.natswarm.node.PeerTransports;
import io.natswarm.node.net.NodeSocket;
import io.natswarm.node.net.NodeSocketSettings;
import io.natswarm.utp.stream.UtpChannel;
import io.natswarm.utp.stream.UtpServerSocket;
import io.natswarm.utp.stream.UtpSocket;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's peer transports on one port number: the UDP socket composed by {@link NodeSocket}
 * (µTP, and the DHT when configured) and a TCP listener bound to the same port with SO_REUSEADDR
 * and SO_REUSEPORT. Outgoing TCP connections are dialled from that same port too, so an
 * endpoint-independent NAT keeps one mapping for the node (issue 9, "Transport").
 *
 * <p>{@link #dial} tries µTP first, then TCP ({@link PeerTransports}). Established incoming streams
 * of both transports queue in {@link #accepted()}, which {@link StreamAcceptor} hands to Bt;
 * hole-punched streams will enter there too.
 *
 * <p>Threads: the µTP accept callback runs on the UDP event loop and only queues the stream; the
 * TCP listener is served by the {@link PeerIoLoop}; {@link #dial} blocks its caller (one of Bt's
 * connection workers).
 */
final class NodeTransport implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NodeTransport.class);
  private static final int ACCEPT_BACKLOG = 128;
  private static final Duration TCP_CONNECT_TIMEOUT = Duration.ofSeconds(5);

  private final UdpEndpoint udp;
  private final NodeSocket socket;
  private final UtpSocket utp;
  private final UtpServerSocket utpServer;
  private final ServerSocketChannel tcp;
  private final PeerIoLoop loop;
  private final InetSocketAddress listenAddress;
  private final PeerTransports dialling;
  private final Duration utpConnectTimeout;
  private final BlockingQueue<PeerStream> accepted = new LinkedBlockingQueue<>(ACCEPT_BACKLOG);
  private volatile BiConsumer<Transport, InetSocketAddress> inbound = (t, a) -> {};

  private NodeTransport(
      UdpEndpoint udp,
      NodeSocket socket,
      UtpSocket utp,
      ServerSocketChannel tcp,
      PeerIoLoop loop,
      PeerTransports dialling,
      Duration utpConnectTimeout)
      throws IOException {
    this.udp = udp;
    this.socket = socket;
    this.utp = utp;
    this.tcp = tcp;
    this.loop = loop;
    this.dialling = dialling;
    this.utpConnectTimeout = utpConnectTimeout;
    this.listenAddress = new InetSocketAddress(udp.localAddress().getAddress(), udp.port());
    this.utpServer = utp.listen();
    utpServer.setAcceptListener(this::takeUtp);
    loop.execute(
        () -> {
          try {
            loop.register(tcp, SelectionKey.OP_ACCEPT, ready -> takeTcp());
          } catch (IOException e) {
            LOG.error("cannot accept TCP peers on {}", listenAddress, e);
          }
        });
  }

  /**
   * Binds UDP and TCP on {@code address}:{@code port} (0: a port free for both) and starts
   * accepting.
   */
  static NodeTransport open(
      InetAddress address,
      int port,
      NodeSocketSettings socketSettings,
      int udpReceiveBufferBytes,
      int udpSendBufferBytes,
      PeerTransports dialling,
      Duration utpConnectTimeout)
      throws IOException {
    if (address instanceof java.net.Inet6Address && address.isAnyLocalAddress()) {
      try {
        return openOn(
            address,
            port,
            socketSettings,
            udpReceiveBufferBytes,
            udpSendBufferBytes,
            dialling,
            utpConnectTimeout);
      } catch (BindException e) {
        throw e;
      } catch (java.net.SocketException | java.nio.channels.UnsupportedAddressTypeException e) {
        // A kernel without IPv6 (booted with ipv6.disable=1) cannot open "::", and a host with
        // IPv6 turned off (sysctl disable_ipv6) cannot bind it: take IPv4 only.
        LOG.warn("cannot listen on [::] ({}); listening on 0.0.0.0, IPv4 only", e.toString());
        address = InetAddress.getByAddress(new byte[4]);
      }
    }
    return openOn(
        address,
        port,
        socketSettings,
        udpReceiveBufferBytes,
        udpSendBufferBytes,
        dialling,
        utpConnectTimeout);
  }

  private static NodeTransport openOn(
      InetAddress address,
      int port,
      NodeSocketSettings socketSettings,
      int udpReceiveBufferBytes,
      int udpSendBufferBytes,
      PeerTransports dialling,
      Duration utpConnectTimeout)
      throws IOException {
    IOException last = null;
    for (int attempt = 0; attempt < (port == 0 ? 20 : 1); attempt++) {
      UdpEndpoint udp =
          UdpEndpoint.builder()
              .bind(new InetSocketAddress(address, port))
              .receiveBufferBytes(udpReceiveBufferBytes)
              .sendBufferBytes(udpSendBufferBytes)
              .threadName("natswarm-udp-" + (port == 0 ? "node" : port))
              .open();
      ServerSocketChannel tcp = null;
      try {
        tcp = ServerSocketChannel.open();
        tcp.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        tcp.setOption(StandardSocketOptions.SO_REUSEPORT, true);
        tcp.bind(new InetSocketAddress(address, udp.port()), ACCEPT_BACKLOG);
        tcp.configureBlocking(false);
      } catch (IOException e) {
        last = e;
        closeQuietly(tcp);
        udp.close();
        continue;
      }
      PeerIoLoop loop = null;
      try {
        NodeSocket socket = NodeSocket.open(udp, socketSettings);
        UtpSocket utp = UtpSocket.over(udp, socket.utp(), UtpSocket.DEFAULT_STREAM_BUFFER_BYTES);
        loop = new PeerIoLoop("natswarm-peer-io-" + udp.port());
        return new NodeTransport(udp, socket, utp, tcp, loop, dialling, utpConnectTimeout);
      } catch (IOException | RuntimeException e) {
        if (loop != null) {
          loop.close();
        }
        closeQuietly(tcp);
        udp.close();
        throw e;
      }
    }
    throw new BindException(
        "no port free for both UDP and TCP on " + address + ": " + (last == null ? "" : last));
  }

  InetSocketAddress listenAddress() {
    return listenAddress;
  }

  PeerIoLoop loop() {
    return loop;
  }

  NodeSocket socket() {
    return socket;
  }

  UdpEndpoint udp() {
    return udp;
  }

  /**
   * Calls {@code listener} with the transport and remote address of every incoming stream, on the
   * thread that accepted it (the UDP event loop for µTP, the peer I/O loop for TCP): it must be
   * quick and thread-safe.
   */
  public void onInbound(BiConsumer<Transport, InetSocketAddress> listener) {
    this.inbound = listener;
  }

  /** Established incoming streams, oldest first. */
  BlockingQueue<PeerStream> accepted() {
    return accepted;
  }

  /** Queues a stream made elsewhere (a relayed one) with the accepted ones; false if full. */
  boolean acceptStream(PeerStream stream) {
    return accepted.offer(stream);
  }

  /** On the UDP event loop: queues every µTP connection whose handshake completed. */
  private void takeUtp() {
    UtpChannel ch;
    while ((ch = utpServer.poll()) != null) {
      if (accepted.offer(new UtpPeerStream(ch))) {
        inbound.accept(Transport.UTP, ch.remoteAddress());
      } else {
        ch.abort();
      }
    }
  }

  /** On the peer I/O loop: queues every accepted TCP connection. */
  private void takeTcp() {
    try {
      SocketChannel ch;
      while ((ch = tcp.accept()) != null) {
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        InetSocketAddress remote = (InetSocketAddress) ch.getRemoteAddress();
        if (accepted.offer(new TcpPeerStream(ch, remote, false))) {
          inbound.accept(Transport.TCP, remote);
        } else {
          ch.close();
        }
      }
    } catch (IOException e) {
      LOG.debug("accepting a TCP peer on {}: {}", listenAddress, e.toString());
    }
  }

  /**
   * Dials {@code remote}: µTP first, then TCP from the listen port (from an ephemeral port when the
   * listen port cannot be used for it, e.g. a connection to the same peer is still in TIME_WAIT).
   */
  PeerStream dial(InetSocketAddress remote) throws IOException {
    return dial(remote, () -> {});
  }

  /**
   * Dials {@code remote} over µTP and queues the stream with the accepted ones, so that it enters
   * Bt through the same acceptor as any other (a hole-punched stream: BEP 55 punches µTP only).
   * Blocks its caller until the stream is made or µTP gives up.
   *
   * @return false when the stream could not be queued (the queue is full) and was closed
   */
  boolean dialIntoAcceptor(InetSocketAddress remote) throws IOException {
    return dialIntoAcceptor(remote, false);
  }

  /**
   * Like {@link #dialIntoAcceptor(InetSocketAddress)}; with {@code direct}, the connection's
   * datagrams go straight to {@code remote} even where the TURN client relays for its address
   * ({@link NodeSocket#sendDirect}: the direct retry while connected through TURN).
   */
  boolean dialIntoAcceptor(InetSocketAddress remote, boolean direct) throws IOException {
    PeerStream stream =
        new UtpPeerStream(
            direct
                ? utp.connect(remote, utpConnectTimeout, socket::sendDirect)
                : utp.connect(remote, utpConnectTimeout));
    if (accepted.offer(stream)) {
      return true;
    }
    closeQuietly(stream);
    return false;
  }

  /**
   * Like {@link #dial(InetSocketAddress)}, calling {@code utpFailed} (on the caller's thread) as
   * soon as µTP failed, before TCP is tried: the hole punch need not wait for TCP's timeouts.
   */
  PeerStream dial(InetSocketAddress remote, Runnable utpFailed) throws IOException {
    IOException utpFailure = null;
    if (dialling.dialsUtp()) {
      try {
        return new UtpPeerStream(utp.connect(remote, utpConnectTimeout));
      } catch (IOException e) {
        utpFailure = e;
        utpFailed.run();
      }
    }
    if (!dialling.dialsTcp()) {
      throw utpFailure;
    }
    try {
      return dialTcp(remote, true);
    } catch (IOException e) {
      try {
        return dialTcp(remote, false);
      } catch (IOException e2) {
        e2.addSuppressed(e);
        if (utpFailure != null) {
          e2.addSuppressed(utpFailure);
        }
        throw e2;
      }
    }
  }

  /** Whether this node dials TCP ({@code peers.transports}). */
  boolean dialsTcp() {
    return dialling.dialsTcp();
  }

  /** Whether this node dials µTP ({@code peers.transports}). */
  boolean dialsUtp() {
    return dialling.dialsUtp();
  }

  /**
   * TCP simultaneous open after a BEP 55 connect: connects from the listen port to {@code remote}
   * while the other side connects to us, so that each NAT has seen its own host's SYN leave when
   * the other's arrives, and queues the stream with the accepted ones, as {@code initiator} says
   * (the side that asked for the rendezvous is the MSE and BitTorrent initiator, whichever SYN made
   * the connection). Blocks until the connection is made or TCP's connect timeout.
   *
   * @return false when the stream could not be queued (the queue is full) and was closed
   */
  boolean punchTcpIntoAcceptor(InetSocketAddress remote, boolean initiator) throws IOException {
    SocketChannel ch = ((TcpPeerStream) dialTcp(remote, true)).channel();
    PeerStream stream = new TcpPeerStream(ch, remote, initiator);
    if (accepted.offer(stream)) {
      return true;
    }
    closeQuietly(stream);
    return false;
  }

  private PeerStream dialTcp(InetSocketAddress remote, boolean fromListenPort) throws IOException {
    SocketChannel ch = SocketChannel.open();
    try {
      ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
      if (fromListenPort) {
        ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        ch.setOption(StandardSocketOptions.SO_REUSEPORT, true);
        ch.bind(listenAddress);
      }
      ch.socket()
          .connect(remote, (int) TimeUnit.NANOSECONDS.toMillis(TCP_CONNECT_TIMEOUT.toNanos()));
      return new TcpPeerStream(ch, remote, true);
    } catch (IOException | RuntimeException e) {
      closeQuietly(ch);
      throw e;
    }
  }

  private static void closeQuietly(java.io.Closeable c) {
    if (c != null) {
      try {
        c.close();
      } catch (IOException e) {
        // nothing more to do
      }
    }
  }

  @Override
  public void close() {
    utpServer.close();
    closeQuietly(tcp);
    PeerStream s;
    while ((s = accepted.poll()) != null) {
      closeQuietly(s);
    }
    loop.close();
    utp.close();
    udp.close();
  }
}
