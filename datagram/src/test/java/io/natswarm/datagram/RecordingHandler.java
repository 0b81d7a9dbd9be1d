package io.natswarm.datagram;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * A test core that records what it is offered, consumes what its predicate accepts, and sends the
 * datagrams queued with {@link #queue}, in its {@link SendClass}.
 */
final class RecordingHandler implements DatagramCore {
  final String name;
  final Predicate<byte[]> accepts;
  final SendClass sendClass;
  final List<String> offered = new ArrayList<>();
  final List<String> consumed = new ArrayList<>();
  final ArrayDeque<String> outbox = new ArrayDeque<>();
  int drained;

  RecordingHandler(String name, Predicate<byte[]> accepts) {
    this(name, accepts, SendClass.CONTROL);
  }

  RecordingHandler(String name, Predicate<byte[]> accepts, SendClass sendClass) {
    this.name = name;
    this.accepts = accepts;
    this.sendClass = sendClass;
  }

  void queue(String payload) {
    outbox.add(payload);
  }

  @Override
  public boolean handleDatagram(ByteBuffer packet, InetSocketAddress from, long nowNanos) {
    byte[] b = new byte[packet.remaining()];
    packet.get(b); // moves the position: the demultiplexer must restore it for the next core
    String s = new String(b, StandardCharsets.ISO_8859_1);
    offered.add(s);
    if (accepts.test(b)) {
      consumed.add(s);
      return true;
    }
    return false;
  }

  @Override
  public void handleReceiveDrained(long nowNanos) {
    drained++;
  }

  @Override
  public boolean pollTransmit(Transmit out, long nowNanos) {
    String s = outbox.poll();
    if (s == null) {
      return false;
    }
    out.buffer().put(s.getBytes(StandardCharsets.ISO_8859_1));
    out.setDestination(Loopback.v4(9));
    return true;
  }

  @Override
  public long pollTimeout() {
    return Deadlines.NONE;
  }

  @Override
  public void handleTimeout(long nowNanos) {}

  @Override
  public SendClass sendClass() {
    return sendClass;
  }

  @Override
  public String toString() {
    return name;
  }
}
