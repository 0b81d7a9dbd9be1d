package io.natswarm.config;

import io.natswarm.dht.DhtConfig;
import io.natswarm.dht.routing.NodeId;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The DHT (BEP 5) of the node: which address families run a node, how to join, where the routing
 * table is kept, and the DHT module's own settings.
 *
 * @param ipv4 whether an IPv4 node runs
 * @param ipv6 whether an IPv6 node (BEP 32) runs
 * @param bootstrapNodes nodes to join through, not yet looked up
 * @param tableFile the IPv4 node's routing-table file (the IPv6 node's has "-v6" appended)
 * @param node the DHT module's settings, for IPv4, with no bootstrap nodes: {@link #nodeConfig}
 *     makes each family's
 */
public record DhtSettings(
    boolean ipv4, boolean ipv6, List<HostPort> bootstrapNodes, Path tableFile, DhtConfig node) {

  public DhtSettings {
    bootstrapNodes = List.copyOf(bootstrapNodes);
  }

  /** The routing-table file of the IPv4 or the IPv6 node. */
  public Path tableFile(boolean v6) {
    return v6 ? tableFile.resolveSibling(tableFile.getFileName() + "-v6") : tableFile;
  }

  /**
   * The DHT module's configuration of one family's node, with {@code bootstrap} (the looked-up
   * {@link #bootstrapNodes}) and, when known (a saved routing table), the node's id.
   */
  public DhtConfig nodeConfig(
      boolean v6, List<InetSocketAddress> bootstrap, Optional<NodeId> nodeId) {
    DhtConfig n = node;
    return new DhtConfig(
        v6,
        nodeId.isPresent() ? nodeId : n.nodeId(),
        n.externalAddress(),
        n.k(),
        n.alpha(),
        n.readOnly(),
        n.enforceBep42(),
        n.maxPerSubnet(),
        n.uniqueIps(),
        n.extendedBuckets(),
        n.minTimeout(),
        n.queryTimeout(),
        n.lookupTimeout(),
        n.queriesPerSecond(),
        n.queryBurst(),
        n.maxAnnouncesPerSource(),
        n.maxValues(),
        n.amplification(),
        n.peerTtl(),
        n.tokenRotation(),
        bootstrap,
        n.seed(),
        n.secretSource(),
        n.tracer());
  }
}
