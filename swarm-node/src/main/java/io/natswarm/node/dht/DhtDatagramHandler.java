package io.natswarm.node.dht;

import io.natswarm.dht.DhtNode;
import io.natswarm.utp.endpoint.DatagramHandler;
import io.natswarm.utp.endpoint.DatagramTransmit;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * The DHT's sans-IO core seen as one of the endpoint's datagram handlers (registered for {@link
 * io.natswarm.utp.endpoint.DatagramKind#KRPC}, after µTP). Owned by the endpoint's event loop.
 */
final class DhtDatagramHandler implements DatagramHandler {
  private final DhtNode node;

  DhtDatagramHandler(DhtNode node) {
    this.node = node;
  }

  @Override
  public boolean handleDatagram(ByteBuffer packet, InetSocketAddress from, long nowNanos) {
    // Every bencoded dictionary is the DHT's: malformed ones are counted by the node.
    node.handleDatagram(packet, from, nowNanos);
    return true;
  }

  @Override
  public boolean pollTransmit(DatagramTransmit out, long nowNanos) {
    InetSocketAddress to = node.pollTransmit(out.buffer(), nowNanos);
    if (to == null) {
      return false;
    }
    out.setDestination(to);
    return true;
  }

  @Override
  public long pollTimeout() {
    return node.pollTimeout();
  }

  @Override
  public void handleTimeout(long nowNanos) {
    node.handleTimeout(nowNanos);
  }
}
