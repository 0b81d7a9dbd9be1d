package io.natswarm.bench;

import io.natswarm.datagram.EndpointStats;
import io.natswarm.datagram.UdpEndpoint;
import io.natswarm.utp.UtpSettings;
import io.natswarm.utp.stream.UtpChannel;
import io.natswarm.utp.stream.UtpServerSocket;
import io.natswarm.utp.stream.UtpSocket;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code bench/run utp-scale [--connections N] [--seconds S] [--interval-ms I]}: N (default 10,000)
 * concurrent µTP connections between two endpoints on 127.0.0.1, so each socket carries N
 * connections, with the default settings (keep-alive interval included) but for the connection
 * limits. Phases:
 *
 * <ol>
 *   <li>Connect; each client says hello (64 bytes). {@code established}: connections whose client
 *       end connected and whose server end was accepted (not the number requested).
 *   <li>Light traffic for S seconds (default 20): every client sends a 64-byte message every I ms
 *       (default 1,000), the server echoes it. Event-loop CPU per datagram, and whether every
 *       connection stayed alive and got every echo.
 *   <li>Active heap: right after the traffic and one last message on every connection, heap after
 *       GC per connection end; reported with the number of connections whose last echo came within
 *       the second before the measure (when it is below {@code established}, the figure is not that
 *       of connections all active).
 *   <li>Idle heap: after idling one default keep-alive interval and 2 s more (the core returns an
 *       idle connection's buffers at that tick), heap after GC per connection end.
 * </ol>
 *
 * Heap is measured against the heap after GC before the first connection, and divided by 2 × {@code
 * established} (both ends live in this JVM). Goals (issue 8): idle ≤ 4 KiB, active ≤ 16 KiB.
 */
public final class UtpScaleBench {
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
  private static final int MESSAGE = 64;
  private static final double IDLE_GOAL_BYTES = 4096;
  private static final double ACTIVE_GOAL_BYTES = 16384;

  private UtpScaleBench() {}

  public static void main(String[] args) throws Exception {
    int n = 10_000;
    int seconds = 20;
    int intervalMs = 1_000;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--connections" -> n = Integer.parseInt(args[++i]);
        case "--seconds" -> seconds = Integer.parseInt(args[++i]);
        case "--interval-ms" -> intervalMs = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    if (intervalMs > 1000) {
      throw new IllegalArgumentException(
          "--interval-ms above 1000: the active heap is defined by an exchange within the last second");
    }
    UtpSettings settings =
        UtpSettings.defaults().toBuilder()
            .maxConnections(Math.max(16_384, n + 100))
            .maxHalfOpen(1024)
            .acceptBacklog(4096)
            .build();
    Duration keepAlive = settings.keepAliveInterval();
    MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
    try (UdpEndpoint ua = open("scale-server");
        UdpEndpoint ub = open("scale-client");
        UtpSocket server = UtpSocket.open(ua, settings, 16_384);
        UtpSocket client = UtpSocket.open(ub, settings, 16_384)) {
      UtpServerSocket listener = server.listen();
      long heap0 = usedHeapAfterGc(mem);

      // Connect in windows of 512 handshakes; each client says hello so the server side leaves
      // SYN_RECEIVED (half-open) at once.
      long t0 = System.nanoTime();
      UtpChannel[] clients = new UtpChannel[n];
      UtpChannel[] servers = new UtpChannel[n];
      int accepted = 0;
      int connected = 0;
      int connectFailures = 0;
      ByteBuffer hello = ByteBuffer.allocate(MESSAGE);
      List<CompletableFuture<UtpChannel>> window = new ArrayList<>();
      int next = 0;
      while (next < n || !window.isEmpty()) {
        while (next < n && window.size() < 512) {
          window.add(
              client.connectAsync(
                  new InetSocketAddress(LOOPBACK, ua.port()), Duration.ofSeconds(20)));
          next++;
        }
        CompletableFuture<UtpChannel> f = window.remove(0);
        try {
          UtpChannel c = f.get(30, TimeUnit.SECONDS);
          c.configureBlocking(false);
          c.write(hello.clear());
          clients[connected++] = c;
        } catch (java.util.concurrent.ExecutionException e) {
          connectFailures++;
        }
        UtpChannel s;
        while ((s = listener.poll()) != null) {
          s.configureBlocking(false);
          servers[accepted++] = s;
        }
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (accepted < connected && System.nanoTime() < deadline) {
        UtpChannel s = listener.poll();
        if (s == null) {
          Thread.sleep(1);
          continue;
        }
        s.configureBlocking(false);
        servers[accepted++] = s;
      }
      double connectSecs = (System.nanoTime() - t0) / 1e9;
      int established = Math.min(connected, accepted);
      // Drain the hellos.
      ByteBuffer sink = ByteBuffer.allocate(4096);
      long helloDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      int pendingHellos = accepted;
      int[] got = new int[n];
      while (pendingHellos > 0 && System.nanoTime() < helloDeadline) {
        pendingHellos = 0;
        for (int i = 0; i < accepted; i++) {
          if (got[i] < MESSAGE) {
            int r = servers[i].read(sink.clear());
            if (r > 0) {
              got[i] += r;
            }
            if (got[i] < MESSAGE) {
              pendingHellos++;
            }
          }
        }
        if (pendingHellos > 0) {
          Thread.sleep(5);
        }
      }

      // Light traffic.
      ThreadMXBean threads = ManagementFactory.getThreadMXBean();
      long[] loopIds = threadIds(threads, "scale-server", "scale-client");
      long cpu0 = threadsCpu(threads, loopIds);
      EndpointStats sa0 = ua.stats();
      EndpointStats sb0 = ub.stats();
      long[] sent = new long[n];
      long[] echoed = new long[n];
      long[] nextSend = new long[n];
      long[] lastEcho = new long[n];
      long start = System.nanoTime();
      long intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMs);
      for (int i = 0; i < n; i++) {
        nextSend[i] = start + (intervalNanos * i) / Math.max(1, n);
      }
      long end = start + TimeUnit.SECONDS.toNanos(seconds);
      int[] clientGot = new int[n];
      ByteBuffer msg = ByteBuffer.allocate(MESSAGE);
      while (System.nanoTime() < end) {
        long now = System.nanoTime();
        for (int i = 0; i < connected; i++) {
          if (nextSend[i] - now <= 0) {
            if (clients[i].write(msg.clear()) == MESSAGE) {
              sent[i]++;
            }
            nextSend[i] += intervalNanos;
          }
        }
        echo(servers, accepted, sink);
        collect(clients, connected, sink, clientGot, echoed, lastEcho);
        Thread.sleep(10);
      }
      // A last message on every connection, and its echo, so that the active-heap measure below
      // falls within a second of every connection's last exchange.
      for (int i = 0; i < connected; i++) {
        if (clients[i].write(msg.clear()) == MESSAGE) {
          sent[i]++;
        }
      }
      long settle = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
      long missing = 1;
      while (missing > 0 && System.nanoTime() < settle) {
        echo(servers, accepted, sink);
        collect(clients, connected, sink, clientGot, echoed, lastEcho);
        missing = 0;
        for (int i = 0; i < connected; i++) {
          missing += sent[i] - echoed[i];
        }
        Thread.sleep(5);
      }
      long cpu = threadsCpu(threads, loopIds) - cpu0;
      EndpointStats sa1 = ua.stats();
      EndpointStats sb1 = ub.stats();

      // Active heap: every connection exchanged messages within the last second.
      long heapActive = usedHeapAfterGc(mem);
      long measuredAt = System.nanoTime();
      long oldestExchange = 0;
      int exchangedLastSecond = 0;
      for (int i = 0; i < connected; i++) {
        if (lastEcho[i] != 0) {
          oldestExchange = Math.max(oldestExchange, measuredAt - lastEcho[i]);
          exchangedLastSecond += measuredAt - lastEcho[i] <= 1_000_000_000L ? 1 : 0;
        }
      }
      double activePerEnd = (heapActive - heap0) / (2.0 * established);

      long datagrams =
          (sa1.datagramsReceived() - sa0.datagramsReceived())
              + (sa1.datagramsSent() - sa0.datagramsSent())
              + (sb1.datagramsReceived() - sb0.datagramsReceived())
              + (sb1.datagramsSent() - sb0.datagramsSent());
      int complete = 0;
      long totalSent = 0;
      long totalEchoed = 0;
      long maxDeficit = 0;
      for (int i = 0; i < connected; i++) {
        if (echoed[i] == sent[i] && sent[i] > 0) {
          complete++;
        }
        totalSent += sent[i];
        totalEchoed += echoed[i];
        maxDeficit = Math.max(maxDeficit, sent[i] - echoed[i]);
      }
      double nsPerDatagram = datagrams == 0 ? Double.NaN : cpu / (double) datagrams;

      // Idle past one keep-alive interval: the core gives idle buffers back at that tick.
      System.err.printf(
          Locale.ROOT,
          "utp-scale: idling %d s (keep-alive %d s + 2 s)...%n",
          keepAlive.toSeconds() + 2,
          keepAlive.toSeconds());
      Thread.sleep(keepAlive.toMillis() + 2000);
      long heapIdle = usedHeapAfterGc(mem);
      double idlePerEnd = (heapIdle - heap0) / (2.0 * established);

      int alive = 0;
      for (int i = 0; i < connected; i++) {
        if (clients[i].isOpen() && !clients[i].isEnded()) {
          alive++;
        }
      }
      int serverAlive = 0;
      for (int i = 0; i < accepted; i++) {
        if (!servers[i].isEnded()) {
          serverAlive++;
        }
      }
      boolean allAlive = established == n && alive == n && serverAlive == n && complete == n;

      BenchReport rep = new BenchReport("utp-scale");
      rep.columns("measure", "value");
      rep.row("connections requested", n);
      rep.row("connect failures", connectFailures);
      rep.row("client ends connected", connected);
      rep.row("server ends accepted", accepted);
      rep.row("established", established);
      rep.row("connect phase (s)", connectSecs);
      rep.row("traffic seconds", seconds);
      rep.row("message interval (ms)", intervalMs);
      rep.row("messages sent", totalSent);
      rep.row("messages echoed back", totalEchoed);
      rep.row("clients with every echo", complete);
      rep.row("largest echo deficit of one client", maxDeficit);
      rep.row("datagrams in+out (both loops)", datagrams);
      rep.row("event-loop CPU (s)", cpu / 1e9);
      rep.row("event-loop CPU per datagram (µs)", nsPerDatagram / 1000);
      rep.row("heap per active connection (bytes, each end)", activePerEnd);
      rep.row("  connections with an echo within the second before it", exchangedLastSecond);
      rep.row(
          "  oldest last echo at that measure, among those with one (ms)", oldestExchange / 1e6);
      rep.row("keep-alive interval (s, the default)", keepAlive.toSeconds());
      rep.row("heap per idle connection (bytes, each end)", idlePerEnd);
      rep.row("clients alive at the end", alive);
      rep.row("servers alive at the end", serverAlive);
      rep.result("connections", n)
          .result("established", established)
          .result("heap_bytes_per_idle_connection", idlePerEnd)
          .result("heap_bytes_per_active_connection", activePerEnd)
          .result("idle_goal_met", idlePerEnd <= IDLE_GOAL_BYTES ? "true" : "false")
          .result("active_goal_met", activePerEnd <= ACTIVE_GOAL_BYTES ? "true" : "false")
          .result("active_exchanged_last_second", exchangedLastSecond)
          .result("active_oldest_exchange_ms", oldestExchange / 1e6)
          .result("messages_sent", (double) totalSent)
          .result("messages_echoed", (double) totalEchoed)
          .result("keepalive_seconds", (double) keepAlive.toSeconds())
          .result("loop_cpu_us_per_datagram", nsPerDatagram / 1000)
          .result("alive", alive + serverAlive)
          .result("all_alive", allAlive ? "true" : "false")
          .result("connect_seconds", connectSecs);
      rep.print(System.out);
      for (int i = 0; i < connected; i++) {
        clients[i].abort();
      }
    }
  }

  /** Server ends echo what they received. */
  private static void echo(UtpChannel[] servers, int count, ByteBuffer sink) throws IOException {
    for (int i = 0; i < count; i++) {
      int r = servers[i].read(sink.clear());
      if (r > 0) {
        sink.flip();
        servers[i].write(sink);
      }
    }
  }

  /** Client ends count whole echoed messages and when the last one arrived. */
  private static void collect(
      UtpChannel[] clients,
      int count,
      ByteBuffer sink,
      int[] clientGot,
      long[] echoed,
      long[] lastEcho)
      throws IOException {
    for (int i = 0; i < count; i++) {
      int r = clients[i].read(sink.clear());
      if (r > 0) {
        clientGot[i] += r;
        echoed[i] = clientGot[i] / MESSAGE;
        lastEcho[i] = System.nanoTime();
      }
    }
  }

  private static UdpEndpoint open(String name) throws IOException {
    return UdpEndpoint.builder().bind(new InetSocketAddress(LOOPBACK, 0)).threadName(name).open();
  }

  private static long usedHeapAfterGc(MemoryMXBean mem) throws InterruptedException {
    for (int i = 0; i < 2; i++) {
      System.gc();
      Thread.sleep(20);
    }
    return mem.getHeapMemoryUsage().getUsed();
  }

  private static long[] threadIds(ThreadMXBean threads, String... names) {
    long[] ids = new long[names.length];
    for (ThreadInfo ti : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (ti == null) {
        continue;
      }
      for (int i = 0; i < names.length; i++) {
        if (ti.getThreadName().equals(names[i])) {
          ids[i] = ti.getThreadId();
        }
      }
    }
    return ids;
  }

  private static long threadsCpu(ThreadMXBean threads, long[] ids) {
    long sum = 0;
    for (long id : ids) {
      long t = threads.getThreadCpuTime(id);
      if (t > 0) {
        sum += t;
      }
    }
    return sum;
  }
}
