package io.natswarm.netsim;

import io.natswarm.datagram.DatagramCore;
import io.natswarm.datagram.Transmit;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/** Test endpoint: records what arrives (payload, sender, time) and sends what the test queues. */
final class Recorder implements DatagramCore {
  static final class Received {
    private final byte[] payload;
    private final InetSocketAddress from;
    private final long atNanos;

    Received(byte[] payload, InetSocketAddress from, long atNanos) {
      this.payload = payload;
      this.from = from;
      this.atNanos = atNanos;
    }

    byte[] payload() {
      return payload.clone();
    }

    InetSocketAddress from() {
      return from;
    }

    long atNanos() {
      return atNanos;
    }

    String text() {
      return new String(payload, java.nio.charset.StandardCharsets.US_ASCII);
    }
  }

  private static final class Outgoing {
    final byte[] payload;
    final InetSocketAddress to;

    Outgoing(byte[] payload, InetSocketAddress to) {
      this.payload = payload;
      this.to = to;
    }
  }

  final List<Received> received = new ArrayList<>();
  final ArrayDeque<Outgoing> outbox = new ArrayDeque<>();
  long deadline = Long.MAX_VALUE;
  int timeouts;

  void queue(InetSocketAddress to, byte[] payload) {
    outbox.add(new Outgoing(payload, to));
  }

  void queue(InetSocketAddress to, String text) {
    queue(to, text.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
  }

  @Override
  public boolean handleDatagram(ByteBuffer packet, InetSocketAddress from, long nowNanos) {
    byte[] b = new byte[packet.remaining()];
    packet.get(b);
    received.add(new Received(b, from, nowNanos));
    return true;
  }

  @Override
  public boolean pollTransmit(Transmit out, long nowNanos) {
    Outgoing o = outbox.poll();
    if (o == null) {
      return false;
    }
    out.buffer().put(o.payload);
    out.setDestination(o.to);
    return true;
  }

  @Override
  public long pollTimeout() {
    return deadline;
  }

  @Override
  public void handleTimeout(long nowNanos) {
    timeouts++;
    deadline = Long.MAX_VALUE;
  }
}
