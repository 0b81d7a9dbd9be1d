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
import io.natswarm.node.SharedTorrent;
import io.natswarm.node.SwarmNodeSettings;
import io.natswarm.node.Transfer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bt's runtime for one node: built with {@code BtRuntime.builder(config)}, peer exchange and local
 * service discovery disabled (ours come later), no DHT module of Bt's, automatic shutdown disabled
 * (the node decides when it ends), and {@link NatswarmBtModule} overriding Bt's bindings. Each
 * torrent is one Bt client on the shared runtime ({@link BtTransfer}).
 *
 * <p>Thread-safe.
 */
public final class BtEngine implements AutoCloseable {
  private final BtRuntime runtime;
  private final InetSocketAddress listenAddress;
  private final DirectPeers directPeers;
  private final IMetadataService metadata;
  private final IPeerRegistry registry;
  private final Map<TorrentId, BtTransfer> transfers = new ConcurrentHashMap<>();
  private volatile boolean closed;

  private BtEngine(BtRuntime runtime, InetSocketAddress listenAddress, DirectPeers directPeers) {
    this.runtime = runtime;
    this.listenAddress = listenAddress;
    this.directPeers = directPeers;
    this.metadata = runtime.service(IMetadataService.class);
    this.registry = runtime.service(IPeerRegistry.class);
  }

  /** Builds and starts Bt's runtime for {@code settings}. */
  public static BtEngine start(SwarmNodeSettings settings) throws IOException {
    int port = settings.listenPort() == 0 ? freePort(settings) : settings.listenPort();
    Config config = EngineConfig.of(settings, port);
    DirectPeers direct = new DirectPeers();
    BtRuntime runtime =
        BtRuntime.builder(config)
            .disablePeerExchange()
            .disableLocalServiceDiscovery()
            .disableAutomaticShutdown()
            .module(new NatswarmBtModule(settings.trackers(), direct))
            .build();
    runtime.startup();
    return new BtEngine(runtime, new InetSocketAddress(settings.listenAddress(), port), direct);
  }

  /**
   * Stage 0 only: Bt's own acceptor binds the port it is given, so a free one is looked up here.
   * Another process may take it in between; stage 1 replaces Bt's acceptor with the node's own
   * listening socket.
   */
  private static int freePort(SwarmNodeSettings settings) throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, settings.listenAddress())) {
      return s.getLocalPort();
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
    BtTransfer t = new BtTransfer(id, client, directPeers, registry, this::forget);
    if (transfers.putIfAbsent(id, t) != null) {
      throw new IOException("torrent " + Metainfo.hex(id) + " is already on this node");
    }
    t.start();
    return t;
  }

  private void forget(BtTransfer t) {
    transfers.remove(t.torrentId(), t);
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    List<BtTransfer> all = new ArrayList<>(transfers.values());
    all.forEach(BtTransfer::stop);
    runtime.shutdown();
  }
}
