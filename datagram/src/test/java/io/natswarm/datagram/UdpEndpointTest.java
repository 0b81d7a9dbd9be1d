package io.natswarm.datagram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class UdpEndpointTest {
  private static final InetSocketAddress LOOPBACK = Loopback.v4(0);

  @Test
  void bindsWithFourMebibyteBuffersOnANamedLoopThread() throws Exception {
    try (UdpEndpoint e = UdpEndpoint.builder().bind(LOOPBACK).threadName("udp-test").open()) {
      assertTrue(e.port() > 0);
      assertEquals(Loopback.V4, e.localAddress().getAddress());
      EndpointStats s = e.stats();
      // Linux grants min(request, net.core.[rw]mem_max) and reports double that
      int rcvCap = sysctl("/proc/sys/net/core/rmem_max");
      int sndCap = sysctl("/proc/sys/net/core/wmem_max");
      int want = UdpEndpoint.DEFAULT_SOCKET_BUFFER_BYTES;
      assertTrue(s.receiveBufferBytes() >= Math.min(want, rcvCap), "rcvbuf " + s);
      assertTrue(s.sendBufferBytes() >= Math.min(want, sndCap), "sndbuf " + s);
      AtomicReference<String> name = new AtomicReference<>();
      CountDownLatch ran = new CountDownLatch(1);
      e.execute(
          () -> {
            name.set(Thread.currentThread().getName());
            ran.countDown();
          });
      assertTrue(ran.await(5, TimeUnit.SECONDS));
      assertEquals("udp-test", name.get());
    }
  }

  @Test
  void dualStackEndpointServesIpv4AndIpv6Loopback() throws Exception {
    try (UdpEndpoint e = UdpEndpoint.open();
        DatagramChannel v4 = DatagramChannel.open();
        DatagramChannel v6 = DatagramChannel.open()) {
      EchoKrpc echo = new EchoKrpc();
      e.register(DatagramKind.KRPC, echo);
      v4.socket().setSoTimeout(5000);
      v4.send(ascii("d1:v1:4e"), Loopback.v4(e.port()));
      assertEquals("d1:v1:4e", receive(v4));
      v6.socket().setSoTimeout(5000);
      v6.send(ascii("d1:v1:6e"), Loopback.v6(e.port()));
      assertEquals("d1:v1:6e", receive(v6));
      assertEquals(2, e.stats().krpcConsumed());
    }
  }

  /**
   * A DHT-like core sharing the socket: answers KRPC, counts junk as unclaimed, and gets its timer
   * fired by the loop on the loop's clock.
   */
  @Test
  void krpcLikeHandlerAnswersAndItsTimerFires() throws Exception {
    try (UdpEndpoint e = UdpEndpoint.builder().bind(LOOPBACK).open();
        DatagramChannel client = DatagramChannel.open()) {
      EchoKrpc echo = new EchoKrpc();
      echo.timerDelayNanos = TimeUnit.MILLISECONDS.toNanos(30);
      e.register(DatagramKind.KRPC, echo);
      client.socket().setSoTimeout(5000);
      InetSocketAddress to = e.localAddress();
      for (int i = 0; i < 50; i++) {
        client.send(ascii("d1:ti" + i + "ee"), to);
        assertEquals("d1:ti" + i + "ee", receive(client));
      }
      client.send(ascii("not bencode"), to);
      client.send(ascii("d1:te"), to);
      assertEquals("d1:te", receive(client));
      assertTrue(echo.timerFired.await(5, TimeUnit.SECONDS), "handleTimeout was called");
      EndpointStats s = e.stats();
      assertEquals(51, s.krpcConsumed());
      assertEquals(1, s.unclaimed());
      assertEquals(52, s.datagramsReceived());
      assertEquals(51, s.datagramsSent());
      assertEquals(0, s.handlerErrors());
      assertTrue(echo.timerLateNanos >= 0, "fired at or after its deadline");
    }
  }

  @Test
  void closedEndpointRejectsWorkAndStopsItsThread() throws Exception {
    UdpEndpoint e = UdpEndpoint.builder().bind(LOOPBACK).open();
    e.close();
    assertTrue(e.isClosed());
    assertThrows(RejectedExecutionException.class, () -> e.execute(() -> {}));
    assertThrows(RejectedExecutionException.class, () -> e.call(() -> 1, Duration.ofSeconds(1)));
    e.close(); // idempotent
  }

  @Test
  void taskExceptionIsCountedAndTracedAndTheLoopSurvives() throws Exception {
    java.util.List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
    EndpointTracer tracer =
        new EndpointTracer() {
          @Override
          public void coreFailed(
              Phase phase, DatagramKind kind, DatagramCore core, Throwable cause) {
            events.add(phase + " " + kind + " " + cause.getMessage());
          }
        };
    try (UdpEndpoint e = UdpEndpoint.builder().bind(LOOPBACK).tracer(tracer).open()) {
      CountDownLatch thrown = new CountDownLatch(1);
      e.execute(
          () -> {
            thrown.countDown();
            throw new IllegalStateException("bug in a task");
          });
      assertTrue(thrown.await(5, TimeUnit.SECONDS));
      assertEquals(42, e.call(() -> 42, Duration.ofSeconds(5)));
      assertEquals(1, e.stats().handlerErrors());
      assertEquals(java.util.List.of("TASK null bug in a task"), events);
    }
  }

  private static int sysctl(String path) throws IOException {
    java.nio.file.Path p = java.nio.file.Path.of(path);
    if (!java.nio.file.Files.isReadable(p)) {
      return Integer.MAX_VALUE;
    }
    return Integer.parseInt(java.nio.file.Files.readString(p).strip());
  }

  static ByteBuffer ascii(String s) {
    return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
  }

  static String receive(DatagramChannel ch) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(2048);
    // blocking channel; SO_TIMEOUT does not apply to DatagramChannel.receive, so bound it here
    ch.configureBlocking(false);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (ch.receive(b) == null) {
      if (System.nanoTime() > deadline) {
        throw new IOException("no answer within 5 s");
      }
      Thread.onSpinWait();
    }
    b.flip();
    return StandardCharsets.US_ASCII.decode(b).toString();
  }

  /** Echoes KRPC-shaped datagrams; arms a one-shot timer on the first one. */
  static final class EchoKrpc implements DatagramCore {
    final ByteBuffer pending = ByteBuffer.allocate(2048);
    InetSocketAddress pendingTo;
    long timerDelayNanos;
    long deadline = Long.MAX_VALUE;
    volatile long timerLateNanos = -1;
    final CountDownLatch timerFired = new CountDownLatch(1);

    @Override
    public boolean handleDatagram(ByteBuffer packet, InetSocketAddress from, long nowNanos) {
      pending.clear();
      pending.put(packet).flip();
      pendingTo = from;
      if (timerDelayNanos > 0 && deadline == Long.MAX_VALUE && timerFired.getCount() > 0) {
        deadline = nowNanos + timerDelayNanos;
      }
      return true;
    }

    @Override
    public boolean pollTransmit(Transmit out, long nowNanos) {
      if (pendingTo == null) {
        return false;
      }
      out.buffer().put(pending);
      out.setDestination(pendingTo);
      pendingTo = null;
      return true;
    }

    @Override
    public long pollTimeout() {
      return deadline;
    }

    @Override
    public void handleTimeout(long nowNanos) {
      timerLateNanos = nowNanos - deadline;
      deadline = Long.MAX_VALUE;
      timerFired.countDown();
    }
  }
}
