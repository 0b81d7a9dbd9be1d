package io.natswarm.netsim;

import io.natswarm.datagram.DatagramCore;
import io.natswarm.datagram.Transmit;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Test rendezvous server (sans-IO): records the address each puncher's REGISTER came from and, once
 * it knows both ends of a pair, tells each the other's observed address. Answers every REGISTER
 * again, so lost datagrams are recovered by the punchers' retries.
 */
final class Rendezvous implements DatagramCore {
  private final Map<Integer, InetSocketAddress> observed = new HashMap<>();
  private final ArrayDeque<InetSocketAddress[]> replies = new ArrayDeque<>();

  @Override
  public boolean handleDatagram(ByteBuffer packet, InetSocketAddress from, long nowNanos) {
    if (packet.remaining() != 2 || packet.get(0) != Puncher.REGISTER) {
      return true;
    }
    int id = packet.get(1);
    observed.put(id, from);
    InetSocketAddress peer = observed.get(id ^ 1);
    if (peer != null) {
      replies.add(new InetSocketAddress[] {from, peer});
      replies.add(new InetSocketAddress[] {peer, from});
    }
    return true;
  }

  @Override
  public boolean pollTransmit(Transmit out, long nowNanos) {
    InetSocketAddress[] r = replies.poll();
    if (r == null) {
      return false;
    }
    ByteBuffer b = out.buffer();
    b.put(Puncher.PEER);
    b.put(r[1].getAddress().getAddress());
    b.putShort((short) r[1].getPort());
    out.setDestination(r[0]);
    return true;
  }

  @Override
  public long pollTimeout() {
    return Long.MAX_VALUE;
  }

  @Override
  public void handleTimeout(long nowNanos) {}
}
