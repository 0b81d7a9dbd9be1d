package io.natswarm.node;

import io.natswarm.node.bt.BtEngine;
import io.natswarm.node.status.StatusServer;
import io.natswarm.node.status.StatusServerSettings;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A BitTorrent peer embedded in an application: shares files and downloads torrents.
 *
 * <pre>{@code
 * SwarmNodeSettings settings =
 *     SwarmNodeSettings.loopback().withDht(DhtSettings.joining(List.of(bootstrapNode)));
 * try (SwarmNode node = SwarmNode.start(settings)) {
 *   SharedTorrent shared = node.share(Path.of("video.mkv"));       // seeds at once
 *   System.out.println(shared.magnetUri());
 *   Transfer t = node.download(Path.of("other.torrent"), Path.of("downloads"));
 *   t.connect(new InetSocketAddress("127.0.0.1", 6881));            // optional: a known peer
 *   TransferProgress done = t.completion().get();                  // every piece verified
 * }
 * }</pre>
 *
 * <p>A complete example, compiled and run by the build, is in the README ("The embedded API"; its
 * source is swarm-node's test class {@code io.natswarm.node.ReadmeExample}).
 *
 * <h2>The whole public API (stable)</h2>
 *
 * <ul>
 *   <li>{@link SwarmNode}: {@link #start(SwarmNodeSettings)}, {@link #listenAddress()}, {@link
 *       #share(Path)}, {@link #download(Path, Path)} (a {@code .torrent} file), {@link
 *       #download(String, Path)} (a magnet link), {@link #peerFailures()} ({@link PeerFailures}
 *       counters), {@link #serveStatus} (a status server: JSON, metrics, web page), {@link
 *       #close()}.
 *   <li>{@link SwarmNodeSettings}: an immutable record (listen address and port, {@link
 *       PeerEncryption}, {@link EngineTuning}, peer-discovery interval, {@link TrackerPolicy},
 *       {@link PeerTransports}, {@link DhtSettings} with the DHT module's settings and a
 *       routing-table file, µTP's {@code UtpSettings}, the UDP socket's buffer sizes); {@link
 *       SwarmNodeSettings#loopback()} and {@code with...} copies.
 *   <li>{@link Transfer}: the handle of one torrent: {@link Transfer#infoHash()}, {@link
 *       Transfer#progress()} (a {@link TransferProgress} snapshot: pieces, bytes, peers by
 *       transport), {@link Transfer#completion()} (a future completed when every piece is verified,
 *       exceptionally if the transfer stops first), {@link Transfer#connect}, {@link
 *       Transfer#stop()}.
 *   <li>{@link SharedTorrent}: what {@link #share} made: the metainfo bytes, the magnet link and
 *       the seeding {@link Transfer}.
 * </ul>
 *
 * <p>One port number serves the node: µTP (and the DHT) on its UDP socket, TCP on the same port.
 * Peers come from {@link Transfer#connect}, the torrent's trackers (subject to {@link
 * TrackerPolicy}) and the DHT when enabled. Nothing reaches the network beyond what the settings
 * name: no public DHT bootstrap, no port mapping, no local service discovery.
 *
 * <p>Thread-safe. The engine behind it is Bt 1.10, wired in {@code io.natswarm.node.bt}; no Bt type
 * appears in this API.
 */
public final class SwarmNode implements AutoCloseable {
  private final BtEngine engine;
  private final List<StatusServer> statusServers = new CopyOnWriteArrayList<>();

  private SwarmNode(BtEngine engine) {
    this.engine = engine;
  }

  /** Starts a node with {@code settings}. */
  public static SwarmNode start(SwarmNodeSettings settings) throws IOException {
    return new SwarmNode(BtEngine.start(settings));
  }

  /** The address peers connect to. */
  public InetSocketAddress listenAddress() {
    return engine.listenAddress();
  }

  /**
   * Makes a v1 torrent (BEP 3) of {@code fileOrDirectory}, checks the data and seeds it.
   *
   * @throws IOException if the data cannot be read
   */
  public SharedTorrent share(Path fileOrDirectory) throws IOException {
    return engine.share(fileOrDirectory);
  }

  /**
   * Downloads the torrent described by the {@code .torrent} file at {@code torrentFile} into {@code
   * directory}, then seeds it.
   *
   * @throws IOException if the file cannot be read or is not a valid torrent
   */
  public Transfer download(Path torrentFile, Path directory) throws IOException {
    return engine.download(torrentFile, directory);
  }

  /**
   * Downloads the torrent of a magnet link (BEP 9: the metadata comes from peers) into {@code
   * directory}, then seeds it.
   *
   * @throws IllegalArgumentException if {@code magnetUri} is not a valid BTIH magnet link
   */
  public Transfer download(String magnetUri, Path directory) throws IOException {
    return engine.download(magnetUri, directory);
  }

  /**
   * Counters of what the node did about misbehaving peers: pieces that failed verification, peers
   * banned for them, connections refused to banned peers, connections closed for protocol errors.
   */
  public PeerFailures peerFailures() {
    return engine.peerFailures();
  }

  /**
   * Serves this node's status: JSON, Prometheus metrics and a web page (issue 10; see {@link
   * StatusServer}). Closed with the node.
   *
   * @throws IllegalArgumentException if the address is not loopback and no token is set
   * @throws IOException if the address cannot be bound
   */
  public StatusServer serveStatus(StatusServerSettings settings) throws IOException {
    StatusServer s = StatusServer.start(engine, settings);
    statusServers.add(s);
    return s;
  }

  /** Stops every transfer and the engine; what was verified stays on disk. Idempotent. */
  @Override
  public void close() {
    statusServers.forEach(StatusServer::close);
    engine.close();
  }
}
