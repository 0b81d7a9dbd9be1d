package io.natswarm.netsim;

import io.natswarm.datagram.DatagramCore;
import io.natswarm.datagram.Transmit;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Test endpoint: sends {@code count} datagrams of {@code size} bytes to {@code target}, one every
 * {@code intervalNanos} starting at the first wake (each carries its sequence number in its first
 * four bytes), and records the sequence numbers and arrival times of what it receives.
 */
final class Pacer implements DatagramCore {
  private final InetSocketAddress target;
  private final int count;
  private final int size;
  private final long intervalNanos;
  private int sent;
  private long nextSend = Long.MAX_VALUE;
  private boolean due;

  final List<Integer> receivedSeq = new ArrayList<>();
  final List<Long> receivedAt = new ArrayList<>();

  Pacer(InetSocketAddress target, int count, int size, long intervalNanos) {
    this.target = target;
    this.count = count;
    this.size = size;
    this.intervalNanos = intervalNanos;
  }

  /** Starts sending at the next wake. */
  void start() {
    due = count > 0;
  }

  @Override
  public boolean handleDatagram(ByteBuffer packet, InetSocketAddress from, long nowNanos) {
    receivedSeq.add(packet.getInt(packet.position()));
    receivedAt.add(nowNanos);
    return true;
  }

  @Override
  public boolean pollTransmit(Transmit out, long nowNanos) {
    if (!due || sent >= count) {
      return false;
    }
    due = false;
    ByteBuffer b = out.buffer();
    b.putInt(sent);
    b.position(Math.max(size, 4));
    out.setDestination(target);
    sent++;
    nextSend = sent < count ? nowNanos + intervalNanos : Long.MAX_VALUE;
    return true;
  }

  @Override
  public long pollTimeout() {
    return due ? Long.MAX_VALUE : nextSend;
  }

  @Override
  public void handleTimeout(long nowNanos) {
    due = true;
    nextSend = Long.MAX_VALUE;
  }

  int sent() {
    return sent;
  }
}
