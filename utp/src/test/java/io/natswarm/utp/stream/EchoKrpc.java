package io.natswarm.utp.stream;

import io.natswarm.datagram.DatagramCore;
import io.natswarm.datagram.Deadlines;
import io.natswarm.datagram.Transmit;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** A KRPC-kind core that echoes each datagram back (another protocol sharing µTP's socket). */
final class EchoKrpc implements DatagramCore {
  private final ByteBuffer pending = ByteBuffer.allocate(2048);
  private InetSocketAddress pendingTo;

  @Override
  public boolean handleDatagram(ByteBuffer packet, InetSocketAddress from, long nowNanos) {
    pending.clear();
    pending.put(packet).flip();
    pendingTo = from;
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
    return Deadlines.NONE;
  }

  @Override
  public void handleTimeout(long nowNanos) {}

  static ByteBuffer ascii(String s) {
    return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
  }

  /** Waits up to 5 s for one datagram on {@code ch} and returns it as ASCII. */
  static String receive(DatagramChannel ch) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(2048);
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
}
