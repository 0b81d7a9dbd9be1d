package io.natswarm.node.bt;

import bt.metainfo.TorrentId;
import bt.module.BitTorrentProtocol;
import bt.net.ConnectionHandler;
import bt.net.ConnectionKey;
import bt.net.ConnectionResult;
import bt.net.IConnectionHandlerFactory;
import bt.net.IPeerConnectionFactory;
import bt.net.IPeerConnectionPool;
import bt.net.InetPeer;
import bt.net.Peer;
import bt.net.buffer.BorrowedBuffer;
import bt.net.buffer.IBufferManager;
import bt.net.crypto.CipherBufferMutator;
import bt.net.pipeline.ChannelPipeline;
import bt.net.pipeline.ChannelPipelineBuilder;
import bt.net.pipeline.IChannelPipelineFactory;
import bt.protocol.Message;
import bt.protocol.crypto.EncryptionPolicy;
import bt.protocol.handler.MessageHandler;
import bt.runtime.Config;
import bt.torrent.TorrentRegistry;
import com.google.inject.Inject;
import io.natswarm.node.PeerEncryption;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.SocketChannel;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * natswarm's {@link IPeerConnectionFactory} for Bt: the router that dials peers through {@link
 * NodeTransport} (µTP first, then TCP from the listen port) and turns established streams of either
 * transport, dialled or accepted, into Bt peer connections: our MSE handshakes ({@link
 * MseReceiver}, {@link MseInitiator}, run by {@link MseHandshake}) over the stream's blocking view
 * (reads wait for bytes), Bt's channel pipeline with its RC4 {@link CipherBufferMutator}s keyed and
 * positioned by the handshake, our {@link StreamChannelHandler} and {@link StreamPeerConnection},
 * then Bt's BitTorrent and extended handshake handlers.
 *
 * <p>Failure bookkeeping is kept here by address ({@link DialBackoff}): Bt bans an unreachable peer
 * by object identity, which never matches the fresh peer objects of the next discovery round
 * (DESIGN.md, Bt traps). Endpoints banned for corrupt pieces ({@link PeerBans}) are refused in both
 * directions, and each connection decodes through a {@link ProtocolGuard}.
 *
 * <p>Threads: called on Bt's connection workers; blocks during the handshakes.
 */
final class PeerConnector implements IPeerConnectionFactory {
  private static final Logger LOG = LoggerFactory.getLogger(PeerConnector.class);

  /** Longest wait for a handshake read (Bt's MSE processor uses 10 s overall). */
  static final Duration HANDSHAKE_READ_TIMEOUT = Duration.ofSeconds(10);

  /** How often each connection checks whether it must send a keep-alive. */
  static final long KEEPALIVE_CHECK_MILLIS = 15_000;

  private final NodeTransport transport;
  private final IConnectionHandlerFactory handlers;
  private final IChannelPipelineFactory pipelines;
  private final MessageHandler<Message> protocol;
  private final IBufferManager buffers;
  private final PeerBans bans;
  private final Ipv6Upgrade upgrade;
  private final PeerEncryption encryption;
  private final boolean mseDisabled;
  private final MseReceiver.Torrents mseTorrents;
  private final SecureRandom random = new SecureRandom();
  private final DialBackoff backoff = new DialBackoff();
  private final Set<StreamPeerConnection> live = ConcurrentHashMap.newKeySet();
  private final java.util.List<java.util.function.Consumer<StreamPeerConnection>> onEstablished =
      new java.util.concurrent.CopyOnWriteArrayList<>();
  private final java.util.List<java.util.function.BiConsumer<InetSocketAddress, TorrentId>>
      onUnreachable = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final java.util.Map<PeerStream, TorrentId> relayedTorrents = new ConcurrentHashMap<>();

  private volatile java.util.function.ObjLongConsumer<InetSocketAddress> onPunched = (a, t) -> {};

  /** How long after a BEP 55 connect message a connection with its endpoint counts as punched. */
  static final Duration PUNCH_WINDOW = Duration.ofSeconds(30);

  /**
   * How long a µTP dial goes unanswered before the ladder may climb to the hole punch while the
   * dial goes on ({@link ConnectionLadder#directUnanswered}): its SYN went at once and again after
   * a second, so by now only a peer more than half a second away could still answer. Waiting for
   * the dial's whole timeout (3 s) cost each punched connection 1.5 s more (nat-matrix, 20 ms
   * links: connected 5.3–5.8 s after the initiator started, 3.5–3.9 s with the early climb).
   */
  static final Duration CLIMB_AFTER = Duration.ofMillis(1500);

  private volatile java.util.function.BiPredicate<InetSocketAddress, TorrentId> onUnanswered =
      (a, t) -> false;

  private final java.util.Map<InetSocketAddress, Long> punched = new ConcurrentHashMap<>();
  private final Set<InetSocketAddress> turnDials = ConcurrentHashMap.newKeySet();
  private volatile java.util.function.Predicate<InetSocketAddress> turnRouted = a -> false;
  private final java.util.Map<InetSocketAddress, TorrentId> punchedTorrents =
      new ConcurrentHashMap<>();
  private final Set<InetSocketAddress> directRetries = ConcurrentHashMap.newKeySet();
  private final java.util.concurrent.atomic.AtomicLong relayedTakenOver =
      new java.util.concurrent.atomic.AtomicLong();
  private volatile IPeerConnectionPool pool;

  /**
   * How long a direct or punched connection waits for Bt's pool to let go of the relayed one it
   * replaces ({@link #takeOverRelayed}): the pool files both under one key and purges closed
   * connections on its cleaner's round, once a second.
   */
  static final Duration TAKE_OVER_WAIT = Duration.ofSeconds(3);

  @Inject
  PeerConnector(
      NodeTransport transport,
      IConnectionHandlerFactory handlers,
      IChannelPipelineFactory pipelines,
      @BitTorrentProtocol MessageHandler<Message> protocol,
      TorrentRegistry torrents,
      IBufferManager buffers,
      Config config,
      PeerBans bans,
      Ipv6Upgrade upgrade) {
    this.bans = bans;
    this.upgrade = upgrade;
    this.transport = transport;
    this.handlers = handlers;
    this.pipelines = pipelines;
    this.protocol = protocol;
    this.buffers = buffers;
    this.encryption = policy(config.getEncryptionPolicy());
    this.mseDisabled = config.isMseDisabled();
    this.mseTorrents = MseHandshake.torrents(torrents);
  }

  static PeerEncryption policy(EncryptionPolicy p) {
    return switch (p) {
      case REQUIRE_PLAINTEXT -> PeerEncryption.REQUIRE_PLAINTEXT;
      case PREFER_PLAINTEXT -> PeerEncryption.PREFER_PLAINTEXT;
      case PREFER_ENCRYPTED -> PeerEncryption.PREFER_ENCRYPTED;
      case REQUIRE_ENCRYPTED -> PeerEncryption.REQUIRE_ENCRYPTED;
    };
  }

  /** Bt's connection pool, once Bt runs (for {@link #takeOverRelayed}). */
  void attachPool(IPeerConnectionPool pool) {
    this.pool = pool;
  }

  /** Relayed connections closed because a direct or punched one with the same peer was made. */
  long relayedTakenOver() {
    return relayedTakenOver.get();
  }

  /**
   * Counts a relayed connection closed for a better one by someone else ({@link ConnectionLadder}).
   */
  void tookOver() {
    relayedTakenOver.incrementAndGet();
  }

  /** Called with every connection whose handshakes completed (before Bt's pool takes it). */
  void addEstablishedListener(java.util.function.Consumer<StreamPeerConnection> c) {
    onEstablished.add(c);
  }

  /**
   * Called with each endpoint µTP could not reach (on a connection worker, once µTP failed, while
   * TCP is still tried; or when only TCP is dialled and it failed), for the hole punch ({@link
   * HolepunchService}); not for dials of punched endpoints.
   */
  /**
   * Asked, {@link #CLIMB_AFTER} into a µTP dial still unanswered, whether it climbed the ladder; if
   * it did, the dial's own failure later climbs no more.
   */
  void setUnansweredListener(java.util.function.BiPredicate<InetSocketAddress, TorrentId> c) {
    this.onUnanswered = c;
  }

  void addUnreachableListener(java.util.function.BiConsumer<InetSocketAddress, TorrentId> c) {
    onUnreachable.add(c);
  }

  /** Whether a connection of {@code torrent} with a peer at {@code address} is open now. */
  boolean connectedTo(TorrentId torrent, java.net.InetAddress address) {
    for (StreamPeerConnection c : live) {
      if (!c.isClosed()
          && torrent.equals(c.getTorrentId())
          && c.stream().remoteAddress().getAddress().equals(address)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Queues a relayed stream we asked for ({@link RelayService}) with the accepted ones; it becomes
   * an outgoing connection of {@code torrent} there (we are the MSE and BitTorrent initiator).
   *
   * @return false when it could not be queued (the caller closes it)
   */
  boolean dialRelayed(RelayPeerStream stream, TorrentId torrent) {
    if (bans.refuse(stream.remoteAddress())) {
      return false;
    }
    relayedTorrents.put(stream, torrent);
    if (transport.acceptStream(stream)) {
      return true;
    }
    relayedTorrents.remove(stream);
    return false;
  }

  /**
   * Called with the remote endpoint of each connection made by the hole punch, once its MSE
   * handshake is done, and the {@code System.nanoTime()} at which its stream was connected (before
   * that handshake: the moment libtorrent's peer list stops calling a peer "connecting").
   */
  void onPunched(java.util.function.ObjLongConsumer<InetSocketAddress> c) {
    this.onPunched = c;
  }

  /**
   * We asked a rendezvous peer to introduce us to {@code endpoint}, or one did (BEP 55): for {@link
   * #PUNCH_WINDOW}, a dial to it skips the failure back-off, and a connection with it, dialled or
   * accepted, is recorded as made by the hole punch.
   */
  void expectPunch(InetSocketAddress endpoint) {
    long now = System.nanoTime();
    if (punched.size() > 256) {
      punched.values().removeIf(until -> until - now < 0);
    }
    punched.put(endpoint, now + PUNCH_WINDOW.toNanos());
  }

  private boolean punchExpected(InetSocketAddress endpoint) {
    Long until = punched.get(endpoint);
    if (until == null) {
      return false;
    }
    if (until - System.nanoTime() < 0) {
      punched.remove(endpoint, until);
      return false;
    }
    return true;
  }

  /** Connections open now. */
  Set<StreamPeerConnection> live() {
    return live;
  }

  @Override
  public ConnectionResult createOutgoingConnection(Peer peer, TorrentId torrentId) {
    InetSocketAddress remote = new InetSocketAddress(peer.getInetAddress(), peer.getPort());
    if (bans.refuse(remote)) {
      return ConnectionResult.failure("banned: " + remote);
    }
    if (upgrade.movedAway(remote)) {
      return ConnectionResult.failure("connected over IPv6 instead: " + remote);
    }
    boolean punch = punchExpected(remote);
    if (!punch && !backoff.mayDial(remote)) {
      return ConnectionResult.failure("recently unreachable: " + remote);
    }
    PeerStream stream;
    java.util.concurrent.atomic.AtomicBoolean told =
        new java.util.concurrent.atomic.AtomicBoolean(punch);
    Runnable unreachable =
        () -> {
          if (told.compareAndSet(false, true)) {
            onUnreachable.forEach(l -> l.accept(remote, torrentId));
          }
        };
    java.util.concurrent.atomic.AtomicBoolean dialling =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    if (!punch && torrentId != null && transport.dialsUtp()) {
      java.util.concurrent.CompletableFuture.delayedExecutor(
              CLIMB_AFTER.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
          .execute(
              () -> {
                if (dialling.get() && !told.get() && onUnanswered.test(remote, torrentId)) {
                  told.set(true); // climbed: the dial's failure has nothing more to say
                }
              });
    }
    try {
      // µTP's failure is enough to ask for a hole punch, which works for µTP only; TCP is still
      // tried meanwhile (an endpoint-independent NAT with a TCP forwarding, say)
      stream = transport.dial(remote, unreachable);
      dialling.set(false);
    } catch (IOException e) {
      dialling.set(false);
      backoff.failed(remote);
      LOG.debug("dialling {}{}: {}", remote, punch ? " after a hole punch" : "", e.toString());
      unreachable.run();
      return ConnectionResult.failure("cannot reach " + remote, e);
    }
    ConnectionResult r =
        establish(
            stream,
            InetPeer.build(remote.getAddress()),
            torrentId,
            // a dial that was still trying when a punch for its endpoint began (a TCP dial that
            // met the other side's TCP punch, say) owes its success to the punch
            punch || punchExpected(remote) ? "holepunch" : "direct");
    if (r.isSuccess()) {
      backoff.succeeded(remote);
    } else {
      backoff.failed(remote);
    }
    return r;
  }

  /**
   * Not used: every incoming stream enters through {@link #createIncomingConnection(PeerStream)}.
   */
  @Override
  public ConnectionResult createIncomingConnection(Peer peer, SocketChannel channel) {
    InetSocketAddress remote;
    try {
      remote = (InetSocketAddress) channel.getRemoteAddress();
    } catch (IOException e) {
      return ConnectionResult.failure("incoming channel closed", e);
    }
    return createIncomingConnection(new TcpPeerStream(channel, remote, false));
  }

  /**
   * Dials {@code remote} over µTP for {@code torrent} after a BEP 55 connect, past the failure
   * back-off; the stream enters Bt through {@link StreamAcceptor} like an accepted one, and there
   * becomes an outgoing connection of {@code torrent} (we are the MSE and BitTorrent initiator).
   * Blocks until µTP connected or gave up.
   *
   * @return whether the µTP stream was made
   */
  boolean dialPunched(InetSocketAddress remote, TorrentId torrent) {
    if (bans.refuse(remote)) {
      return false; // banned for corrupt pieces: not worth a punch either
    }
    expectPunch(remote);
    return dialIntoAcceptor(remote, torrent, null, false, "after a hole punch");
  }

  /**
   * Dials {@code remote} over µTP while a relayed connection with it is open, by a peer or through
   * TURN (the ladder's retry, {@link ConnectionLadder}; never itself through TURN, {@link
   * NodeTransport#dialIntoAcceptor(InetSocketAddress, boolean)}): the stream enters Bt through
   * {@link StreamAcceptor} as an outgoing connection of {@code torrent} with the path {@code
   * direct}, and takes the relayed connection's place ({@link #takeOverRelayed}). Blocks until µTP
   * connected or gave up.
   *
   * @return whether the µTP stream was made
   */
  boolean dialWhileRelayed(InetSocketAddress remote, TorrentId torrent) {
    if (bans.refuse(remote)) {
      return false;
    }
    return dialIntoAcceptor(remote, torrent, directRetries, true, "while relayed");
  }

  /**
   * Dials the TURN relayed address {@code relayed} over µTP for {@code torrent} after an ns_turn
   * dial message ({@link TurnService}); the stream enters Bt through {@link StreamAcceptor} as an
   * outgoing connection of {@code torrent}, recorded with the path {@code turn}. Blocks until µTP
   * connected or gave up.
   *
   * @return whether the µTP stream was made
   */
  boolean dialTurn(InetSocketAddress relayed, TorrentId torrent) {
    return dialIntoAcceptor(relayed, torrent, turnDials, false, "the TURN relayed address");
  }

  /**
   * Dials {@code remote} over µTP into {@link StreamAcceptor} as an outgoing connection of {@code
   * torrent}; {@code path} (the set that names the connection's path, or null for {@code
   * holepunch}) holds {@code remote} while the dial is pending. Both are undone when it fails. With
   * {@code direct} the dial never goes through TURN ({@link NodeTransport#dialIntoAcceptor(
   * InetSocketAddress, boolean)}).
   */
  private boolean dialIntoAcceptor(
      InetSocketAddress remote,
      TorrentId torrent,
      Set<InetSocketAddress> path,
      boolean direct,
      String why) {
    punchedTorrents.put(remote, torrent);
    if (path != null) {
      path.add(remote);
    }
    try {
      if (transport.dialIntoAcceptor(remote, direct)) {
        return true;
      }
    } catch (IOException e) {
      LOG.debug("dialling {} {}: {}", remote, why, e.toString());
    }
    if (path != null) {
      path.remove(remote);
    }
    punchedTorrents.remove(remote, torrent);
    return false;
  }

  /**
   * Tells which remote endpoints reach us through our TURN allocation: an accepted stream from one
   * is recorded with the path {@code turn}.
   */
  void turnRoutes(java.util.function.Predicate<InetSocketAddress> routed) {
    this.turnRouted = routed;
  }

  /**
   * TCP simultaneous open with {@code remote} after a BEP 55 connect ({@link
   * NodeTransport#punchTcpIntoAcceptor}): the stream enters Bt through {@link StreamAcceptor}, as
   * an outgoing connection of {@code torrent} when {@code initiator} (we asked for the rendezvous),
   * else as an incoming one. Blocks until TCP connected or gave up.
   *
   * @return whether the TCP stream was made
   */
  boolean punchTcp(InetSocketAddress remote, TorrentId torrent, boolean initiator) {
    if (bans.refuse(remote)) {
      return false;
    }
    expectPunch(remote);
    if (initiator) {
      punchedTorrents.put(remote, torrent);
    }
    try {
      if (transport.punchTcpIntoAcceptor(remote, initiator)) {
        return true;
      }
    } catch (IOException e) {
      LOG.debug("TCP simultaneous open with {}: {}", remote, e.toString());
    }
    if (initiator) {
      punchedTorrents.remove(remote, torrent);
    }
    return false;
  }

  /** Makes a Bt connection of an established stream from the acceptor's queue. */
  ConnectionResult createIncomingConnection(PeerStream stream) {
    TorrentId dialled =
        !stream.outgoing()
            ? null
            : stream instanceof RelayPeerStream
                ? relayedTorrents.remove(stream)
                : punchedTorrents.remove(stream.remoteAddress());
    String path =
        stream instanceof RelayPeerStream
            ? "relay"
            : stream.outgoing() && turnDials.remove(stream.remoteAddress())
                ? "turn"
                : stream.outgoing() && directRetries.remove(stream.remoteAddress())
                    ? "direct"
                    : "holepunch";
    if (bans.refuse(stream.remoteAddress())) {
      closeQuietly(stream);
      return ConnectionResult.failure("banned: " + stream.remoteAddress());
    }
    if (stream.outgoing()) {
      if (dialled == null) {
        closeQuietly(stream);
        return ConnectionResult.failure("no torrent for " + stream);
      }
      return establish(stream, InetPeer.build(stream.remoteAddress().getAddress()), dialled, path);
    }
    return establish(
        stream,
        InetPeer.build(stream.remoteAddress().getAddress()),
        null,
        stream instanceof RelayPeerStream
            ? "relay"
            : turnRouted.test(stream.remoteAddress())
                ? "turn"
                : punchExpected(stream.remoteAddress()) ? "holepunch" : "direct");
  }

  /**
   * A relayed connection with the same endpoint and torrent as {@code better} holds the key Bt's
   * pool would file {@code better} under (address, port, torrent), and the pool refuses a second
   * connection with a key it holds, even a closed one it has not purged yet. So the relayed one is
   * closed here, before the pool sees {@code better}, and the pool given up to {@link
   * #TAKE_OVER_WAIT} to let it go: the stream moves from the relay to the direct path (pieces in
   * flight on the relay are requested again). A relayed connection under another endpoint (the
   * peer's NAT maps us apart) does not stand in the way; {@link ConnectionLadder} closes it once
   * the better one is in the pool.
   */
  private void takeOverRelayed(StreamPeerConnection better) {
    TorrentId torrent = better.getTorrentId();
    InetSocketAddress remote = better.stream().remoteAddress();
    if (torrent == null) {
      return;
    }
    for (StreamPeerConnection c : live) {
      if (c != better
          && isRelayed(c)
          && !c.isClosed()
          && torrent.equals(c.getTorrentId())
          && remote.equals(c.stream().remoteAddress())) {
        LOG.debug("{}: a {} connection takes the relayed one's place", remote, better.path());
        ConnectionKey key = new ConnectionKey(c.getRemotePeer(), c.getRemotePort(), torrent);
        c.closeQuietly();
        relayedTakenOver.incrementAndGet();
        awaitPurged(key);
      }
    }
  }

  /** Whether {@code c} runs through a relay: a peer's ({@code ns_relay}) or the TURN server. */
  static boolean isRelayed(StreamPeerConnection c) {
    return c.stream() instanceof RelayPeerStream || "turn".equals(c.path());
  }

  /**
   * Waits, up to {@link #TAKE_OVER_WAIT}, until Bt's pool holds no connection under {@code key}.
   */
  private void awaitPurged(ConnectionKey key) {
    IPeerConnectionPool p = pool;
    if (p == null) {
      return;
    }
    long deadline = System.nanoTime() + TAKE_OVER_WAIT.toNanos();
    // a connection worker's thread, blocking in the handshakes anyway; the pool tells no one when
    // its cleaner purges (its disconnect event fires on that thread, under Bt's event monitor)
    while (p.getConnection(key) != null && System.nanoTime() - deadline < 0) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static void closeQuietly(PeerStream stream) {
    try {
      stream.close();
    } catch (IOException e) {
      LOG.debug("closing {}: {}", stream, e.toString());
    }
  }

  /**
   * The MSE handshake, ours rather than Bt's {@code MSEHandshakeProcessor} (which assumes each step
   * arrives in one read and decrypts bytes read past the handshake a second time): incoming streams
   * go through {@link MseReceiver} (it also recognises a plaintext BitTorrent handshake), outgoing
   * ones through {@link MseInitiator} unless MSE is disabled (plaintext only). Leaves the bytes
   * that follow the handshake in {@code inBuffer} (write mode) for the pipeline, whose RC4 decoder
   * is positioned at the first of them.
   */
  private Optional<MseCrypto.Ciphers> negotiate(
      boolean incoming, ByteChannel blocking, TorrentId torrentId, ByteBuffer inBuffer)
      throws IOException {
    if (incoming) {
      return MseHandshake.run(new MseReceiver(encryption, mseTorrents, random), blocking, inBuffer);
    }
    if (mseDisabled) {
      return Optional.empty(); // REQUIRE_PLAINTEXT: the BitTorrent handshake at once
    }
    return MseHandshake.run(
        new MseInitiator(encryption, torrentId.getBytes(), random), blocking, inBuffer);
  }

  /**
   * Endpoints with an outgoing punched stream in its handshakes: two dials of ours can get through
   * the same new hole at once (one still trying when the punch began, and the punched one); the
   * first to get here makes the connection, the other is closed before its MSE handshake.
   */
  private final Set<InetSocketAddress> punchHandshakes = ConcurrentHashMap.newKeySet();

  private ConnectionResult establish(
      PeerStream stream, Peer peer, TorrentId torrentId, String path) {
    InetSocketAddress endpoint = stream.remoteAddress();
    if (torrentId == null || !path.equals("holepunch")) {
      return establishStream(stream, peer, torrentId, path);
    }
    if (!punchHandshakes.add(endpoint)) {
      closeQuietly(stream);
      return ConnectionResult.failure("a punched connection with " + endpoint + " is being made");
    }
    try {
      for (StreamPeerConnection c : live) {
        if (!c.isClosed()
            && !(c.stream() instanceof RelayPeerStream) // which this one is to replace
            && torrentId.equals(c.getTorrentId())
            && endpoint.equals(c.stream().remoteAddress())) {
          // made already (by the other dial): no second MSE handshake only for Bt to refuse it
          closeQuietly(stream);
          return ConnectionResult.failure("connected to " + endpoint + " already");
        }
      }
      return establishStream(stream, peer, torrentId, path);
    } finally {
      punchHandshakes.remove(endpoint);
    }
  }

  private ConnectionResult establishStream(
      PeerStream stream, Peer peer, TorrentId torrentId, String path) {
    boolean incoming = torrentId == null;
    long streamConnectedAt = System.nanoTime();
    // never back to Bt's pool: queued blocks still live in it after a close (UnrecycledBuffer)
    BorrowedBuffer<ByteBuffer> in = new UnrecycledBuffer(buffers.borrowByteBuffer());
    BorrowedBuffer<ByteBuffer> out = buffers.borrowByteBuffer();
    StreamChannelHandler handler = null;
    try {
      ByteChannel blocking = stream.blockingView(HANDSHAKE_READ_TIMEOUT);
      Optional<MseCrypto.Ciphers> cipher;
      ByteBuffer inBuffer = in.lockAndGet();
      try {
        cipher = negotiate(incoming, blocking, torrentId, inBuffer);
      } finally {
        in.unlock();
      }
      ChannelPipelineBuilder builder = pipelines.buildPipeline(peer);
      builder.channel(stream);
      builder.protocol(new ProtocolGuard(protocol, inBuffer.capacity(), bans));
      builder.inboundBuffer(in);
      builder.outboundBuffer(out);
      cipher.ifPresent(
          c -> {
            builder.decoders(new CipherBufferMutator(c.decrypt()));
            builder.encoders(new CipherBufferMutator(c.encrypt()));
          });
      ChannelPipeline pipeline = new ConnectionPipeline(builder.build());
      handler = new StreamChannelHandler(stream, in, out, pipeline, transport.loop());
      StreamPeerConnection connection =
          new StreamPeerConnection(peer, stream.remoteAddress().getPort(), handler);
      connection.path(path);
      if (path.equals("holepunch")) {
        onPunched.accept(stream.remoteAddress(), streamConnectedAt);
      }
      live.add(connection);
      bans.track(connection);
      handler.onClosed(
          () -> {
            live.remove(connection);
            bans.untrack(connection);
          });
      stream.startNonBlocking(transport.loop(), handler);
      StreamChannelHandler h = handler;
      transport.loop().schedule(() -> h.keepAlive(KEEPALIVE_CHECK_MILLIS), KEEPALIVE_CHECK_MILLIS);
      ConnectionHandler bittorrent =
          incoming ? handlers.getIncomingHandler() : handlers.getOutgoingHandler(torrentId);
      if (!bittorrent.handleConnection(connection)) {
        connection.closeQuietly();
        return ConnectionResult.failure("BitTorrent handshake failed with " + stream);
      }
      if (!(stream instanceof RelayPeerStream)) {
        takeOverRelayed(connection);
      }
      if (!incoming) {
        HandshakeNudge.schedule(transport.loop(), connection);
      }
      LOG.debug("connected: {} (MSE {})", stream, cipher.isPresent() ? "RC4" : "plaintext");
      onEstablished.forEach(l -> l.accept(connection));
      return ConnectionResult.success(connection);
    } catch (IOException | RuntimeException e) {
      LOG.debug("handshake with {} failed: {}", stream, e.toString());
      if (handler != null) {
        handler.close();
      } else {
        try {
          stream.close();
        } catch (IOException e2) {
          e.addSuppressed(e2);
        }
        in.release();
        out.release();
      }
      return ConnectionResult.failure("handshake failed with " + stream, e);
    }
  }
}
