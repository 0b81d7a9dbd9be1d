package io.natswarm.dht;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * Datagrams waiting for {@link DhtNode#pollTransmit}: pooled buffers (no allocation once warm), a
 * bound on how many may wait. Owned by the DHT node's thread.
 */
final class OutboundQueue {
  static final int SLOT_BYTES = 2048;

  private static final class Slot {
    final ByteBuffer buf = ByteBuffer.allocate(SLOT_BYTES);
    InetSocketAddress destination;
  }

  private final ArrayDeque<Slot> pending = new ArrayDeque<>();
  private final ArrayDeque<Slot> free = new ArrayDeque<>();
  private final int max;
  private Slot open;

  OutboundQueue(int max) {
    this.max = max;
  }

  /** A cleared buffer for the next datagram; finish with {@link #commit} or {@link #abort}. */
  ByteBuffer begin() {
    Slot s = free.poll();
    if (s == null) {
      s = new Slot();
    }
    s.buf.clear();
    open = s;
    return s.buf;
  }

  /** Queues the datagram being written; false (and dropped) when the queue is full. */
  boolean commit(InetSocketAddress destination) {
    Slot s = open;
    open = null;
    if (pending.size() >= max) {
      free.push(s);
      return false;
    }
    s.destination = destination;
    pending.add(s);
    return true;
  }

  void abort() {
    if (open != null) {
      free.push(open);
      open = null;
    }
  }

  boolean isEmpty() {
    return pending.isEmpty();
  }

  int size() {
    return pending.size();
  }

  /** Copies the next datagram into {@code out} and returns its destination, or null. */
  InetSocketAddress poll(ByteBuffer out) {
    Slot s = pending.poll();
    if (s == null) {
      return null;
    }
    out.put(s.buf.array(), 0, s.buf.position());
    InetSocketAddress d = s.destination;
    s.destination = null;
    free.push(s);
    return d;
  }
}
