package io.natswarm.node;

import io.natswarm.dht.DhtConfig;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;

/**
 * The node's mainline DHT (BEP 5) as a peer source: when enabled, a DHT node shares the node's UDP
 * socket with µTP, joins through {@code bootstrapNodes} only (no public bootstrap node is ever
 * contacted unless listed here), announces every torrent when it starts and hands the peers it
 * finds to the engine as each answer arrives; peers learn its port from the BEP 5 PORT message.
 *
 * @param enabled whether the node runs a DHT node
 * @param bootstrapNodes the nodes it joins through
 * @param config the DHT module's settings (k, alpha, timeouts, rate limits, ...), or null for its
 *     defaults. Its address family and bootstrap list are not used: the family is the listen
 *     address's, the bootstrap nodes are {@code bootstrapNodes}. On a loopback listen address the
 *     per-IP and per-subnet limits are lifted ({@link DhtConfig.Builder#loopback()}), since every
 *     node there has the same IP
 * @param routingTableFile where the routing table (and the node id) is kept across runs: read when
 *     the node starts (its nodes join the bootstrap, its id is reused), written when it closes;
 *     null for none. A file another running node holds is left alone (this node then keeps none)
 */
public record DhtSettings(
    boolean enabled,
    List<InetSocketAddress> bootstrapNodes,
    DhtConfig config,
    Path routingTableFile) {
  /** No DHT. */
  public static final DhtSettings OFF = new DhtSettings(false, List.of());

  /**
   * The settings as given; {@code bootstrapNodes} is copied.
   *
   * @throws NullPointerException if {@code bootstrapNodes} is null or holds null
   */
  public DhtSettings {
    bootstrapNodes = List.copyOf(bootstrapNodes);
  }

  /** A DHT with the DHT module's default settings and no routing-table file. */
  public DhtSettings(boolean enabled, List<InetSocketAddress> bootstrapNodes) {
    this(enabled, bootstrapNodes, null, null);
  }

  /**
   * A DHT that joins through {@code bootstrapNodes} (may be empty: the first node of a network).
   */
  public static DhtSettings joining(List<InetSocketAddress> bootstrapNodes) {
    return new DhtSettings(true, bootstrapNodes);
  }

  /** These settings with the DHT module's settings {@code value} (null: its defaults). */
  public DhtSettings withConfig(DhtConfig value) {
    return new DhtSettings(enabled, bootstrapNodes, value, routingTableFile);
  }

  /** These settings keeping the routing table in {@code file} (null: nowhere). */
  public DhtSettings withRoutingTableFile(Path file) {
    return new DhtSettings(enabled, bootstrapNodes, config, file);
  }
}
