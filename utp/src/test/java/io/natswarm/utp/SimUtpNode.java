package io.natswarm.utp;

import io.natswarm.datagram.DatagramCore;
import io.natswarm.datagram.Transmit;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.function.Predicate;

/** Adapts a {@link UtpStack} to netsim's {@link DatagramCore} for deterministic tests. */
final class SimUtpNode implements DatagramCore {
  final UtpStack stack;
  private final UtpTransmit transmit = new UtpTransmit();
  long declined;
  long droppedOut;

  /** Test seam: outgoing datagrams for which this returns true are dropped (counted). */
  Predicate<ByteBuffer> dropOutgoing = b -> false;

  SimUtpNode(UtpStack stack) {
    this.stack = stack;
  }

  @Override
  public void handleDatagram(ByteBuffer packet, InetSocketAddress from, long nowNanos) {
    if (!stack.handleDatagram(packet, from, nowNanos)) {
      declined++;
      stack.resetUnknown(packet, from, nowNanos);
    }
  }

  @Override
  public boolean pollTransmit(Transmit out, long nowNanos) {
    while (true) {
      if (!stack.pollTransmit(transmit, nowNanos)) {
        return false;
      }
      if (!dropOutgoing.test(transmit.buffer().duplicate())) {
        break;
      }
      droppedOut++;
    }
    out.buffer().put(transmit.buffer());
    out.setDestination(transmit.destination());
    return true;
  }

  @Override
  public long pollTimeout() {
    return stack.pollTimeout();
  }

  @Override
  public void handleTimeout(long nowNanos) {
    stack.handleTimeout(nowNanos);
  }
}
