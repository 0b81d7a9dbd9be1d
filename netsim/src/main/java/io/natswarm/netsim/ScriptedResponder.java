package io.natswarm.netsim;

import io.natswarm.datagram.DatagramCore;
import io.natswarm.datagram.Deadlines;
import io.natswarm.datagram.Transmit;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * A base for test doubles of servers (a STUN server, a NAT-PMP gateway): subclasses answer in
 * {@link #handleDatagram} by {@link #send}ing, or send on their own after {@link Network#wake}; the
 * datagrams leave in order at the next transmit. No timers.
 *
 * <p>Owned by the network's thread, like every core in it.
 */
public abstract class ScriptedResponder implements DatagramCore {
  private final ArrayDeque<ByteBuffer> payloads = new ArrayDeque<>();
  private final ArrayDeque<InetSocketAddress> destinations = new ArrayDeque<>();

  /** Queues the bytes between {@code payload}'s position and limit for {@code to}. */
  protected final void send(ByteBuffer payload, InetSocketAddress to) {
    ByteBuffer copy = ByteBuffer.allocate(payload.remaining());
    copy.put(payload.duplicate()).flip();
    payloads.add(copy);
    destinations.add(to);
  }

  @Override
  public final boolean pollTransmit(Transmit out, long nowNanos) {
    ByteBuffer next = payloads.poll();
    if (next == null) {
      return false;
    }
    out.buffer().clear();
    out.buffer().put(next);
    out.setDestination(destinations.poll());
    return true;
  }

  @Override
  public long pollTimeout() {
    return Deadlines.NONE;
  }

  @Override
  public void handleTimeout(long nowNanos) {}
}
