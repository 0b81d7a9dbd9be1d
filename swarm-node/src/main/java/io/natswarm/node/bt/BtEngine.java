package io.natswarm.node.bt;

import bt.Bt;
import bt.BtException;
import bt.data.file.FileSystemStorage;
import bt.magnet.MagnetUri;
import bt.magnet.MagnetUriParser;
import bt.metainfo.IMetadataService;
import bt.metainfo.Torrent;
import bt.metainfo.TorrentId;
import bt.peer.IPeerRegistry;
import bt.runtime.BtClient;
import bt.runtime.BtRuntime;
import bt.runtime.Config;
import io.natswarm.dht.DhtConfig;
import io.natswarm.node.SharedTorrent;
import io.natswarm.node.SwarmNodeSettings;
import io.natswarm.node.Transfer;
import io.natswarm.node.dht.DhtService;
import io.natswarm.node.net.NodeSocketSettings;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

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

  private final BtRuntime runtime;
  private final InetSocketAddress listenAddress;
  private final DirectPeers directPeers;
  private final IMetadataService metadata;
  private final IPeerRegistry registry;
  private final NodeTransport transport;
  private final PeerConnector connector;
  private final DhtPeerSource dht; // null: no DHT
  private final Map<TorrentId, BtTransfer> transfers = new ConcurrentHashMap<>();
  private final Map<TorrentId, Runnable> announcers = new ConcurrentHashMap<>();
  private volatile boolean closed;

  private BtEngine(
      BtRuntime runtime, NodeTransport transport, DirectPeers directPeers, DhtPeerSource dht) {
    this.runtime = runtime;
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
    NodeSocketSettings socketSettings = NodeSocketSettings.utpOnly();
    boolean v6 = settings.listenAddress() instanceof Inet6Address;
    if (settings.dht().enabled()) {
      DhtConfig.Builder b =
          DhtConfig.builder().ipv6(v6).bootstrapNodes(settings.dht().bootstrapNodes());
      if (settings.listenAddress().isLoopbackAddress()) {
        b.loopback(); // every node is 127.0.0.1: no per-IP limits
      }
      socketSettings =
          v6 ? socketSettings.withDhtV6(b.build()) : socketSettings.withDhtV4(b.build());
    }
    NodeTransport transport =
        NodeTransport.open(
            settings.listenAddress(),
            settings.listenPort(),
            socketSettings,
            settings.transports(),
            UTP_CONNECT_TIMEOUT);
    DhtPeerSource dht = null;
    try {
      DirectPeers direct = new DirectPeers();
      if (settings.dht().enabled()) {
        DhtService service =
            DhtService.over(
                transport.udp(), v6 ? transport.socket().dhtV6() : transport.socket().dhtV4());
        dht = new DhtPeerSource(service, transport.listenAddress(), direct);
      }
      Config config = EngineConfig.of(settings, transport.listenAddress().getPort());
      BtRuntime runtime =
          BtRuntime.builder(config)
              .disablePeerExchange()
              .disableLocalServiceDiscovery()
              .disableAutomaticShutdown()
              .module(new NatswarmBtModule(settings.trackers(), direct, transport, dht))
              .build();
      runtime.startup();
      if (dht != null) {
        dht.attach(runtime.service(IPeerRegistry.class));
      }
      return new BtEngine(runtime, transport, direct, dht);
    } catch (IOException | RuntimeException e) {
      if (dht != null) {
        dht.close();
      }
      transport.close();
      throw e;
    }
  }

  public InetSocketAddress listenAddress() {
    return listenAddress;
  }

  public SharedTorrent share(Path fileOrDirectory) throws IOException {
    Path p = fileOrDirectory.toAbsolutePath().normalize();
    byte[] bytes = Metainfo.create(p);
    Torrent torrent = parse(bytes, p.toString());
    Path root = p.getParent() == null ? p : p.getParent();
    BtTransfer t = open(torrent.getTorrentId(), Bt.client(runtime), root, torrent);
    return new SharedTorrent(bytes, Metainfo.magnet(torrent.getTorrentId(), torrent.getName()), t);
  }

  public Transfer download(Path torrentFile, Path directory) throws IOException {
    byte[] bytes = Files.readAllBytes(torrentFile);
    Torrent torrent = parse(bytes, torrentFile.toString());
    return open(torrent.getTorrentId(), Bt.client(runtime), directory, torrent);
  }

  public Transfer download(String magnetUri, Path directory) throws IOException {
    MagnetUri magnet;
    try {
      magnet = MagnetUriParser.lenientParser().parse(magnetUri);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a valid magnet link: " + magnetUri, e);
    }
    TorrentId id = magnet.getTorrentId();
    BtTransfer t = open(id, Bt.client(runtime).magnet(magnet), directory, null);
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

  private BtTransfer open(TorrentId id, bt.BtClientBuilder builder, Path directory, Torrent torrent)
      throws IOException {
    if (closed) {
      throw new IOException("the node is closed");
    }
    Files.createDirectories(directory);
    if (!Files.isWritable(directory)) {
      throw new IOException("cannot write to " + directory);
    }
    builder.storage(new FileSystemStorage(directory));
    if (torrent != null) {
      builder.torrent(() -> torrent);
    }
    BtClient client = builder.build();
    BtTransfer t = new BtTransfer(id, client, directPeers, registry, connector, this::forget);
    if (transfers.putIfAbsent(id, t) != null) {
      throw new IOException("torrent " + Metainfo.hex(id) + " is already on this node");
    }
    t.start();
    if (dht != null) {
      announcers.put(id, dht.announce(id));
    }
    return t;
  }

  private void forget(BtTransfer t) {
    transfers.remove(t.torrentId(), t);
    Runnable stopAnnouncing = announcers.remove(t.torrentId());
    if (stopAnnouncing != null) {
      stopAnnouncing.run();
    }
  }

  /** The DHT service, or null when the node runs no DHT. */
  public DhtService dht() {
    return dht == null ? null : dht.service();
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    List<BtTransfer> all = new ArrayList<>(transfers.values());
    all.forEach(BtTransfer::stop);
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
