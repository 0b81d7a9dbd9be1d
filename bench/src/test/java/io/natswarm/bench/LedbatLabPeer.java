package io.natswarm.bench;

import io.natswarm.datagram.UdpEndpoint;
import io.natswarm.utp.UtpSettings;
import io.natswarm.utp.stream.UtpChannel;
import io.natswarm.utp.stream.UtpServerSocket;
import io.natswarm.utp.stream.UtpSocket;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One end of a natswarm µTP bulk flow for {@code bench/run utp-ledbat-lab}, run by that benchmark
 * inside a network namespace ({@code ip netns exec NS java ... LedbatLabPeer ...}) with the shipped
 * {@link UtpSettings#defaults()}.
 *
 * <ul>
 *   <li>{@code recv ADDRESS PORT}: accepts one connection and reads it to the end, printing {@code
 *       bytes NANOS TOTAL} (System.nanoTime, i.e. CLOCK_MONOTONIC, shared by every process on the
 *       machine; payload bytes so far) every 100 ms.
 *   <li>{@code send ADDRESS PORT}: connects and writes without end until killed.
 * </ul>
 */
public final class LedbatLabPeer {
  private LedbatLabPeer() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: LedbatLabPeer recv|send ADDRESS PORT");
      System.exit(2);
    }
    InetSocketAddress address =
        new InetSocketAddress(InetAddress.getByName(args[1]), Integer.parseInt(args[2]));
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    switch (args[0]) {
      case "recv" -> receive(address, out);
      case "send" -> send(address);
      default -> {
        System.err.println("unknown role " + args[0]);
        System.exit(2);
      }
    }
  }

  private static void receive(InetSocketAddress bind, PrintStream out) throws IOException {
    try (UdpEndpoint udp = UdpEndpoint.builder().bind(bind).threadName("utp-recv").open();
        UtpSocket utp = UtpSocket.open(udp, UtpSettings.defaults())) {
      UtpServerSocket server = utp.listen();
      out.println("ready");
      UtpChannel ch = server.accept(Duration.ofMinutes(5));
      AtomicLong total = new AtomicLong();
      Thread reporter =
          new Thread(
              () -> {
                while (!Thread.currentThread().isInterrupted()) {
                  out.println("bytes " + System.nanoTime() + " " + total.get());
                  try {
                    Thread.sleep(100);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              },
              "reporter");
      reporter.setDaemon(true);
      reporter.start();
      ByteBuffer buf = ByteBuffer.allocateDirect(256 * 1024);
      int n;
      while ((n = ch.read(buf.clear())) >= 0) {
        total.addAndGet(n);
      }
    }
  }

  private static void send(InetSocketAddress remote) throws IOException {
    try (UdpEndpoint udp =
            UdpEndpoint.builder().bind(new InetSocketAddress(0)).threadName("utp-send").open();
        UtpSocket utp = UtpSocket.open(udp, UtpSettings.defaults())) {
      UtpChannel ch = utp.connect(remote, Duration.ofSeconds(10));
      ByteBuffer chunk = ByteBuffer.allocateDirect(256 * 1024);
      while (true) {
        ch.write(chunk.clear());
      }
    }
  }
}
