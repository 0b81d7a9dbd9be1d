package io.natswarm.node.demo;

import io.natswarm.datagram.NanoClock;
import io.natswarm.datagram.UdpEndpoint;
import io.natswarm.utp.stream.UtpChannel;
import io.natswarm.utp.stream.UtpServerSocket;
import io.natswarm.utp.stream.UtpSocket;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Two µTP endpoints on loopback, each with its own UDP socket and event loop: one accepts, the
 * other connects and sends a stream of pseudo-random bytes; both sides hash what they saw, so the
 * demo shows the bytes arrived intact, and how fast.
 */
public final class UtpTransferDemo {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private UtpTransferDemo() {}

  /**
   * Runs the transfer of {@code mib} MiB and prints what happened; returns whether it succeeded.
   */
  public static boolean run(int mib, PrintStream out)
      throws IOException, InterruptedException, ExecutionException, TimeoutException {
    long bytes = (long) mib << 20;
    InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    ExecutorService receiverThread = Executors.newSingleThreadExecutor();
    try (UdpEndpoint serverUdp =
            UdpEndpoint.builder().bind(loopback).threadName("demo-utp-a").open();
        UdpEndpoint clientUdp =
            UdpEndpoint.builder().bind(loopback).threadName("demo-utp-b").open();
        UtpSocket serverUtp = UtpSocket.open(serverUdp);
        UtpSocket clientUtp = UtpSocket.open(clientUdp)) {
      UtpServerSocket server = serverUtp.listen();
      out.printf(
          "  node A listens for µTP on udp %s; node B on udp %s%n",
          serverUdp.localAddress(), clientUdp.localAddress());
      Future<byte[]> received =
          receiverThread.submit(
              () -> {
                try (UtpChannel ch = server.accept(TIMEOUT)) {
                  return drain(ch);
                }
              });
      long start = NanoClock.SYSTEM.nanoTime();
      byte[] sentDigest;
      try (UtpChannel ch = clientUtp.connect(serverUdp.localAddress(), TIMEOUT)) {
        out.printf(
            "  B connected to A in %.1f ms; sending %d MiB...%n",
            (NanoClock.SYSTEM.nanoTime() - start) / 1e6, mib);
        start = NanoClock.SYSTEM.nanoTime();
        sentDigest = send(ch, bytes);
        ch.shutdownOutput();
      }
      byte[] receivedDigest = received.get(Math.max(60, mib), TimeUnit.SECONDS);
      double seconds = (NanoClock.SYSTEM.nanoTime() - start) / 1e9;
      boolean intact = MessageDigest.isEqual(sentDigest, receivedDigest);
      out.printf(
          Locale.ROOT,
          "  A received %d MiB in %.2f s: %.1f MiB/s, SHA-256 %s... %s%n",
          mib,
          seconds,
          mib / seconds,
          HexFormat.of().formatHex(receivedDigest, 0, 8),
          intact ? "matches what B sent" : "DIFFERS from what B sent");
      out.printf("  A's endpoint: %s%n", serverUdp.stats());
      return intact;
    } finally {
      receiverThread.shutdownNow();
    }
  }

  private static byte[] send(UtpChannel ch, long bytes) throws IOException {
    MessageDigest sha = sha256();
    ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
    long x = 0x9E3779B97F4A7C15L;
    long left = bytes;
    while (left > 0) {
      buf.clear();
      int n = (int) Math.min(buf.capacity(), left);
      for (int i = 0; i + 8 <= n; i += 8) {
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        buf.putLong(x);
      }
      buf.position(n).flip();
      sha.update(buf.duplicate());
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      left -= n;
    }
    return sha.digest();
  }

  private static byte[] drain(UtpChannel ch) throws IOException {
    MessageDigest sha = sha256();
    ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
    while (ch.read(buf) >= 0) {
      buf.flip();
      sha.update(buf);
      buf.clear();
    }
    return sha.digest();
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
