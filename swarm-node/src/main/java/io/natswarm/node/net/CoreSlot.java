package io.natswarm.node.net;

import io.natswarm.datagram.DatagramCore;
import io.natswarm.datagram.Deadlines;
import io.natswarm.datagram.Transmit;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * A place on the node's socket for a core that comes and goes: a STUN measurement, which is made
 * again every half hour, or the port-mapping clients, which start once the gateway is known. The
 * composition root ({@link NodeSocket#compose}) registers the slot under its {@link
 * io.natswarm.datagram.DatagramKind}, so what shares the socket is decided there alone; the service
 * that runs the protocol only {@link #install}s its core. Empty, the slot consumes nothing, sends
 * nothing and has no deadline.
 *
 * <p>Owned by the socket's host thread, like every core on it.
 *
 * @param <T> the core it holds
 */
public final class CoreSlot<T extends DatagramCore> implements DatagramCore {
  private T core;

  /** Puts {@code next} in the slot (null empties it) and returns what it held. */
  public T install(T next) {
    T previous = core;
    core = next;
    return previous;
  }

  /** The core in the slot, or null. */
  public T current() {
    return core;
  }

  @Override
  public boolean handleDatagram(ByteBuffer packet, InetSocketAddress from, long nowNanos) {
    T c = core;
    return c != null && c.handleDatagram(packet, from, nowNanos);
  }

  @Override
  public void handleReceiveDrained(long nowNanos) {
    T c = core;
    if (c != null) {
      c.handleReceiveDrained(nowNanos);
    }
  }

  @Override
  public boolean pollTransmit(Transmit out, long nowNanos) {
    T c = core;
    return c != null && c.pollTransmit(out, nowNanos);
  }

  @Override
  public long pollTimeout() {
    T c = core;
    return c == null ? Deadlines.NONE : c.pollTimeout();
  }

  @Override
  public void handleTimeout(long nowNanos) {
    T c = core;
    if (c != null) {
      c.handleTimeout(nowNanos);
    }
  }

  @Override
  public String toString() {
    return "CoreSlot[" + core + "]";
  }
}
