package io.natswarm.dht.interop;

import io.natswarm.dht.DhtConfig;
import io.natswarm.dht.DhtNode;
import io.natswarm.dht.DhtPort;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;

/**
 * Test-only event loop: one loopback {@link DatagramChannel} and one thread driving a {@link
 * DhtNode} with the real clock (the role swarm-node's adapter plays in production). Work from other
 * threads goes through {@link #call}.
 */
public final class UdpDriver implements AutoCloseable {
  private final DatagramChannel channel;
  private final Selector selector;
  private final DhtNode node;
  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final Thread thread;
  private volatile boolean running = true;

  public UdpDriver(DhtConfig config, InetAddress bind) throws IOException {
    channel = DatagramChannel.open();
    channel.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
    channel.setOption(StandardSocketOptions.SO_SNDBUF, 4 << 20);
    channel.bind(new InetSocketAddress(bind, 0));
    channel.configureBlocking(false);
    selector = Selector.open();
    channel.register(selector, SelectionKey.OP_READ);
    node = new DhtNode(config, DhtPort.NONE, System.nanoTime());
    thread = new Thread(this::loop, "dht-udp-driver");
    thread.setDaemon(true);
    thread.start();
  }

  public InetSocketAddress localAddress() throws IOException {
    return (InetSocketAddress) channel.getLocalAddress();
  }

  /** Runs {@code f} on the loop thread with the current time and returns its result. */
  public <T> CompletableFuture<T> call(Function<DhtNode, T> f) {
    CompletableFuture<T> out = new CompletableFuture<>();
    tasks.add(
        () -> {
          try {
            out.complete(f.apply(node));
          } catch (RuntimeException e) {
            out.completeExceptionally(e);
          }
        });
    selector.wakeup();
    return out;
  }

  /** Runs {@code f} on the loop thread and waits for it. */
  public void run(java.util.function.Consumer<DhtNode> f) {
    call(n -> {
          f.accept(n);
          return Boolean.TRUE;
        })
        .join();
  }

  private void loop() {
    ByteBuffer in = ByteBuffer.allocateDirect(65_536);
    ByteBuffer out = ByteBuffer.allocate(65_536);
    try {
      while (running) {
        long now = System.nanoTime();
        long deadline = node.pollTimeout();
        long waitMs = deadline == Long.MAX_VALUE ? 1000 : Math.max(1, (deadline - now) / 1_000_000);
        selector.select(Math.min(waitMs, 1000));
        selector.selectedKeys().clear();
        while (true) {
          in.clear();
          InetSocketAddress from = (InetSocketAddress) channel.receive(in);
          if (from == null) {
            break;
          }
          in.flip();
          node.handleDatagram(in, from, System.nanoTime());
        }
        for (Runnable r; (r = tasks.poll()) != null; ) {
          r.run();
        }
        now = System.nanoTime();
        if (now >= node.pollTimeout()) {
          node.handleTimeout(now);
        }
        InetSocketAddress to;
        while ((to = node.pollTransmit(out.clear(), now)) != null) {
          out.flip();
          channel.send(out, to);
        }
      }
    } catch (IOException e) {
      if (running) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** Current time for API calls made inside {@link #call}. */
  public static long now() {
    return System.nanoTime();
  }

  @Override
  public void close() throws IOException {
    running = false;
    selector.wakeup();
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    channel.close();
    selector.close();
  }
}
