package io.natswarm.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.natswarm.dht.routing.NodeId;
import io.natswarm.dht.routing.RoutingTableStore;
import io.natswarm.node.dht.RoutingTableFile;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node with {@link DhtSettings#routingTableFile()} saves its routing table and id when it closes
 * and, started again, reuses the id and joins through the saved nodes alone; a second node given
 * the same file while the first runs keeps no table and leaves the file alone.
 */
@Timeout(60)
class DhtRoutingTableFileTest {
  /** Long enough for a join on loopback (a few milliseconds) on a loaded machine. */
  private static final long JOIN_MILLIS = 1500;

  @TempDir Path dir;

  @Test
  void theTableIsSavedOnCloseAndRestoredOnStart() throws Exception {
    Path file = dir.resolve("state/dht-table");
    SwarmNodeSettings base = SwarmNodeSettings.loopback();
    try (SwarmNode bootstrap = SwarmNode.start(base.withDht(DhtSettings.joining(List.of())))) {
      InetSocketAddress b = bootstrap.listenAddress();
      DhtSettings viaBootstrap = DhtSettings.joining(List.of(b)).withRoutingTableFile(file);
      try (SwarmNode first = SwarmNode.start(base.withDht(viaBootstrap))) {
        Thread.sleep(JOIN_MILLIS);
        // the same file, while the first node holds it: this node keeps none
        try (SwarmNode second = SwarmNode.start(base.withDht(viaBootstrap))) {
          Thread.sleep(JOIN_MILLIS);
        }
        assertThat(file).doesNotExist();
      }
      assertThat(file).exists();
      RoutingTableStore.Loaded saved = RoutingTableStore.decode(Files.readAllBytes(file));
      assertThat(saved.problem()).isEmpty();
      assertThat(saved.nodes()).extracting(RoutingTableStore.SavedNode::address).contains(b);
      Optional<NodeId> id = RoutingTableFile.savedNodeId(file);
      assertThat(id).isPresent();

      // no bootstrap node given: it can join only through the restored table
      DhtSettings restoredOnly = DhtSettings.joining(List.of()).withRoutingTableFile(file);
      try (SwarmNode again = SwarmNode.start(base.withDht(restoredOnly))) {
        Thread.sleep(JOIN_MILLIS);
      }
      RoutingTableStore.Loaded resaved = RoutingTableStore.decode(Files.readAllBytes(file));
      assertThat(resaved.selfId()).isEqualTo(id);
      assertThat(resaved.nodes()).extracting(RoutingTableStore.SavedNode::address).contains(b);
    }
  }
}
