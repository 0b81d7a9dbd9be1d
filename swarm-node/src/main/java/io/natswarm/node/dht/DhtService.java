package io.natswarm.node.dht;

import io.natswarm.dht.DhtConfig;
import io.natswarm.dht.DhtCounters;
import io.natswarm.dht.DhtNode;
import io.natswarm.dht.DhtPort;
import io.natswarm.dht.LookupResult;
import io.natswarm.dht.routing.NodeId;
import io.natswarm.utp.endpoint.DatagramKind;
import io.natswarm.utp.endpoint.UdpEndpoint;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A mainline DHT node (BEP 5) running on a {@link UdpEndpoint}'s event loop and sharing its socket.
 * Every method may be called from any thread: calls are handed to the event loop, and lookups
 * complete their futures there.
 */
public final class DhtService implements Closeable {
  private static final Duration LOOP_CALL_TIMEOUT = Duration.ofSeconds(10);

  private final UdpEndpoint endpoint;
  private final DhtNode node;
  private final DhtDatagramHandler handler;

  private DhtService(UdpEndpoint endpoint, DhtNode node) {
    this.endpoint = endpoint;
    this.node = node;
    this.handler = new DhtDatagramHandler(node);
  }

  /** Starts a DHT node with {@code config} on {@code endpoint}'s socket. */
  public static DhtService start(UdpEndpoint endpoint, DhtConfig config, DhtPort port)
      throws IOException {
    DhtService service =
        endpoint.call(
            () -> new DhtService(endpoint, new DhtNode(config, port, System.nanoTime())),
            LOOP_CALL_TIMEOUT);
    endpoint.register(DatagramKind.KRPC, service.handler);
    return service;
  }

  /** Joins the DHT through the configured bootstrap nodes. */
  public CompletableFuture<LookupResult> bootstrap() {
    return lookup(done -> node.bootstrap(System.nanoTime(), done));
  }

  /** Finds peers for {@code infoHash}. */
  public CompletableFuture<LookupResult> getPeers(NodeId infoHash) {
    return lookup(done -> node.getPeers(infoHash, System.nanoTime(), done));
  }

  /** Announces that we serve {@code infoHash} on {@code port} (0: the port they see us on). */
  public CompletableFuture<LookupResult> announce(NodeId infoHash, int port) {
    return lookup(done -> node.announce(infoHash, port, System.nanoTime(), done));
  }

  /** Pings a node; if it answers it may join the routing table. */
  public void ping(InetSocketAddress address) {
    endpoint.execute(() -> node.ping(address, System.nanoTime()));
  }

  /** Our node id. */
  public NodeId selfId() {
    return node.selfId();
  }

  /**
   * Reads something of the node on its own thread, e.g. {@code service.inspect(n ->
   * n.routingTable().size())}.
   */
  public <T> T inspect(Function<DhtNode, T> reader) throws IOException {
    return endpoint.call(() -> reader.apply(node), LOOP_CALL_TIMEOUT);
  }

  /** The node's counters, read on its own thread. */
  public DhtCounters counters() throws IOException {
    return inspect(DhtNode::counters);
  }

  private CompletableFuture<LookupResult> lookup(Consumer<Consumer<LookupResult>> start) {
    CompletableFuture<LookupResult> result = new CompletableFuture<>();
    endpoint.execute(
        () -> {
          try {
            start.accept(result::complete);
          } catch (RuntimeException e) {
            result.completeExceptionally(e);
          }
        });
    return result;
  }

  /** Stops the node; the endpoint stays open for its other protocols. */
  @Override
  public void close() {
    endpoint.unregister(handler);
  }
}
