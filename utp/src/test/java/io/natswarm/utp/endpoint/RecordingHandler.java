package io.natswarm.utp.endpoint;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** A test handler that records what it is offered and consumes what its predicate accepts. */
final class RecordingHandler implements DatagramHandler {
  final String name;
  final Predicate<byte[]> accepts;
  final List<String> offered = new ArrayList<>();
  final List<String> consumed = new ArrayList<>();

  RecordingHandler(String name, Predicate<byte[]> accepts) {
    this.name = name;
    this.accepts = accepts;
  }

  @Override
  public boolean handleDatagram(ByteBuffer packet, InetSocketAddress from, long nowNanos) {
    byte[] b = new byte[packet.remaining()];
    packet.get(b); // moves the position: the demultiplexer must restore it for the next handler
    String s = new String(b, StandardCharsets.ISO_8859_1);
    offered.add(s);
    if (accepts.test(b)) {
      consumed.add(s);
      return true;
    }
    return false;
  }

  @Override
  public boolean pollTransmit(DatagramTransmit out, long nowNanos) {
    return false;
  }

  @Override
  public long pollTimeout() {
    return Long.MAX_VALUE;
  }

  @Override
  public void handleTimeout(long nowNanos) {}
}
