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
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One end of a natswarm µTP bulk flow for {@code bench/run utp-ledbat-lab}, run by that benchmark
 * inside a network namespace ({@code ip netns exec NS java ... LedbatLabPeer ...}) with the shipped
 * {@link UtpSettings#defaults()}.
 *
 * <ul>
 *   <li>{@code recv ADDRESS PORT}: accepts one connection and reads it to the end, printing {@code
 *       bytes NANOS TOTAL} (from the start, so a slow handshake counts as time with nothing
 *       delivered) (System.nanoTime, i.e. CLOCK_MONOTONIC, shared by every process on the machine;
 *       payload bytes so far) every 100 ms.
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
      UtpChannel ch = server.accept(Duration.ofMinutes(5));
      ByteBuffer buf = ByteBuffer.allocateDirect(256 * 1024);
      int n;
      while ((n = ch.read(buf.clear())) >= 0) {
        total.addAndGet(n);
      }
    }
  }

  /**
   * Appends {@code t_ms cwnd queuing_delay_ms rtt_ms loss_events timeouts yields_to_loss
   * yields_to_displacement} every 100 ms to {@code file} (diagnostics for {@code bench/run
   * utp-ledbat-lab --only ...}).
   */
  private static void traceTo(Path file, UtpChannel ch) throws IOException {
    PrintStream w =
        new PrintStream(
            Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND),
            true,
            StandardCharsets.UTF_8);
    long t0 = System.nanoTime();
    w.println("# sender started");
    Thread t =
        new Thread(
            () -> {
              while (true) {
                try {
                  Thread.sleep(100);
                  String line =
                      ch.inspect(
                          c ->
                              String.format(
                                  java.util.Locale.ROOT,
                                  "%d %d %.1f %.1f %d %d %d %d",
                                  (System.nanoTime() - t0) / 1_000_000,
                                  c.congestionWindow(),
                                  c.queuingDelayMicros() / 1000.0,
                                  c.rttMicros() / 1000.0,
                                  c.stats().lossEvents(),
                                  c.stats().timeouts(),
                                  c.stats().yieldsToLoss(),
                                  c.stats().yieldsToDisplacement()));
                  w.println(line);
                } catch (IOException | InterruptedException e) {
                  return;
                }
              }
            },
            "ledbat-trace");
    t.setDaemon(true);
    t.start();
  }

  private static void send(InetSocketAddress remote) throws IOException {
    try (UdpEndpoint udp =
            UdpEndpoint.builder().bind(new InetSocketAddress(0)).threadName("utp-send").open();
        UtpSocket utp = UtpSocket.open(udp, UtpSettings.defaults())) {
      UtpChannel ch = utp.connect(remote, Duration.ofSeconds(10));
      String trace = System.getenv("LEDBAT_TRACE");
      if (trace != null) {
        traceTo(Path.of(trace), ch);
      }
      ByteBuffer chunk = ByteBuffer.allocateDirect(256 * 1024);
      while (true) {
        ch.write(chunk.clear());
      }
    }
  }
}
