package io.natswarm.dht.interop;

import io.natswarm.datagram.DatagramKind;
import io.natswarm.datagram.NanoClock;
import io.natswarm.datagram.UdpEndpoint;
import io.natswarm.dht.DhtConfig;
import io.natswarm.dht.DhtNode;
import io.natswarm.dht.DhtPort;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Test-only host: a real {@link UdpEndpoint} on a loopback address with one {@link DhtNode}
 * registered for {@link DatagramKind#KRPC}, the way swarm-node's DHT service runs it, on the system
 * clock. Work from other threads goes through {@link #call}.
 */
public final class UdpDriver implements AutoCloseable {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private final UdpEndpoint endpoint;
  private final DhtNode node;

  public UdpDriver(DhtConfig config, InetAddress bind) throws IOException {
    endpoint =
        UdpEndpoint.builder()
            .bind(new InetSocketAddress(bind, 0))
            .threadName("dht-udp-driver")
            .open();
    try {
      node =
          endpoint.call(
              () -> {
                DhtNode n = new DhtNode(config, DhtPort.NONE, endpoint.clock().nanoTime());
                endpoint.register(DatagramKind.KRPC, n);
                return n;
              },
              TIMEOUT);
    } catch (IOException | RuntimeException e) {
      endpoint.close();
      throw e;
    }
  }

  public InetSocketAddress localAddress() {
    return endpoint.localAddress();
  }

  /** Runs {@code f} on the loop thread and returns its result. */
  public <T> CompletableFuture<T> call(Function<DhtNode, T> f) {
    CompletableFuture<T> out = new CompletableFuture<>();
    endpoint.execute(
        () -> {
          try {
            out.complete(f.apply(node));
          } catch (RuntimeException e) {
            out.completeExceptionally(e);
          }
        });
    return out;
  }

  /** Runs {@code f} on the loop thread and waits for it. */
  public void run(Consumer<DhtNode> f) {
    call(n -> {
          f.accept(n);
          return Boolean.TRUE;
        })
        .join();
  }

  /** The loop's clock, for API calls made inside {@link #call}. */
  public static long now() {
    return NanoClock.SYSTEM.nanoTime();
  }

  @Override
  public void close() {
    endpoint.close();
  }
}
