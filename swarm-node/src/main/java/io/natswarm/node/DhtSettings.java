package io.natswarm.node;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * The node's mainline DHT (BEP 5) as a peer source: when enabled, a DHT node shares the node's UDP
 * socket with µTP, joins through {@code bootstrapNodes} only (no public bootstrap node is ever
 * contacted unless listed here), announces every torrent when it starts and hands the peers it
 * finds to the engine; peers learn its port from the BEP 5 PORT message.
 *
 * @param enabled whether the node runs a DHT node
 * @param bootstrapNodes the nodes it joins through
 */
public record DhtSettings(boolean enabled, List<InetSocketAddress> bootstrapNodes) {
  /** No DHT. */
  public static final DhtSettings OFF = new DhtSettings(false, List.of());

  public DhtSettings {
    bootstrapNodes = List.copyOf(bootstrapNodes);
  }

  /**
   * A DHT that joins through {@code bootstrapNodes} (may be empty: the first node of a network).
   */
  public static DhtSettings joining(List<InetSocketAddress> bootstrapNodes) {
    return new DhtSettings(true, bootstrapNodes);
  }
}
