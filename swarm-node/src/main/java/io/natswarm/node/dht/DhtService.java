package io.natswarm.node.dht;

import io.natswarm.datagram.DatagramKind;
import io.natswarm.datagram.UdpEndpoint;
import io.natswarm.dht.DhtConfig;
import io.natswarm.dht.DhtCounters;
import io.natswarm.dht.DhtNode;
import io.natswarm.dht.DhtPort;
import io.natswarm.dht.FoundPeers;
import io.natswarm.dht.LookupResult;
import io.natswarm.dht.routing.NodeId;
import io.natswarm.dht.routing.RoutingTableStore;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A mainline DHT node (BEP 5) on a {@link UdpEndpoint}'s event loop, sharing its socket: the
 * sans-IO {@link DhtNode} is registered on the endpoint for {@link DatagramKind#KRPC} as it is, and
 * reads time only from the endpoint's clock. One service serves one address family ({@link
 * DhtConfig#ipv6()}); for a dual-stack node start one per family on the same endpoint (each node
 * declines the other family's datagrams).
 *
 * <p>Every method may be called from any thread: calls are handed to the event loop, lookups
 * complete their futures there (and their {@link FoundPeers} listeners hear peers there, as each
 * answer arrives), and counters come back as snapshots taken there. {@link #close()} (or the
 * endpoint closing) completes every pending bootstrap and lookup exceptionally with "DHT service
 * closed". The routing table is kept across restarts as bytes from the node, written to and read
 * from a file here, off the loop ({@link #saveRoutingTable}, {@link #loadRoutingTable}).
 */
public final class DhtService implements Closeable {
  private static final Duration LOOP_CALL_TIMEOUT = Duration.ofSeconds(10);
  private static final String CLOSED = "DHT service closed";

  private final UdpEndpoint endpoint;
  private final DhtNode node;

  /** Pending lookups by a sequence number (futures have no useful equality). */
  private final Map<Long, CompletableFuture<LookupResult>> pending = new ConcurrentHashMap<>();

  private final AtomicLong nextLookup = new AtomicLong();
  private final Runnable onEndpointClosed = this::endpointClosed;

  /**
   * Why the service stopped, or null while it runs. Written on the loop, or once the loop ended.
   */
  private volatile String closedReason;

  private DhtService(UdpEndpoint endpoint, DhtNode node) {
    this.endpoint = endpoint;
    this.node = node;
  }

  /** Starts a DHT node with {@code config} on {@code endpoint}'s socket. */
  public static DhtService start(UdpEndpoint endpoint, DhtConfig config, DhtPort port)
      throws IOException {
    return endpoint.call(
        () -> {
          DhtNode node = new DhtNode(config, port, endpoint.clock().nanoTime());
          DhtService service = new DhtService(endpoint, node);
          endpoint.register(DatagramKind.KRPC, node);
          endpoint.addCloseHook(service.onEndpointClosed);
          return service;
        },
        LOOP_CALL_TIMEOUT);
  }

  /**
   * The service over a {@link DhtNode} that the node's composition root already registered on
   * {@code endpoint}; closing the service unregisters it.
   */
  public static DhtService over(UdpEndpoint endpoint, DhtNode node) throws IOException {
    return endpoint.call(
        () -> {
          DhtService service = new DhtService(endpoint, node);
          endpoint.addCloseHook(service.onEndpointClosed);
          return service;
        },
        LOOP_CALL_TIMEOUT);
  }

  /** Joins the DHT through the restored and the configured bootstrap nodes. */
  public CompletableFuture<LookupResult> bootstrap() {
    return lookup(node::bootstrap);
  }

  /** Finds peers for {@code infoHash}. */
  public CompletableFuture<LookupResult> getPeers(NodeId infoHash) {
    return getPeers(infoHash, FoundPeers.NONE);
  }

  /**
   * Finds peers for {@code infoHash}; {@code found} hears them as each answer brings them, all
   * before the future completes. {@code found} runs on the event loop: it must not block, throw or
   * call into Bt (hand the peers to a thread of your own).
   */
  public CompletableFuture<LookupResult> getPeers(NodeId infoHash, FoundPeers found) {
    return lookup((now, done) -> node.getPeers(infoHash, now, found, done));
  }

  /** Announces that we serve {@code infoHash} on {@code port} (0: the port they see us on). */
  public CompletableFuture<LookupResult> announce(NodeId infoHash, int port) {
    return announce(infoHash, port, FoundPeers.NONE);
  }

  /**
   * Announces that we serve {@code infoHash} on {@code port} (0: the port they see us on); the
   * peers its get_peers lookup finds go to {@code found} as each answer brings them, as for {@link
   * #getPeers(NodeId, FoundPeers)}.
   */
  public CompletableFuture<LookupResult> announce(NodeId infoHash, int port, FoundPeers found) {
    return lookup((now, done) -> node.announce(infoHash, port, now, found, done));
  }

  /**
   * Pings a node; if it answers it may join the routing table.
   *
   * @throws RejectedExecutionException when the endpoint is closed
   */
  public void ping(InetSocketAddress address) {
    endpoint.execute(
        () -> {
          if (closedReason == null) {
            node.ping(address, endpoint.clock().nanoTime());
          }
        });
  }

  /** Our node id. */
  public NodeId selfId() {
    return node.selfId();
  }

  /** Whether this service's node serves IPv6 rather than IPv4. */
  public boolean ipv6() {
    return node.ipv6();
  }

  /**
   * Reads something of the node on its own thread, e.g. {@code service.inspect(n ->
   * n.routingTable().size())}. The reader must return a value, not a live part of the node.
   */
  public <T> T inspect(Function<DhtNode, T> reader) throws IOException {
    return endpoint.call(() -> reader.apply(node), LOOP_CALL_TIMEOUT);
  }

  /** A snapshot of the node's counters, taken on its own thread. */
  public DhtCounters counters() throws IOException {
    return inspect(DhtNode::counters);
  }

  /**
   * Writes the routing table to {@code file}: the bytes are taken on the loop, the file is written
   * here (to a temporary file, then moved into place).
   */
  public void saveRoutingTable(Path file) throws IOException {
    byte[] data = inspect(DhtNode::routingTableBytes);
    Path dir = file.toAbsolutePath().getParent();
    if (dir != null) {
      Files.createDirectories(dir);
    }
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.write(tmp, data);
    try {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /**
   * Reads a routing table saved by {@link #saveRoutingTable}; its nodes seed the next {@link
   * #bootstrap()}. A missing, unreadable, oversized or corrupt file is reported in the result (the
   * node then starts empty), never thrown.
   */
  public RoutingTableStore.Loaded loadRoutingTable(Path file) throws IOException {
    byte[] data;
    try {
      if (Files.size(file) > RoutingTableStore.MAX_BYTES) {
        return RoutingTableStore.Loaded.problem(
            file + " is larger than " + RoutingTableStore.MAX_BYTES + " bytes; ignored");
      }
      data = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return RoutingTableStore.Loaded.problem("no saved routing table at " + file);
    } catch (IOException e) {
      return RoutingTableStore.Loaded.problem("cannot read " + file + ": " + e.getMessage());
    }
    RoutingTableStore.Loaded loaded = inspect(n -> n.restoreRoutingTable(data));
    return loaded.problem().isPresent()
        ? RoutingTableStore.Loaded.problem(file + ": " + loaded.problem().get())
        : loaded;
  }

  /** Starts a lookup on the loop; its future completes there, or fails once the service closed. */
  private CompletableFuture<LookupResult> lookup(LookupStart start) {
    CompletableFuture<LookupResult> result = new CompletableFuture<>();
    String reason = closedReason;
    if (reason != null) {
      result.completeExceptionally(new IllegalStateException(reason));
      return result;
    }
    try {
      endpoint.execute(
          () -> {
            String why = closedReason;
            if (why != null) {
              result.completeExceptionally(new IllegalStateException(why));
              return;
            }
            Long key = nextLookup.getAndIncrement();
            pending.put(key, result);
            try {
              start.start(
                  endpoint.clock().nanoTime(),
                  r -> {
                    pending.remove(key);
                    result.complete(r);
                  });
            } catch (RuntimeException e) {
              pending.remove(key);
              result.completeExceptionally(e);
            }
          });
    } catch (RejectedExecutionException e) {
      result.completeExceptionally(
          new IllegalStateException(CLOSED + ": its UDP endpoint is closed", e));
    }
    return result;
  }

  /** How a lookup is started on the loop: with the loop's time and the completion callback. */
  @FunctionalInterface
  private interface LookupStart {
    void start(long nowNanos, Consumer<LookupResult> done);
  }

  /**
   * Stops the node and fails every pending bootstrap and lookup with "DHT service closed"; the
   * endpoint stays open for its other protocols. Idempotent; waits for the loop (up to 10 s).
   */
  @Override
  public void close() {
    if (closedReason != null) {
      return;
    }
    try {
      endpoint.call(
          () -> {
            endpoint.unregister(node);
            endpoint.removeCloseHook(onEndpointClosed);
            shutDown(CLOSED);
            return null;
          },
          LOOP_CALL_TIMEOUT);
    } catch (RejectedExecutionException | IOException e) {
      // the loop is gone (or stuck): nothing will complete the futures but us
      shutDown(CLOSED);
    }
  }

  /** Marks the service closed and fails what is pending. On the loop, or after it ended. */
  private void shutDown(String reason) {
    if (closedReason == null) {
      closedReason = reason;
    }
    IllegalStateException cause = new IllegalStateException(closedReason);
    for (Long key : List.copyOf(pending.keySet())) {
      CompletableFuture<LookupResult> f = pending.remove(key);
      if (f != null) {
        f.completeExceptionally(cause);
      }
    }
  }

  private void endpointClosed() {
    shutDown(CLOSED + ": its UDP endpoint closed");
  }
}
