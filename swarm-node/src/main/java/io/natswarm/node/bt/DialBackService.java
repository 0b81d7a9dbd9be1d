package io.natswarm.node.bt;

import bt.net.ConnectionKey;
import bt.protocol.Message;
import bt.protocol.extended.ExtendedHandshake;
import bt.torrent.messaging.MessageContext;
import io.natswarm.datagram.UdpEndpoint;
import io.natswarm.holepunch.reach.AddressFamily;
import io.natswarm.holepunch.reach.DialBack;
import io.natswarm.holepunch.reach.DialBackProbes;
import io.natswarm.holepunch.reach.Transport;
import io.natswarm.node.DaemonThreads;
import io.natswarm.node.reach.ReachabilityMonitor;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reachability self-test between natswarm peers ({@link DialBack}, a BEP 10 extension): the
 * node asks one peer that speaks it, per address family and at most every {@link #RETEST}, to reach
 * it back over µTP (probe datagrams to its UDP port, answered by {@link DialBackProbes} on the
 * node's socket) and over TCP (a connection to its port), each from a fresh port of the peer's, and
 * tells the {@link ReachabilityMonitor} what got through. As the peer, it reaches back only the
 * address of the connection that asked (never an address a peer names), at most once per asking
 * address and transport every {@link #PER_ADDRESS}, and at most {@link #DIALS_PER_MINUTE} a minute
 * in all, so that it cannot be used to send traffic elsewhere.
 *
 * <p>Thread-safe: Bt's threads call the agent methods, dials and probe checks run on this service's
 * own thread, the probe core on the socket's loop.
 */
final class DialBackService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DialBackService.class);
  static final Duration RETEST = Duration.ofMinutes(30);
  static final Duration PER_ADDRESS = Duration.ofSeconds(30);
  static final int DIALS_PER_MINUTE = 10;
  private static final Duration PROBE_WAIT = Duration.ofMillis(1500);
  private static final Duration TCP_TIMEOUT = Duration.ofSeconds(3);
  private static final Duration PENDING_TIMEOUT = Duration.ofSeconds(15);
  private static final Duration LOOP_CALL = Duration.ofSeconds(5);
  private static final int MAX_OUTBOXES = 256;

  private record Pending(AddressFamily family, Transport transport, long sentNanos) {}

  private final boolean asks;
  private final UdpEndpoint udp;
  private final int port;
  private final ReachabilityMonitor monitor;
  private final DialBackProbes probes; // on the socket, registered by its composition root
  private final SecureRandom random = new SecureRandom();
  private final ScheduledExecutorService worker;

  private final Map<ConnectionKey, ArrayDeque<byte[]>> outboxes = new LinkedHashMap<>();
  private final Map<Long, Pending> pending = new HashMap<>();
  private final Map<AddressFamily, Long> askedAt = new EnumMap<>(AddressFamily.class);
  private final Map<String, Long> servedAt = new HashMap<>();
  private final ArrayDeque<Long> recentDials = new ArrayDeque<>();
  private long malformed;
  private long refused;

  /**
   * @param asks whether this node asks peers to test it (a node on loopback serves the test but
   *     does not ask)
   */
  DialBackService(
      UdpEndpoint udp, DialBackProbes probes, int port, ReachabilityMonitor monitor, boolean asks) {
    this.asks = asks;
    this.udp = udp;
    this.probes = probes;
    this.port = port;
    this.monitor = monitor;
    this.worker =
        Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("natswarm-dialback"));
  }

  /** A peer's BEP 10 handshake: ask it for a dial-back when this family is due for a test. */
  void handshake(ExtendedHandshake handshake, MessageContext context) {
    handshake(
        handshake.getSupportedMessageTypes(),
        context.getPeer().getInetAddress(),
        context.getConnectionKey());
  }

  /** A peer at {@code remote} on connection {@code key} speaks the extensions {@code types}. */
  void handshake(java.util.Set<String> types, InetAddress remote, ConnectionKey key) {
    if (!asks || !types.contains(DialBack.EXTENSION)) {
      return;
    }
    AddressFamily family = AddressFamily.of(remote);
    long now = System.nanoTime();
    long nonceUtp = random.nextLong();
    long nonceTcp = random.nextLong();
    synchronized (this) {
      Long last = askedAt.get(family);
      if (last != null && now - last < RETEST.toNanos()) {
        return;
      }
      askedAt.put(family, now);
      pending.put(nonceUtp, new Pending(family, Transport.UTP, now));
      pending.put(nonceTcp, new Pending(family, Transport.TCP, now));
      queue(key, DialBack.request(Transport.UTP, port, nonceUtp));
      queue(key, DialBack.request(Transport.TCP, port, nonceTcp));
    }
    onLoop(() -> probes.await(nonceUtp));
    schedule(this::expire, PENDING_TIMEOUT);
  }

  /** A peer's dial-back message: a request to serve, or a report on ours. */
  void received(DialBackMessage message, MessageContext context) {
    received(message.payload(), context.getPeer().getInetAddress(), context.getConnectionKey());
  }

  /** A dial-back message's {@code payload} from {@code peer} on connection {@code key}. */
  void received(byte[] payload, InetAddress peer, ConnectionKey key) {
    DialBack.Parsed p = DialBack.parse(payload);
    if (!p.ok()) {
      synchronized (this) {
        malformed++;
      }
      return;
    }
    DialBack m = p.message();
    if (m.kind() == DialBack.Kind.REQUEST) {
      serve(m, peer, key);
    } else {
      reported(m);
    }
  }

  /** Sends what was queued for this peer. */
  void produce(Consumer<Message> messages, MessageContext context) {
    for (byte[] b : take(context.getConnectionKey())) {
      messages.accept(new DialBackMessage(b));
    }
  }

  /** The payloads queued for connection {@code key}, oldest first; the queue is emptied. */
  synchronized java.util.List<byte[]> take(ConnectionKey key) {
    ArrayDeque<byte[]> box = outboxes.remove(key);
    return box == null ? java.util.List.of() : java.util.List.copyOf(box);
  }

  /** Malformed dial-back messages, and requests refused by the rate limits (for tests). */
  synchronized long[] counters() {
    return new long[] {malformed, refused};
  }

  private void serve(DialBack request, InetAddress asker, ConnectionKey key) {
    long now = System.nanoTime();
    String slot = asker.getHostAddress() + "/" + request.transport();
    synchronized (this) {
      while (!recentDials.isEmpty() && now - recentDials.peekFirst() > 60_000_000_000L) {
        recentDials.pollFirst();
      }
      Long last = servedAt.get(slot);
      if ((last != null && now - last < PER_ADDRESS.toNanos())
          || recentDials.size() >= DIALS_PER_MINUTE) {
        refused++;
        return;
      }
      servedAt.put(slot, now);
      recentDials.addLast(now);
      if (servedAt.size() > 1024) {
        servedAt.entrySet().removeIf(e -> now - e.getValue() > PER_ADDRESS.toNanos());
      }
    }
    InetSocketAddress target = new InetSocketAddress(asker, request.port());
    execute(
        () -> {
          boolean ok =
              request.transport() == Transport.TCP
                  ? connects(target)
                  : probe(target, request.nonce());
          synchronized (this) {
            queue(key, DialBack.report(request.transport(), ok, request.nonce()));
          }
        });
  }

  /** Opens a TCP connection to {@code target} from a fresh port; true when it was made. */
  private static boolean connects(InetSocketAddress target) {
    try (SocketChannel ch = SocketChannel.open()) {
      ch.socket().connect(target, (int) TCP_TIMEOUT.toMillis());
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** Sends three probes to {@code target} from a fresh UDP port; true when they were sent. */
  private static boolean probe(InetSocketAddress target, long nonce) {
    ByteBuffer b = ByteBuffer.allocate(DialBackProbes.LENGTH);
    try (DatagramChannel ch = DatagramChannel.open()) {
      for (int i = 0; i < 3; i++) {
        b.clear();
        b.putLong(DialBackProbes.MAGIC).putLong(nonce).flip();
        ch.send(b, target);
        Thread.sleep(100);
      }
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private void reported(DialBack report) {
    Pending p;
    synchronized (this) {
      p = pending.remove(report.nonce());
    }
    if (p == null || p.transport() != report.transport()) {
      return; // not ours, or already expired
    }
    if (p.transport() == Transport.TCP) {
      monitor.dialBack(p.family(), Transport.TCP, report.ok());
      return;
    }
    if (!report.ok()) {
      monitor.dialBack(p.family(), Transport.UTP, false); // the peer could not send
      return;
    }
    // The probes left the peer: give them time to cross, then see whether they arrived.
    schedule(
        () -> {
          Boolean arrived = onLoopCall(() -> probes.take(report.nonce()));
          if (arrived != null) {
            monitor.dialBack(p.family(), Transport.UTP, arrived);
          }
        },
        PROBE_WAIT);
  }

  /** Forgets requests no report answered (the peer left, or does not serve). */
  private void expire() {
    long now = System.nanoTime();
    synchronized (this) {
      Iterator<Map.Entry<Long, Pending>> it = pending.entrySet().iterator();
      while (it.hasNext()) {
        if (now - it.next().getValue().sentNanos() > PENDING_TIMEOUT.toNanos()) {
          it.remove();
        }
      }
    }
  }

  private void queue(ConnectionKey key, DialBack message) {
    ArrayDeque<byte[]> box = outboxes.computeIfAbsent(key, k -> new ArrayDeque<>());
    if (box.size() < 8) {
      box.add(message.encode());
    }
    if (outboxes.size() > MAX_OUTBOXES) {
      outboxes.remove(outboxes.keySet().iterator().next()); // a peer that left long ago
    }
  }

  private void onLoop(Runnable r) {
    try {
      udp.execute(r);
    } catch (RuntimeException e) {
      LOG.debug("dial-back: the socket is closing: {}", e.toString());
    }
  }

  private <T> T onLoopCall(java.util.concurrent.Callable<T> c) {
    try {
      return udp.call(c, LOOP_CALL);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private void execute(Runnable r) {
    try {
      worker.execute(r);
    } catch (RejectedExecutionException e) {
      // closing
    }
  }

  private void schedule(Runnable r, Duration after) {
    try {
      var unused = worker.schedule(r, after.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // closing
    }
  }

  @Override
  public void close() {
    worker.shutdownNow();
  }
}
