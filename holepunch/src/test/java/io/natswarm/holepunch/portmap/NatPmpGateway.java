package io.natswarm.holepunch.portmap;

import io.natswarm.netsim.Network;
import io.natswarm.netsim.ScriptedResponder;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * A test double of a NAT-PMP gateway (RFC 6886) in netsim: external address 203.0.113.10, the
 * requested port when free, lifetimes capped at {@link #maxLifetime}; it can refuse, stay silent,
 * or restart (its epoch back to 0 and its mappings gone). A request of another version (a PCP one)
 * gets RFC 6886 section 3.5's UNSUPPORTED_VERSION answer in version 0, or, with {@link
 * #ignoreOtherVersions}, nothing.
 */
public final class NatPmpGateway extends ScriptedResponder {
  final Network net;
  public final Map<String, Integer> mappings = new HashMap<>(); // "udp:6881" -> external port
  long epochStartNanos;
  int maxLifetime = 3600;
  int result;
  boolean silent;
  public boolean ignoreOtherVersions;
  public int otherVersionRequests;
  public int mapRequests;
  int deletes;

  public NatPmpGateway(Network net) {
    this.net = net;
    this.epochStartNanos = net.nowNanos();
  }

  public void restart() {
    epochStartNanos = net.nowNanos();
    mappings.clear();
  }

  @Override
  public boolean handleDatagram(ByteBuffer p, InetSocketAddress from, long now) {
    if (silent) {
      return true;
    }
    int op = p.get(p.position() + 1) & 0x7F;
    if (p.get(p.position()) != 0) {
      otherVersionRequests++;
      if (!ignoreOtherVersions) {
        ByteBuffer r = ByteBuffer.allocate(8);
        r.put((byte) 0)
            .put((byte) (128 + op))
            .putShort((short) NatPmpResult.UNSUPPORTED_VERSION.code());
        r.putInt((int) ((now - epochStartNanos) / 1_000_000_000L)).flip();
        send(r, from);
      }
      return true;
    }
    ByteBuffer r = ByteBuffer.allocate(16);
    r.put((byte) 0).put((byte) (128 + op)).putShort((short) result);
    r.putInt((int) ((now - epochStartNanos) / 1_000_000_000L));
    if (op == 0) {
      r.put(new byte[] {(byte) 203, 0, 113, 10});
    } else {
      int internal = p.getShort(p.position() + 4) & 0xFFFF;
      int lifetime = p.getInt(p.position() + 8);
      String key = (op == 1 ? "udp:" : "tcp:") + internal;
      int external = internal;
      if (lifetime == 0) {
        deletes++;
        mappings.remove(key);
        external = 0;
      } else if (result == 0) {
        mapRequests++;
        mappings.put(key, external);
      }
      r.putShort((short) internal).putShort((short) external);
      r.putInt(Math.min(lifetime, maxLifetime));
    }
    r.flip();
    send(r, from);
    return true;
  }
}
