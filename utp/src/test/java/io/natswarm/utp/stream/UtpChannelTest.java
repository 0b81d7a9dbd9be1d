package io.natswarm.utp.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.natswarm.datagram.DatagramKind;
import io.natswarm.datagram.EndpointStats;
import io.natswarm.datagram.UdpEndpoint;
import io.natswarm.utp.UtpError;
import io.natswarm.utp.UtpSettings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two real endpoints on 127.0.0.1 talking µTP through the stream API. */
class UtpChannelTest {
  private static final Duration T = Duration.ofSeconds(10);
  private static final int ALLOC_WARMUP_MIB = 8;
  private static final int ALLOC_TOTAL_MIB = 64;
  private static final int ALLOC_WINDOW_DATAGRAMS = 8192;
  private static final int ALLOC_LIMIT_BYTES = 8;

  private UdpEndpoint udpA;
  private UdpEndpoint udpB;
  private UtpSocket a;
  private UtpSocket b;
  private final ExecutorService pool = Executors.newCachedThreadPool();

  @BeforeEach
  void open() throws IOException {
    udpA = UdpEndpoint.builder().bind(Loopback.v4(0)).threadName("utp-a").open();
    udpB = UdpEndpoint.builder().bind(Loopback.v4(0)).threadName("utp-b").open();
    a = UtpSocket.open(udpA);
    b = UtpSocket.open(udpB);
  }

  @AfterEach
  void close() {
    pool.shutdownNow();
    a.close();
    b.close();
    udpA.close();
    udpB.close();
  }

  static byte[] random(int n, long seed) {
    byte[] d = new byte[n];
    new Random(seed).nextBytes(d);
    return d;
  }

  static byte[] readAll(UtpChannel ch) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteBuffer buf = ByteBuffer.allocate(50_000);
    while (ch.read(buf.clear()) >= 0) {
      out.write(buf.array(), 0, buf.position());
    }
    return out.toByteArray();
  }

  @Test
  void mebibytesCrossByteExactInBothDirections() throws Exception {
    byte[] up = random(4 << 20, 1);
    byte[] down = random(2 << 20, 2);
    UtpServerSocket server = a.listen();
    Future<UtpChannel> accepted = pool.submit(() -> server.accept(T));
    UtpChannel client = b.connect(Loopback.v4(udpA.port()), T);
    UtpChannel srv = accepted.get(10, TimeUnit.SECONDS);
    client.setReadTimeout(T);
    srv.setReadTimeout(T);
    assertEquals(udpB.port(), srv.remoteAddress().getPort());
    assertTrue(client.isOutgoing());

    Future<byte[]> srvRead = pool.submit(() -> readAll(srv));
    Future<byte[]> clientRead = pool.submit(() -> readAll(client));
    Future<?> srvWrite =
        pool.submit(
            () -> {
              assertEquals(down.length, srv.write(ByteBuffer.wrap(down)));
              srv.shutdownOutput();
              return null;
            });
    // write in odd-sized pieces to exercise chunk boundaries
    ByteBuffer src = ByteBuffer.wrap(up);
    while (src.hasRemaining()) {
      ByteBuffer piece = src.slice().limit(Math.min(src.remaining(), 12_345));
      src.position(src.position() + client.write(piece));
    }
    client.shutdownOutput();
    srvWrite.get(15, TimeUnit.SECONDS);
    assertArrayEquals(up, srvRead.get(15, TimeUnit.SECONDS));
    assertArrayEquals(down, clientRead.get(15, TimeUnit.SECONDS));
    assertEquals(UtpError.NONE, client.error());
    EndpointStats s = udpA.stats();
    assertEquals(1472, udpB.stats().largestDatagramSent(), "full µTP packets are 1472 bytes");
    assertEquals(0, s.sendErrors());
    assertEquals(0, s.handlerErrors());
    assertEquals(s.datagramsReceived(), s.utpConsumed() + s.unclaimed());
  }

  @Test
  void dualStackEndpointsCarryUtpOverIpv6AndIpv4() throws Exception {
    try (UdpEndpoint d1 = UdpEndpoint.builder().port(0).open();
        UdpEndpoint d2 = UdpEndpoint.builder().port(0).open();
        UtpSocket s1 = UtpSocket.open(d1);
        UtpSocket s2 = UtpSocket.open(d2)) {
      UtpServerSocket server = s1.listen();
      for (java.net.InetSocketAddress to :
          new java.net.InetSocketAddress[] {Loopback.v6(d1.port()), Loopback.v4(d1.port())}) {
        Future<UtpChannel> acc = pool.submit(() -> server.accept(T));
        try (UtpChannel c = s2.connect(to, T);
            UtpChannel s = acc.get(10, TimeUnit.SECONDS)) {
          s.setReadTimeout(T);
          byte[] data = random(100_000, 9);
          c.write(ByteBuffer.wrap(data));
          c.shutdownOutput();
          assertArrayEquals(data, readAll(s), "over " + to);
          assertEquals(to.getAddress().getClass(), s.remoteAddress().getAddress().getClass());
        }
      }
    }
  }

  /**
   * The hot path allocates nothing per datagram, checked in <em>every</em> steady-state window.
   *
   * <p>Warm-up ({@value #ALLOC_WARMUP_MIB} MiB): connection set-up, the JIT, and the bounded pools
   * grown to their working size; the reader stalls once so that the receive buffer and the stream
   * layer's chunk queue fill up completely. After it, the two loop threads' allocated bytes are
   * sampled at MiB boundaries, and a window closes once it carried {@value #ALLOC_WINDOW_DATAGRAMS}
   * datagrams or more (both endpoints' received datagrams). Every window must stay under {@value
   * #ALLOC_LIMIT_BYTES} bytes per datagram: a per-packet object costs 16 bytes at least, and data
   * packets are about nine in ten of the datagrams, so one would put every window above 14. What
   * stays below the limit: the sampling itself (a {@code stats()} snapshot per sample), the JDK
   * selector's node per wake-up, and a one-off growth of a bounded ring (the sent-packet ring's
   * last doubling to 1,024 entries is about 25 KB, 3 bytes per datagram of one window), measured at
   * 1.8 to 3.8 bytes per datagram in the worst window of a run.
   */
  @Test
  void eventLoopsDoNotAllocatePerDatagram() throws Exception {
    com.sun.management.ThreadMXBean tm =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    UtpChannel[] pair = connectPair();
    long[] loops = new long[2];
    udpA.call(() -> loops[0] = Thread.currentThread().getId(), T);
    udpB.call(() -> loops[1] = Thread.currentThread().getId(), T);
    byte[] chunk = random(1 << 20, 8);
    Future<?> writer =
        pool.submit(
            () -> {
              for (int i = 0; i < ALLOC_TOTAL_MIB; i++) {
                pair[1].write(ByteBuffer.wrap(chunk));
              }
              pair[1].shutdownOutput();
              return null;
            });
    ByteBuffer in = ByteBuffer.allocate(1 << 16);
    long got = 0;
    long lastAlloc = -1;
    long lastDgrams = 0;
    List<String> windows = new ArrayList<>();
    double worst = 0;
    int n;
    while ((n = pair[0].read(in.clear())) >= 0) {
      long before = got;
      got += n;
      if (before >> 20 == got >> 20) {
        continue;
      }
      if (got >> 20 == 2) {
        Thread.sleep(300); // the stall: every buffer and queue on the way fills up
      }
      if (got < ((long) ALLOC_WARMUP_MIB << 20)) {
        continue;
      }
      long dgrams = udpA.stats().datagramsReceived() + udpB.stats().datagramsReceived();
      if (lastAlloc >= 0 && dgrams - lastDgrams < ALLOC_WINDOW_DATAGRAMS) {
        continue;
      }
      long alloc = tm.getThreadAllocatedBytes(loops[0]) + tm.getThreadAllocatedBytes(loops[1]);
      if (lastAlloc >= 0) {
        double perDatagram = (alloc - lastAlloc) / (double) (dgrams - lastDgrams);
        worst = Math.max(worst, perDatagram);
        windows.add(
            String.format(
                Locale.ROOT,
                "to MiB %d: %d B over %d datagrams (%.2f B each)",
                got >> 20,
                alloc - lastAlloc,
                dgrams - lastDgrams,
                perDatagram));
      }
      lastAlloc = alloc;
      lastDgrams = dgrams;
    }
    writer.get(15, TimeUnit.SECONDS);
    assertEquals((long) ALLOC_TOTAL_MIB << 20, got);
    assertTrue(windows.size() >= 3, "steady-state windows: " + windows);
    assertTrue(
        worst < ALLOC_LIMIT_BYTES,
        "a steady-state window allocated "
            + worst
            + " bytes per datagram on the loops (limit "
            + ALLOC_LIMIT_BYTES
            + "); every window:\n"
            + String.join("\n", windows));
  }

  @Test
  void connectToASilentPortTimesOutWithTheDurationInTheMessage() throws Exception {
    try (DatagramChannel silent = DatagramChannel.open()) {
      silent.bind(Loopback.v4(0));
      int port = ((java.net.InetSocketAddress) silent.getLocalAddress()).getPort();
      long t0 = System.nanoTime();
      SocketTimeoutException e =
          assertThrows(
              SocketTimeoutException.class,
              () -> b.connect(Loopback.v4(port), Duration.ofMillis(300)));
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertTrue(ms >= 290 && ms < 3000, "took " + ms + " ms");
      assertTrue(e.getMessage().contains("timed out after 0.3 s"), e.getMessage());
      assertTrue(e.getMessage().contains(":" + port), e.getMessage());
      assertEquals(0, b.channelCount(), "the half-open connection was aborted");
    }
  }

  @Test
  void acceptListenerAnnouncesQueuedConnectionsForPolling() throws Exception {
    UtpServerSocket server = a.listen();
    CountDownLatch announced = new CountDownLatch(2);
    server.setAcceptListener(announced::countDown);
    assertEquals(null, server.poll());
    UtpChannel c1 = b.connect(Loopback.v4(udpA.port()), T);
    UtpChannel c2 = b.connect(Loopback.v4(udpA.port()), T);
    assertTrue(announced.await(5, TimeUnit.SECONDS));
    UtpChannel s1 = server.poll();
    UtpChannel s2 = server.poll();
    assertTrue(s1 != null && s2 != null, "both connections were queued");
    assertEquals(c1.localAddress().getPort(), s1.remoteAddress().getPort());
    assertEquals(c2.localAddress().getPort(), s2.remoteAddress().getPort());
    server.close();
    ConnectException e =
        assertThrows(ConnectException.class, () -> b.connect(Loopback.v4(udpA.port()), T));
    assertTrue(e.getMessage().contains("refused"), e.getMessage());
  }

  @Test
  void oneUtpSocketPerEndpointAndTheEndpointOutlivesIt() throws Exception {
    IllegalStateException twice =
        assertThrows(IllegalStateException.class, () -> UtpSocket.open(udpA));
    assertTrue(twice.getMessage().contains("already has µTP"), twice.getMessage());
    UtpChannel[] pair = connectPair();
    a.close();
    IOException e = assertThrows(IOException.class, () -> readAll(pair[0]));
    assertTrue(e.getMessage().contains("shut down"), e.getMessage());
    // µTP is off the endpoint: its datagrams are now unclaimed; a new socket may take over
    a = UtpSocket.open(udpA);
    UtpChannel[] again = connectPair();
    again[1].write(ByteBuffer.wrap(new byte[] {42}));
    ByteBuffer one = ByteBuffer.allocate(1);
    assertEquals(1, again[0].read(one));
    assertEquals(42, one.get(0));
  }

  @Test
  void connectToAPeerThatDoesNotListenIsRefused() {
    // a has µTP but never called listen(): its stack answers the SYN with ST_RESET
    ConnectException e =
        assertThrows(ConnectException.class, () -> b.connect(Loopback.v4(udpA.port()), T));
    assertTrue(e.getMessage().contains("refused by /127.0.0.1:" + udpA.port()), e.getMessage());
  }

  @Test
  void closeDeliversWhatWasWrittenThenEndOfStream() throws Exception {
    UtpChannel[] pair = connectPair();
    byte[] data = random(300_000, 3);
    pair[1].write(ByteBuffer.wrap(data));
    pair[1].close(); // returns at once; bytes and FIN still go out
    assertEquals(ChannelState.CLOSED, pair[1].state());
    assertThrows(ClosedChannelException.class, () -> pair[1].read(ByteBuffer.allocate(1)));
    assertArrayEquals(data, readAll(pair[0]));
    assertEquals(-1, pair[0].read(ByteBuffer.allocate(1)), "end of stream stays");
    assertTrue(
        pair[0].state() == ChannelState.INPUT_ENDED || pair[0].state() == ChannelState.ENDED,
        "the reader saw the FIN: " + pair[0].state());
  }

  @Test
  void abortIsSeenAsResetByPeer() throws Exception {
    UtpChannel[] pair = connectPair();
    pair[1].write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
    ByteBuffer three = ByteBuffer.allocate(3);
    while (three.hasRemaining()) {
      pair[0].read(three);
    }
    pair[1].abort();
    assertEquals(ChannelState.ABORTED, pair[1].state());
    IOException e = assertThrows(IOException.class, () -> readAll(pair[0]));
    assertTrue(e.getMessage().contains("reset by peer"), e.getMessage());
    assertEquals(UtpError.RESET_BY_PEER, pair[0].error());
    assertEquals(ChannelState.ENDED, pair[0].state());
    assertTrue(pair[0].isEnded() && pair[0].isOpen(), "ended, but the application has not closed");
    IOException w = assertThrows(IOException.class, () -> pair[0].write(ByteBuffer.allocate(10)));
    assertTrue(w.getMessage().contains("reset by peer"), w.getMessage());
  }

  @Test
  void blockingReadTimesOut() throws Exception {
    UtpChannel[] pair = connectPair();
    pair[0].setReadTimeout(Duration.ofMillis(100));
    SocketTimeoutException e =
        assertThrows(SocketTimeoutException.class, () -> pair[0].read(ByteBuffer.allocate(10)));
    assertTrue(e.getMessage().contains("timed out after 0.1 s"), e.getMessage());
    assertTrue(pair[0].isOpen(), "a read timeout does not close the channel");
  }

  @Test
  void nonBlockingModeReturnsAtOnceAndSignalsReadiness() throws Exception {
    udpA.close();
    a.close();
    // small buffers so that a writer fills them quickly
    UtpSettings small =
        UtpSettings.builder().sendBufferBytes(16_384).receiveBufferBytes(16_384).build();
    udpA = UdpEndpoint.builder().bind(Loopback.v4(0)).open();
    a = UtpSocket.open(udpA, small, 8192);
    UtpChannel[] pair = connectPair();
    UtpChannel reader = pair[0];
    UtpChannel writer = pair[1];
    reader.configureBlocking(false);
    assertEquals(0, reader.read(ByteBuffer.allocate(100)), "nothing there yet");
    CountDownLatch readable = new CountDownLatch(1);
    reader.setListener(
        new UtpChannelListener() {
          @Override
          public void onReadable(UtpChannel ch) {
            readable.countDown();
          }
        });
    writer.write(ByteBuffer.wrap(random(1000, 4)));
    assertTrue(readable.await(5, TimeUnit.SECONDS), "onReadable fired");
    ByteBuffer got = ByteBuffer.allocate(2000);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (got.position() < 1000 && System.nanoTime() < deadline) {
      reader.read(got);
    }
    assertEquals(1000, got.position());

    // the other way: reader side writes into a peer that does not read until it is full
    reader.configureBlocking(false);
    CountDownLatch writable = new CountDownLatch(1);
    reader.setListener(
        new UtpChannelListener() {
          @Override
          public void onWritable(UtpChannel ch) {
            writable.countDown();
          }
        });
    ByteBuffer big = ByteBuffer.wrap(random(4 << 20, 5));
    int total = 0;
    int n;
    do {
      n = reader.write(big);
      total += n;
    } while (n > 0);
    assertTrue(big.hasRemaining(), "a non-blocking write stops when the buffers are full");
    assertTrue(total >= 8192, "took at least the channel buffer: " + total);
    writer.setReadTimeout(T);
    ByteBuffer sink = ByteBuffer.allocate(1 << 16);
    int drained = 0;
    while (drained < total) {
      drained += writer.read(sink.clear());
    }
    assertTrue(writable.await(5, TimeUnit.SECONDS), "onWritable fired after the peer read");
    assertTrue(reader.write(big) > 0);
  }

  @Test
  void aKrpcHandlerSharesTheSocketWhileATransferRuns() throws Exception {
    EchoKrpc dht = new EchoKrpc();
    udpA.register(DatagramKind.KRPC, dht);
    UtpChannel[] pair = connectPair();
    byte[] data = random(3 << 20, 6);
    Future<byte[]> got = pool.submit(() -> readAll(pair[0]));
    Future<?> sent =
        pool.submit(
            () -> {
              pair[1].write(ByteBuffer.wrap(data));
              pair[1].shutdownOutput();
              return null;
            });
    try (DatagramChannel client = DatagramChannel.open()) {
      for (int i = 0; i < 20; i++) {
        client.send(EchoKrpc.ascii("d1:ti" + i + "ee"), Loopback.v4(udpA.port()));
        assertEquals("d1:ti" + i + "ee", EchoKrpc.receive(client));
      }
    }
    sent.get(15, TimeUnit.SECONDS);
    assertArrayEquals(data, got.get(15, TimeUnit.SECONDS));
    EndpointStats s = udpA.stats();
    assertEquals(20, s.krpcConsumed());
    assertTrue(s.utpConsumed() > 2000, "µTP datagrams: " + s.utpConsumed());
  }

  @Test
  void closingTheEndpointFailsBlockedReaders() throws Exception {
    UtpChannel[] pair = connectPair();
    Future<Integer> blocked = pool.submit(() -> pair[0].read(ByteBuffer.allocate(10)));
    Thread.sleep(50);
    udpA.close();
    java.util.concurrent.ExecutionException e =
        assertThrows(
            java.util.concurrent.ExecutionException.class, () -> blocked.get(5, TimeUnit.SECONDS));
    assertTrue(e.getCause().getMessage().contains("endpoint shut down"), e.getCause().toString());
  }

  /** [0] accepted on a, [1] dialled from b. */
  private UtpChannel[] connectPair() throws Exception {
    UtpServerSocket server = a.listen();
    Future<UtpChannel> accepted = pool.submit(() -> server.accept(T));
    UtpChannel client = b.connect(Loopback.v4(udpA.port()), T);
    UtpChannel srv = accepted.get(10, TimeUnit.SECONDS);
    srv.setReadTimeout(T);
    client.setReadTimeout(T);
    return new UtpChannel[] {srv, client};
  }
}
