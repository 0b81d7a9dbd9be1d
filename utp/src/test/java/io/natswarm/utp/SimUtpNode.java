package io.natswarm.utp;

import io.natswarm.netsim.SimEndpoint;
import io.natswarm.netsim.SimTransmit;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/** Adapts a {@link UtpStack} to netsim's {@link SimEndpoint} for deterministic tests. */
final class SimUtpNode implements SimEndpoint {
  final UtpStack stack;
  private final UtpTransmit transmit = new UtpTransmit();
  long declined;

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
  public boolean pollTransmit(SimTransmit out, long nowNanos) {
    if (!stack.pollTransmit(transmit, nowNanos)) {
      return false;
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
