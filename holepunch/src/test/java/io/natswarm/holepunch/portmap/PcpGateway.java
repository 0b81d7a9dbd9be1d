package io.natswarm.holepunch.portmap;

import io.natswarm.netsim.Network;
import io.natswarm.netsim.ScriptedResponder;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A test double of a PCP server (RFC 6887) in netsim: MAP only, external address 203.0.113.10, the
 * internal port as external port, lifetimes capped at {@link #maxLifetime}. Like a real server it
 * answers ADDRESS_MISMATCH when the client address in a request is not the packet's source (section
 * 8.3) and NOT_AUTHORIZED when a request for a held mapping carries another nonce (section 11.3).
 * It can answer every request with {@link #result}, stay silent, restart (epoch back to 0, mappings
 * gone) and send an unsolicited ANNOUNCE (section 14.1). Every request is recorded.
 */
public final class PcpGateway extends ScriptedResponder {
  /** A request as received. */
  public record Request(
      long atNanos,
      int version,
      long lifetime,
      String nonce,
      int protocol,
      int internalPort,
      int suggestedPort,
      InetAddress suggestedExternal) {
    public boolean delete() {
      return lifetime == 0;
    }
  }

  /** A mapping the server holds. */
  public record Mapping(String nonce, int externalPort) {}

  public static final InetAddress EXTERNAL = address("203.0.113.10");

  final Network net;
  public final List<Request> requests = new ArrayList<>();
  public final Map<String, Mapping> mappings = new HashMap<>(); // "udp:6881" -> mapping
  long epochStartNanos;
  long maxLifetime = 3600;
  int result;
  long errorLifetime = 30;
  public boolean silent;
  int deletes;

  public PcpGateway(Network net) {
    this.net = net;
    this.epochStartNanos = net.nowNanos();
  }

  public static InetAddress address(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  public void restart() {
    epochStartNanos = net.nowNanos();
    mappings.clear();
  }

  /** Queues an unsolicited ANNOUNCE for {@code to}; send it with {@link Network#wake}. */
  void announce(InetSocketAddress to) {
    ByteBuffer r = ByteBuffer.allocate(24);
    r.put((byte) 2).put((byte) 0x80).putShort((short) 0).putInt(0).putInt(epoch(net.nowNanos()));
    r.put(new byte[12]).flip();
    send(r, to);
  }

  /** The requests for {@code protocol} (17 UDP, 6 TCP). */
  List<Request> requests(int protocol) {
    return requests.stream().filter(r -> r.protocol() == protocol).toList();
  }

  private int epoch(long now) {
    return (int) ((now - epochStartNanos) / 1_000_000_000L);
  }

  @Override
  public boolean handleDatagram(ByteBuffer p, InetSocketAddress from, long now) {
    int at = p.position();
    if (p.remaining() < 60 || p.get(at + 1) != 1) {
      return true;
    }
    byte[] nonce = new byte[12];
    p.get(at + 24, nonce);
    byte[] clientField = new byte[16];
    p.get(at + 8, clientField);
    byte[] suggested = new byte[16];
    p.get(at + 44, suggested);
    Request q =
        new Request(
            now,
            p.get(at),
            p.getInt(at + 4) & 0xFFFFFFFFL,
            HexFormat.of().formatHex(nonce),
            p.get(at + 36) & 0xFF,
            p.getShort(at + 40) & 0xFFFF,
            p.getShort(at + 42) & 0xFFFF,
            toAddress(suggested));
    requests.add(q);
    if (silent) {
      return true;
    }
    String key = (q.protocol() == 17 ? "udp:" : "tcp:") + q.internalPort();
    Mapping held = mappings.get(key);
    int code = result;
    if (code == 0 && !toAddress(clientField).equals(from.getAddress())) {
      code = PcpResult.ADDRESS_MISMATCH.code();
    } else if (code == 0 && held != null && !held.nonce().equals(q.nonce())) {
      code = PcpResult.NOT_AUTHORIZED.code();
    }
    long lifetime;
    int external = q.suggestedPort();
    if (code != 0) {
      lifetime = errorLifetime;
    } else if (q.delete()) {
      deletes++;
      mappings.remove(key);
      lifetime = 0;
    } else {
      external = q.internalPort();
      mappings.put(key, new Mapping(q.nonce(), external));
      lifetime = Math.min(q.lifetime(), maxLifetime);
    }
    ByteBuffer r = ByteBuffer.allocate(60);
    r.put((byte) 2).put((byte) 0x81).put((byte) 0).put((byte) code);
    r.putInt((int) lifetime).putInt(epoch(now)).put(new byte[12]);
    r.put(nonce).put((byte) q.protocol()).put(new byte[3]);
    r.putShort((short) q.internalPort()).putShort((short) external);
    r.put(new byte[10]).putShort((short) 0xFFFF).put(EXTERNAL.getAddress());
    r.flip();
    send(r, from);
    return true;
  }

  private static InetAddress toAddress(byte[] raw) {
    try {
      return InetAddress.getByAddress(raw);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }
}
