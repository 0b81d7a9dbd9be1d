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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code bench/run utp-scale [--connections N] [--seconds S] [--interval-ms I]}: N (default 10,000)
 * concurrent µTP connections between two endpoints on 127.0.0.1, so each socket carries N
 * connections. Measures the heap each idle connection costs (after GC, both ends counted
 * separately), then runs light traffic for S seconds (default 20): every connection sends a 64-byte
 * message every I ms (default 2,000), the other end echoes it. Reports event-loop CPU per datagram
 * and whether every connection stayed alive and got every echo.
 */
public final class UtpScaleBench {
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
  private static final int MESSAGE = 64;

  private UtpScaleBench() {}

  public static void main(String[] args) throws Exception {
    int n = 10_000;
    int seconds = 20;
    int intervalMs = 2_000;
    int keepAliveSeconds = 4;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--connections" -> n = Integer.parseInt(args[++i]);
        case "--seconds" -> seconds = Integer.parseInt(args[++i]);
        case "--interval-ms" -> intervalMs = Integer.parseInt(args[++i]);
        case "--keepalive-s" -> keepAliveSeconds = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    UtpSettings settings =
        UtpSettings.builder()
            .maxConnections(Math.max(16_384, n + 100))
            .maxHalfOpen(1024)
            .acceptBacklog(4096)
            .keepAliveInterval(Duration.ofSeconds(keepAliveSeconds))
            .build();
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
      while (accepted < n - connectFailures && System.nanoTime() < deadline) {
        UtpChannel s = listener.poll();
        if (s == null) {
          Thread.sleep(1);
          continue;
        }
        s.configureBlocking(false);
        servers[accepted++] = s;
      }
      double connectSecs = (System.nanoTime() - t0) / 1e9;
      // Drain the hellos so that every channel is idle (no buffered bytes).
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
      // Idle for more than a keep-alive interval: the core gives idle buffers back at that tick.
      Thread.sleep(TimeUnit.SECONDS.toMillis(keepAliveSeconds) + 1500);
      long heap1 = usedHeapAfterGc(mem);
      int live = accepted;
      double bytesPerConn = (heap1 - heap0) / (double) (2L * live);

      // Light traffic.
      ThreadMXBean threads = ManagementFactory.getThreadMXBean();
      long[] loopIds = threadIds(threads, "scale-server", "scale-client");
      long cpu0 = threadsCpu(threads, loopIds);
      EndpointStats sa0 = ua.stats();
      EndpointStats sb0 = ub.stats();
      long[] sent = new long[n];
      long[] echoed = new long[n];
      long[] nextSend = new long[n];
      long start = System.nanoTime();
      long intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMs);
      for (int i = 0; i < n; i++) {
        nextSend[i] = start + (intervalNanos * i) / Math.max(1, n);
      }
      long end = start + TimeUnit.SECONDS.toNanos(seconds);
      int[] serverPending = new int[n];
      int[] clientGot = new int[n];
      ByteBuffer msg = ByteBuffer.allocate(MESSAGE);
      while (System.nanoTime() < end) {
        long now = System.nanoTime();
        for (int i = 0; i < n; i++) {
          if (clients[i] != null && nextSend[i] - now <= 0) {
            if (clients[i].write(msg.clear()) == MESSAGE) {
              sent[i]++;
            }
            nextSend[i] += intervalNanos;
          }
        }
        for (int i = 0; i < accepted; i++) {
          int r = servers[i].read(sink.clear());
          if (r > 0) {
            serverPending[i] += r;
            sink.flip();
            servers[i].write(sink);
          }
        }
        for (int i = 0; i < n; i++) {
          if (clients[i] != null) {
            int r = clients[i].read(sink.clear());
            if (r > 0) {
              clientGot[i] += r;
              echoed[i] = clientGot[i] / MESSAGE;
            }
          }
        }
        Thread.sleep(10);
      }
      // let the last echoes arrive
      long settle = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
      while (System.nanoTime() < settle) {
        for (int i = 0; i < accepted; i++) {
          int r = servers[i].read(sink.clear());
          if (r > 0) {
            sink.flip();
            servers[i].write(sink);
          }
        }
        for (int i = 0; i < n; i++) {
          if (clients[i] != null) {
            int r = clients[i].read(sink.clear());
            if (r > 0) {
              clientGot[i] += r;
              echoed[i] = clientGot[i] / MESSAGE;
            }
          }
        }
        Thread.sleep(10);
      }
      long cpu = threadsCpu(threads, loopIds) - cpu0;
      EndpointStats sa1 = ua.stats();
      EndpointStats sb1 = ub.stats();
      long datagrams =
          (sa1.datagramsReceived() - sa0.datagramsReceived())
              + (sa1.datagramsSent() - sa0.datagramsSent())
              + (sb1.datagramsReceived() - sb0.datagramsReceived())
              + (sb1.datagramsSent() - sb0.datagramsSent());
      int alive = 0;
      int complete = 0;
      long totalSent = 0;
      for (int i = 0; i < n; i++) {
        if (clients[i] != null && clients[i].isOpen() && !clients[i].isEnded()) {
          alive++;
        }
        if (clients[i] != null && echoed[i] == sent[i] && sent[i] > 0) {
          complete++;
        }
        totalSent += sent[i];
      }
      long totalEchoed = 0;
      long maxDeficit = 0;
      for (int i = 0; i < n; i++) {
        totalEchoed += echoed[i];
        maxDeficit = Math.max(maxDeficit, sent[i] - echoed[i]);
      }
      int serverAlive = 0;
      for (int i = 0; i < accepted; i++) {
        if (!servers[i].isEnded()) {
          serverAlive++;
        }
      }
      boolean allAlive = alive == n && serverAlive == n && complete == n;
      double nsPerDatagram = datagrams == 0 ? Double.NaN : cpu / (double) datagrams;

      BenchReport rep = new BenchReport("utp-scale");
      rep.columns("measure", "value");
      rep.row("connections requested", n);
      rep.row("connect failures", connectFailures);
      rep.row("accepted", accepted);
      rep.row("connect phase (s)", connectSecs);
      rep.row("heap per idle connection (bytes, each end)", bytesPerConn);
      rep.row("traffic seconds", seconds);
      rep.row("messages sent", totalSent);
      rep.row("datagrams in+out (both loops)", datagrams);
      rep.row("event-loop CPU (s)", cpu / 1e9);
      rep.row("event-loop CPU per datagram (µs)", nsPerDatagram / 1000);
      rep.row("clients alive", alive);
      rep.row("servers alive", serverAlive);
      rep.row("clients with every echo", complete);
      rep.row("messages echoed back", totalEchoed);
      rep.row("largest echo deficit of one client", maxDeficit);
      rep.result("connections", n)
          .result("heap_bytes_per_idle_connection", bytesPerConn)
          .result("loop_cpu_us_per_datagram", nsPerDatagram / 1000)
          .result("alive", alive + serverAlive)
          .result("all_alive", allAlive ? "true" : "false")
          .result("connect_seconds", connectSecs);
      rep.print(System.out);
      for (UtpChannel c : clients) {
        if (c != null) {
          c.abort();
        }
      }
    }
  }

  private static UdpEndpoint open(String name) throws IOException {
    return UdpEndpoint.builder().bind(new InetSocketAddress(LOOPBACK, 0)).threadName(name).open();
  }

  private static long usedHeapAfterGc(MemoryMXBean mem) throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
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
