package io.natswarm.node.bt;

import bt.Bt;
import bt.BtException;
import bt.data.file.FileSystemStorage;
import bt.event.EventSource;
import bt.magnet.MagnetUri;
import bt.magnet.MagnetUriParser;
import bt.metainfo.IMetadataService;
import bt.metainfo.Torrent;
import bt.metainfo.TorrentId;
import bt.net.IConnectionSource;
import bt.net.IPeerConnectionPool;
import bt.peer.IPeerRegistry;
import bt.runtime.BtClient;
import bt.runtime.BtRuntime;
import bt.runtime.Config;
import bt.torrent.TorrentRegistry;
import io.natswarm.dht.DhtConfig;
import io.natswarm.node.DhtSettings;
import io.natswarm.node.PeerFailures;
import io.natswarm.node.SharedTorrent;
import io.natswarm.node.SwarmNodeSettings;
import io.natswarm.node.Transfer;
import io.natswarm.node.dht.DhtService;
import io.natswarm.node.dht.RoutingTableFile;
import io.natswarm.node.net.NodeSocketSettings;
import io.natswarm.node.reach.NatService;
import io.natswarm.node.reach.ReachabilityMonitor;
import io.natswarm.pex.PexCounters;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bt's runtime for one node, over the node's own transports ({@link NodeTransport}): built with
 * {@code BtRuntime.builder(config)}, peer exchange and local service discovery disabled (ours come
 * later), no DHT module of Bt's, automatic shutdown disabled (the node decides when it ends), and
 * {@link NatswarmBtModule} overriding Bt's bindings. Each torrent is one Bt client on the shared
 * runtime ({@link BtTransfer}).
 *
 * <p>Thread-safe.
 */
public final class BtEngine implements AutoCloseable {
  /**
   * How long a µTP dial waits for an answer before TCP is tried. A peer that does not speak µTP
   * usually answers nothing at all (libtorrent with µTP disabled ignores the SYN).
   */
  static final Duration UTP_CONNECT_TIMEOUT = Duration.ofSeconds(3);

  private static final Logger LOG = LoggerFactory.getLogger(BtEngine.class);

  private final BtRuntime runtime;
  private final InetSocketAddress listenAddress;
  private final Ipv6Upgrade upgrade;
  private final DirectPeers directPeers;
  private final IMetadataService metadata;
  private final IPeerRegistry registry;
  private final NodeTransport transport;
  private final PeerConnector connector;
  private final DhtPeerSource dht; // null: no DHT
  private final PexExchange pex;
  private final ExternalAddressVotes votes;
  private final ReachabilityMonitor reachability;
  private final NatService nat;
  private final DialBackService dialBack;
  private final HolepunchService holepunch;
  private final RelayService relay;
  private final TurnService turn;
  private final ConnectionLadder ladder;
  private final ProcessingThreads processing;
  private final Map<TorrentId, BtTransfer> transfers = new ConcurrentHashMap<>();
  private final Map<TorrentId, Runnable> announcers = new ConcurrentHashMap<>();
  private volatile boolean closed;

  private BtEngine(
      BtRuntime runtime,
      NodeTransport transport,
      DirectPeers directPeers,
      DhtPeerSource dht,
      PexExchange pex,
      ExternalAddressVotes votes,
      Ipv6Upgrade upgrade,
      ReachabilityMonitor reachability,
      NatService nat,
      DialBackService dialBack,
      HolepunchService holepunch,
      RelayService relay,
      TurnService turn,
      ConnectionLadder ladder,
      ProcessingThreads processing) {
    this.ladder = ladder;
    this.turn = turn;
    this.dialBack = dialBack;
    this.holepunch = holepunch;
    this.relay = relay;
    this.runtime = runtime;
    this.reachability = reachability;
    this.nat = nat;
    this.upgrade = upgrade;
    this.processing = processing;
    this.pex = pex;
    this.votes = votes;
    this.dht = dht;
    this.transport = transport;
    this.listenAddress = transport.listenAddress();
    this.directPeers = directPeers;
    this.connector = runtime.service(PeerConnector.class);
    this.metadata = runtime.service(IMetadataService.class);
    this.registry = runtime.service(IPeerRegistry.class);
  }

  /** Builds and starts Bt's runtime for {@code settings}. */
  public static BtEngine start(SwarmNodeSettings settings) throws IOException {
    // The DHT's address votes reach the reachability monitor, made once the socket is bound.
    AtomicReference<ReachabilityMonitor> monitor = new AtomicReference<>();
    NodeSocketSettings socketSettings =
        NodeSocketSettings.utpOnly()
            .withUtp(settings.utp())
            .withDhtPort(
                new io.natswarm.dht.DhtPort() {
                  @Override
                  public void externalAddressVoted(InetAddress address, int port, int votes) {
                    ReachabilityMonitor m = monitor.get();
                    if (m != null) {
                      m.externalAddressVoted(address, port, votes);
                    }
                  }
                });
    // A node on "::" takes both families; its DHT is the IPv4 one, the mainline DHT most nodes are
    // in (a DHT-only node that wants the IPv6 DHT binds an IPv6 address).
    boolean v6 =
        settings.listenAddress() instanceof Inet6Address
            && !settings.listenAddress().isAnyLocalAddress();
    DhtSettings dhtSettings = settings.dht();
    RoutingTableFile table = null;
    if (dhtSettings.enabled()) {
      if (dhtSettings.routingTableFile() != null) {
        table = RoutingTableFile.claim(dhtSettings.routingTableFile()).orElse(null);
        if (table == null) {
          LOG.warn(
              "the DHT routing table {} is in use by another node; this node keeps none",
              dhtSettings.routingTableFile());
        }
      }
      DhtConfig template =
          dhtSettings.config() == null ? DhtConfig.builder().build() : dhtSettings.config();
      DhtConfig.Builder b =
          template.toBuilder().ipv6(v6).bootstrapNodes(dhtSettings.bootstrapNodes());
      if (table != null) {
        table.savedNodeId().ifPresent(b::nodeId); // keep our place in the DHT
      }
      if (settings.listenAddress().isLoopbackAddress()) {
        b.loopback(); // every node is 127.0.0.1: no per-IP limits
      }
      socketSettings =
          v6 ? socketSettings.withDhtV6(b.build()) : socketSettings.withDhtV4(b.build());
    }
    NodeTransport transport;
    try {
      transport =
          NodeTransport.open(
              settings.listenAddress(),
              settings.listenPort(),
              socketSettings,
              settings.udpReceiveBufferBytes(),
              settings.udpSendBufferBytes(),
              settings.transports(),
              UTP_CONNECT_TIMEOUT);
    } catch (IOException | RuntimeException e) {
      closeQuietly(table);
      throw e;
    }
    DhtPeerSource dht = null;
    try {
      DirectPeers direct = new DirectPeers();
      ExternalAddressVotes votes = new ExternalAddressVotes();
      PexExchange pex = new PexExchange(transport.listenAddress(), votes);
      DhtService dhtService =
          dhtSettings.enabled()
              ? DhtService.over(
                  transport.udp(), v6 ? transport.socket().dhtV6() : transport.socket().dhtV4())
              : null;
      ReachabilityMonitor reachability =
          new ReachabilityMonitor(
              transport.listenAddress(),
              ReachabilityMonitor::interfaceAddresses,
              votes::tally,
              () -> unsolicitedQueries(dhtService));
      monitor.set(reachability);
      transport.onInbound(reachability::inbound);
      // The self-test asks peers only from a node that serves a network, not one on loopback.
      DialBackService dialBack =
          new DialBackService(
              transport.udp(),
              transport.socket().probes(),
              transport.listenAddress().getPort(),
              reachability,
              !transport.listenAddress().getAddress().isLoopbackAddress());
      HolepunchService holepunch =
          new HolepunchService(
              transport.udp(),
              transport.socket().punches(),
              pex,
              transport.dialsUtp(),
              transport.dialsTcp());
      java.util.concurrent.atomic.AtomicReference<BtRuntime> started =
          new java.util.concurrent.atomic.AtomicReference<>();
      RelayService relay =
          new RelayService(
              settings.nat().peerRelay(),
              () ->
                  started
                      .get()
                      .service(bt.service.IdentityService.class)
                      .getLocalPeerId()
                      .getBytes());
      TurnService turn =
          new TurnService(settings.nat().turn(), transport.udp(), transport.socket());
      Ipv6Upgrade upgrade =
          new Ipv6Upgrade(new OwnAddresses(transport.listenAddress(), settings.advertisedIpv6()));
      if (dhtService != null) {
        DhtService service = dhtService;
        if (table != null) {
          RoutingTableFile t = table;
          t.loadInto(service)
              .problem()
              .filter(p -> !p.startsWith("no saved"))
              .ifPresent(p -> LOG.warn("DHT routing table not restored: {}", p));
        }
        dht = new DhtPeerSource(service, transport.listenAddress(), direct, table);
        table = null; // the source owns it now
      }
      Config config = EngineConfig.of(settings, transport.listenAddress().getPort());
      ProcessingThreads processing = new ProcessingThreads();
      BtRuntime runtime =
          BtRuntime.builder(config)
              .disablePeerExchange()
              .disableLocalServiceDiscovery()
              .disableAutomaticShutdown()
              .module(
                  new NatswarmBtModule(
                      settings.trackers(),
                      direct,
                      transport,
                      dht,
                      pex,
                      votes,
                      upgrade,
                      dialBack,
                      holepunch,
                      relay,
                      turn,
                      settings.peerExchange()))
              .module(
                  binder ->
                      binder
                          .bind(java.util.concurrent.ExecutorService.class)
                          .annotatedWith(bt.module.ClientExecutor.class)
                          .toInstance(processing))
              .build();
      started.set(runtime);
      runtime.startup();
      pex.attach(
          runtime.service(IPeerConnectionPool.class),
          runtime.service(IPeerRegistry.class),
          runtime.service(TorrentRegistry.class),
          runtime.service(EventSource.class));
      if (dht != null) {
        dht.attach(runtime.service(IPeerRegistry.class));
      }
      upgrade.attach(
          runtime.service(IPeerConnectionPool.class),
          runtime.service(IConnectionSource.class),
          runtime.service(EventSource.class));
      ConnectionLadder ladder = new ConnectionLadder();
      holepunch.attach(
          runtime.service(IPeerConnectionPool.class),
          runtime.service(EventSource.class),
          runtime.service(PeerConnector.class),
          ladder);
      relay.attach(
          runtime.service(IPeerConnectionPool.class),
          runtime.service(EventSource.class),
          runtime.service(PeerConnector.class),
          transport,
          ladder);
      turn.attach(
          runtime.service(IPeerConnectionPool.class),
          runtime.service(EventSource.class),
          runtime.service(PeerConnector.class),
          ladder);
      runtime.service(PeerConnector.class).attachPool(runtime.service(IPeerConnectionPool.class));
      ladder.attach(runtime.service(PeerConnector.class), holepunch, relay, turn);
      NatService nat =
          NatService.start(
              transport.udp(),
              transport.socket(),
              reachability,
              settings.nat().stunServer(),
              settings.nat().portMapping(),
              settings.nat().portMappingLifetimeSeconds());
      return new BtEngine(
          runtime,
          transport,
          direct,
          dht,
          pex,
          votes,
          upgrade,
          reachability,
          nat,
          dialBack,
          holepunch,
          relay,
          turn,
          ladder,
          processing);
    } catch (IOException | RuntimeException e) {
      if (dht != null) {
        dht.close();
      }
      closeQuietly(table);
      transport.close();
      throw e;
    }
  }

  private static long unsolicitedQueries(DhtService dht) {
    if (dht == null) {
      return 0;
    }
    try {
      return dht.counters().unsolicitedQueries();
    } catch (IOException e) {
      return 0; // the node is closing
    }
  }

  private static void closeQuietly(RoutingTableFile table) {
    if (table != null) {
      try {
        table.close();
      } catch (IOException e) {
        LOG.debug("releasing the DHT routing table: {}", e.toString());
      }
    }
  }

  public InetSocketAddress listenAddress() {
    return listenAddress;
  }

  /** The hole punch's counters (BEP 55). */
  public HolepunchService.Counters holepunch() {
    return holepunch.counters();
  }

  /** The connection ladder's last decisions, oldest first. */
  public List<io.natswarm.holepunch.ladder.LadderEvent> ladderEvents() {
    return ladder.recent();
  }

  /** The ladder's counters ({@link io.natswarm.node.status.StatusSource#ladderCounters}). */
  public java.util.Map<String, Long> ladderCounters() {
    return java.util.Map.of(
        "directRetriesWhileRelayed", ladder.directRetries(),
        "relayedTakenOver", connector.relayedTakenOver());
  }

  /** The relay's counters (ns_relay: our circuits and those we relay for others). */
  public RelayService.Counters relay() {
    return relay.counters();
  }

  /** The TURN rung's counters (our allocation and ns_turn). */
  public TurnService.Counters turn() {
    return turn.counters();
  }

  /** Punch probes sent and received by the node's socket, or null when it did not answer. */
  public long[] punchProbes() {
    return holepunch.probeCounters();
  }

  /** The IPv6 upgrade's counters: attempted, upgraded, failed, and dials that met another peer. */
  public Ipv6Upgrade.Counters ipv6Upgrades() {
    return upgrade.counters();
  }

  public SharedTorrent share(Path fileOrDirectory) throws IOException {
    Path p = fileOrDirectory.toAbsolutePath().normalize();
    byte[] bytes = Metainfo.create(p);
    Torrent torrent = parse(bytes, p.toString());
    Path root = p.getParent() == null ? p : p.getParent();
    BtTransfer t = open(torrent.getTorrentId(), root, torrent, null);
    return new SharedTorrent(bytes, Metainfo.magnet(torrent.getTorrentId(), torrent.getName()), t);
  }

  public Transfer download(Path torrentFile, Path directory) throws IOException {
    byte[] bytes = Files.readAllBytes(torrentFile);
    Torrent torrent = parse(bytes, torrentFile.toString());
    return open(torrent.getTorrentId(), directory, torrent, null);
  }

  /**
   * Downloads the torrent of {@code metainfo} (a {@code .torrent} file's bytes) into {@code
   * directory}.
   *
   * @throws IllegalArgumentException if it is not a valid torrent
   * @throws IOException if the node already has it or cannot write to {@code directory}
   */
  public Transfer download(byte[] metainfo, Path directory) throws IOException {
    Torrent torrent;
    try {
      torrent = parse(metainfo, "the uploaded .torrent");
    } catch (IOException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    return open(torrent.getTorrentId(), directory, torrent, null);
  }

  public Transfer download(String magnetUri, Path directory) throws IOException {
    MagnetUri magnet;
    try {
      magnet = MagnetUriParser.lenientParser().parse(magnetUri);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a valid magnet link: " + magnetUri, e);
    }
    TorrentId id = magnet.getTorrentId();
    BtTransfer t = open(id, directory, null, magnet);
    for (var a : magnet.getPeerAddresses()) {
      t.connect(new InetSocketAddress(a.getHostname(), a.getPort()));
    }
    return t;
  }

  private Torrent parse(byte[] bytes, String what) throws IOException {
    try {
      return metadata.fromByteArray(bytes);
    } catch (BtException | IllegalArgumentException | IllegalStateException e) {
      throw new IOException("not a valid torrent: " + what + ": " + e.getMessage(), e);
    }
  }

  private BtTransfer open(TorrentId id, Path directory, Torrent torrent, MagnetUri magnet)
      throws IOException {
    if (closed) {
      throw new IOException("the node is closed");
    }
    Files.createDirectories(directory);
    if (!Files.isWritable(directory)) {
      throw new IOException("cannot write to " + directory);
    }
    // A new client for each start: Bt 1.10 cannot start a stopped one again (pause and resume).
    java.util.function.Function<Torrent, BtClient> clients =
        known -> {
          bt.BtClientBuilder b =
              known != null ? Bt.client(runtime) : Bt.client(runtime).magnet(magnet);
          b.storage(new FileSystemStorage(directory));
          b.selector(new LazyRarestFirstSelector()); // issue 9 stage 3: in place of Bt's
          if (known != null) {
            b.torrent(() -> known);
          }
          return b.build();
        };
    BtTransfer t =
        new BtTransfer(
            id,
            torrent,
            clients,
            processing,
            runtime.service(bt.event.EventSink.class),
            () -> waitsForData(id),
            directPeers,
            registry,
            connector,
            this::forget);
    t.knownName(torrent == null ? null : torrent.getName());
    if (transfers.putIfAbsent(id, t) != null) {
      throw new IOException("torrent " + Metainfo.hex(id) + " is already on this node");
    }
    t.failOnStorageErrors(runtime.service(StorageFailures.class));
    t.start();
    if (dht != null) {
      announcers.put(id, dht.announce(id));
    }
    return t;
  }

  /**
   * Pauses the transfer of {@code infoHash} (40 hex digits): its Bt client stops and its
   * connections close; it stays listed, paused, with its pieces on disk; the DHT stops announcing
   * it. A hook for the status server (issue 10). Idempotent.
   *
   * @return the transfer, or empty if the node has no such torrent
   */
  public java.util.Optional<Transfer> pause(String infoHash) {
    BtTransfer t = find(infoHash);
    if (t == null) {
      return java.util.Optional.empty();
    }
    Torrent known = runtime.service(TorrentRegistry.class).getTorrent(t.torrentId()).orElse(null);
    if (t.pause(known) == BtTransfer.State.PAUSED) {
      Runnable stopAnnouncing = announcers.remove(t.torrentId());
      if (stopAnnouncing != null) {
        stopAnnouncing.run();
      }
    }
    return java.util.Optional.of(t);
  }

  /**
   * Resumes a paused transfer of {@code infoHash}: a new Bt client of the same torrent into the
   * same directory (Bt verifies what is on disk and fetches only what is missing). Idempotent.
   *
   * @return the transfer, or empty if the node has no such torrent
   * @throws IOException if Bt did not release the paused torrent in time
   */
  public java.util.Optional<Transfer> resume(String infoHash) throws IOException {
    BtTransfer t = find(infoHash);
    if (t == null) {
      return java.util.Optional.empty();
    }
    TorrentRegistry torrents = runtime.service(TorrentRegistry.class);
    BtTransfer.State before = t.state();
    BtTransfer.State after = t.resume(() -> torrents.getDescriptor(t.torrentId()).isEmpty());
    if (before == BtTransfer.State.PAUSED
        && after == BtTransfer.State.ACTIVE
        && dht != null
        && !closed) {
      announcers.put(t.torrentId(), dht.announce(t.torrentId()));
    }
    return java.util.Optional.of(t);
  }

  /** True if Bt's processing of {@code id} waits for pieces or metadata (or is gone). */
  private boolean waitsForData(TorrentId id) {
    var descriptor = runtime.service(TorrentRegistry.class).getDescriptor(id);
    if (descriptor.isEmpty()) {
      return true; // gone already (an interrupt is then a no-op), or not registered yet
    }
    var data = descriptor.get().getDataDescriptor();
    return data == null || data.getBitfield().getPiecesRemaining() > 0;
  }

  private BtTransfer find(String infoHash) {
    for (BtTransfer t : transfers.values()) {
      if (t.infoHash().equalsIgnoreCase(infoHash)) {
        return t;
      }
    }
    return null;
  }

  private void forget(BtTransfer t) {
    transfers.remove(t.torrentId(), t);
    Runnable stopAnnouncing = announcers.remove(t.torrentId());
    if (stopAnnouncing != null) {
      stopAnnouncing.run();
    }
  }

  /** What the node has done about misbehaving peers so far. */
  public PeerFailures peerFailures() {
    return runtime.service(PeerBans.class).snapshot();
  }

  /** The DHT service, or null when the node runs no DHT. */
  public DhtService dht() {
    return dht == null ? null : dht.service();
  }

  /**
   * Our external address as peers see it (the {@code yourip} of their BEP 10 handshakes, one vote
   * per peer address), or null before any peer said.
   */
  public java.net.InetAddress externalAddress() {
    return votes.leading();
  }

  /** The external-address votes now: votes per address peers said they see us at (yourip). */
  public Map<java.net.InetAddress, Integer> externalAddressVotes() {
    return votes.tally();
  }

  /** What the node knows of its reachability, and the verdict per address family. */
  public ReachabilityMonitor reachability() {
    return reachability;
  }

  /** Peer exchange's counters (BEP 11) now. */
  public PexCounters.Snapshot pexCounters() {
    return pex.counters();
  }

  /** The remote endpoints of the peer connections open now (for tests). */
  java.util.Set<InetSocketAddress> connectedEndpoints() {
    java.util.Set<InetSocketAddress> out = new java.util.HashSet<>();
    for (StreamPeerConnection c : connector.live()) {
      out.add(c.stream().remoteAddress());
    }
    return out;
  }

  /**
   * The PEX flags a peer's message gave {@code endpoint} in the torrent of {@code infoHash} (hex),
   * or -1 if no PEX message named it.
   */
  int pexFlagsOf(String infoHash, InetSocketAddress endpoint) {
    byte[] id = com.google.common.io.BaseEncoding.base16().lowerCase().decode(infoHash);
    return pex.flagsOf(TorrentId.fromBytes(id), endpoint);
  }

  /**
   * The node's torrents and their open connections now, for the status server ({@code
   * io.natswarm.node.status}; a hook added for issue 10).
   */
  public List<io.natswarm.node.status.TorrentView> torrentViews() {
    TorrentRegistry torrents = runtime.service(TorrentRegistry.class);
    List<io.natswarm.node.status.TorrentView> out = new ArrayList<>();
    for (BtTransfer t : transfers.values()) {
      String name =
          torrents
              .getTorrent(t.torrentId())
              .map(Torrent::getName)
              .orElse(t.knownName() == null ? "" : t.knownName());
      List<io.natswarm.node.status.PeerView> peers = new ArrayList<>();
      for (StreamPeerConnection c : connector.live()) {
        if (t.torrentId().equals(c.getTorrentId()) && !c.isClosed()) {
          PeerStream s = c.stream();
          InetSocketAddress a = s.remoteAddress();
          peers.add(
              new io.natswarm.node.status.PeerView(
                  a.getAddress().getHostAddress(),
                  a.getPort(),
                  switch (s.transport()) {
                    case UTP -> "utp";
                    case TCP -> "tcp";
                    case RELAY -> "relay";
                  },
                  a.getAddress() instanceof Inet6Address ? "ipv6" : "ipv4",
                  c.path(),
                  s.outgoing(),
                  c.client(),
                  c.payloadReceived(),
                  c.payloadSent(),
                  s instanceof UtpPeerStream u ? u.path() : null));
        }
      }
      out.add(
          new io.natswarm.node.status.TorrentView(
              t.infoHash(),
              name,
              t.state() == BtTransfer.State.PAUSED ? "paused" : "active",
              t.progress(),
              peers));
    }
    return out;
  }

  /** The transfer of {@code infoHash} (40 hex digits), if the node has it. */
  public java.util.Optional<Transfer> transfer(String infoHash) {
    return java.util.Optional.ofNullable(find(infoHash));
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    List<BtTransfer> all = new ArrayList<>(transfers.values());
    all.forEach(BtTransfer::stop);
    nat.close();
    dialBack.close();
    holepunch.close();
    relay.close();
    turn.close();
    try {
      runtime.shutdown();
    } finally {
      if (dht != null) {
        dht.close();
      }
      transport.close();
    }
  }
}
