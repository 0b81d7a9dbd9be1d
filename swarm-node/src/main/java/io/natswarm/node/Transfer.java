package io.natswarm.node;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;

/**
 * One torrent on a {@link SwarmNode}: downloading, then seeding until {@link #stop()} or the node
 * closes. Thread-safe.
 */
public interface Transfer {
  /** The torrent's BEP 3 info-hash as 40 lower-case hex digits. */
  String infoHash();

  /** The latest progress snapshot. */
  TransferProgress progress();

  /**
   * Completes once every piece is present and verified (at once for a seed), with the snapshot that
   * showed it; completes exceptionally if the transfer stops or fails first. Dependent actions run
   * on a pool thread, never on the engine's.
   */
  CompletableFuture<TransferProgress> completion();

  /** Dials {@code peer} for this torrent (and again whenever the node looks for peers). */
  void connect(InetSocketAddress peer);

  /** Stops the transfer; what was verified stays on disk. Idempotent. */
  void stop();
}
