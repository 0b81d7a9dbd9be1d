package io.natswarm.lab;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;

/**
 * A minimal UDP hole puncher run inside a lab namespace: it sends probes to the peer's guessed
 * public endpoint, answers whatever address a probe actually came from (the peer-reflexive
 * address), and succeeds once one of its own probes has been answered.
 *
 * <p>Usage: {@code LabPuncher LOCAL_PORT PEER_IP PEER_PORT MILLIS}; prints {@code CONNECTED addr}
 * and exits 0, or prints {@code FAILED} and exits 1.
 */
public final class LabPuncher {
  private LabPuncher() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    InetSocketAddress guess = new InetSocketAddress(args[1], Integer.parseInt(args[2]));
    SocketAddress peer =
        punch(
            new InetSocketAddress("0.0.0.0", Integer.parseInt(args[0])),
            guess,
            Long.parseLong(args[3]));
    if (peer == null) {
      System.out.println("FAILED");
      System.exit(1);
    }
    System.out.println("CONNECTED " + peer);
  }

  /**
   * Punches from {@code local} towards {@code guess} for at most {@code millis}; returns the peer's
   * address once one of our probes was answered (after answering its probes for another second, so
   * the peer sees our acknowledgement too), or null.
   */
  static SocketAddress punch(InetSocketAddress local, InetSocketAddress guess, long millis)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + millis * 1_000_000L;
    try (DatagramChannel ch = DatagramChannel.open()) {
      ch.bind(local);
      ch.configureBlocking(false);
      ByteBuffer buf = ByteBuffer.allocate(1500);
      SocketAddress learned = null;
      SocketAddress connected = null;
      long connectedAt = 0;
      long nextProbe = 0;
      while (System.nanoTime() < deadline) {
        long now = System.nanoTime();
        if (now >= nextProbe) {
          send(ch, "PROBE", guess);
          if (learned != null) {
            send(ch, "PROBE", learned);
          }
          nextProbe = now + 50_000_000L;
        }
        buf.clear();
        SocketAddress from = ch.receive(buf);
        if (from == null) {
          Thread.sleep(5);
        } else {
          buf.flip();
          String msg = StandardCharsets.US_ASCII.decode(buf).toString();
          learned = from;
          if (msg.equals("PROBE")) {
            send(ch, "ACK", from);
          } else if (msg.equals("ACK") && connected == null) {
            connected = from;
            connectedAt = now;
          }
        }
        if (connected != null && now - connectedAt > 1_000_000_000L) {
          return connected;
        }
      }
      return connected;
    }
  }

  private static void send(DatagramChannel ch, String msg, SocketAddress to) throws IOException {
    ch.send(ByteBuffer.wrap(msg.getBytes(StandardCharsets.US_ASCII)), to);
  }
}
