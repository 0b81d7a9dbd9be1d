package io.natswarm.node;

import io.natswarm.node.bt.BtEngine;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;

/**
 * A BitTorrent peer embedded in an application: shares files and downloads torrents.
 *
 * <pre>{@code
 * try (SwarmNode node = SwarmNode.start(SwarmNodeSettings.loopback())) {
 *   SharedTorrent shared = node.share(Path.of("video.mkv"));
 *   System.out.println(shared.magnetUri());
 *   Transfer t = node.download(Path.of("other.torrent"), Path.of("downloads"));
 *   t.connect(new InetSocketAddress("127.0.0.1", 6881));
 *   t.completion().join();
 * }
 * }</pre>
 *
 * <p>Thread-safe. The engine behind it is Bt 1.10, wired in {@code io.natswarm.node.bt}.
 */
public final class SwarmNode implements AutoCloseable {
  private final BtEngine engine;

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

  /** Stops every transfer and the engine; what was verified stays on disk. Idempotent. */
  @Override
  public void close() {
    engine.close();
  }
}
