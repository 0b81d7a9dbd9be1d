package io.natswarm.holepunch.stun;

import io.natswarm.netsim.Binding;
import io.natswarm.netsim.Host;
import io.natswarm.netsim.Network;
import io.natswarm.netsim.ScriptedResponder;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * A test double of an RFC 5780 STUN server in netsim: two hosts (the primary and the alternate
 * address), each with the primary and the alternate port bound. A Binding request is answered with
 * XOR-MAPPED-ADDRESS, OTHER-ADDRESS (alternate address and port) and RESPONSE-ORIGIN, from the
 * endpoint its CHANGE-REQUEST asks for.
 */
public final class Rfc5780Server {
  static final int PRIMARY_PORT = 3478;
  static final int ALTERNATE_PORT = 3479;

  private final Network net;
  private final Endpoint[][] endpoints = new Endpoint[2][2]; // [address][port]
  private final Binding[][] bindings = new Binding[2][2];
  public int requests;

  public Rfc5780Server(Network net, Host primary, Host alternate) {
    this.net = net;
    Host[] hosts = {primary, alternate};
    int[] ports = {PRIMARY_PORT, ALTERNATE_PORT};
    for (int a = 0; a < 2; a++) {
      for (int p = 0; p < 2; p++) {
        endpoints[a][p] = new Endpoint(a, p);
        bindings[a][p] = hosts[a].bind(ports[p], endpoints[a][p]);
      }
    }
  }

  public InetSocketAddress primary() {
    return bindings[0][0].localAddress();
  }

  public InetSocketAddress alternate() {
    return bindings[1][1].localAddress();
  }

  private void answer(int a, int p, ByteBuffer request, InetSocketAddress from) {
    StunParsed parsed = StunCodec.parse(request);
    if (!parsed.ok() || parsed.message().type() != StunMessage.BINDING_REQUEST) {
      return;
    }
    requests++;
    int flags = 0;
    int at = request.position() + StunCodec.HEADER_BYTES;
    int end = request.limit();
    while (at + 4 <= end) {
      int type = request.getShort(at) & 0xFFFF;
      int length = request.getShort(at + 2) & 0xFFFF;
      if (type == StunCodec.CHANGE_REQUEST && length == 4) {
        flags = request.getInt(at + 4);
      }
      at += 4 + ((length + 3) & ~3);
    }
    int ra = (flags & StunCodec.CHANGE_IP) != 0 ? 1 - a : a;
    int rp = (flags & StunCodec.CHANGE_PORT) != 0 ? 1 - p : p;
    ByteBuffer response = ByteBuffer.allocate(128);
    StunCodec.writeBindingSuccess(
        response,
        parsed.message().transactionId(),
        from,
        alternate(),
        bindings[ra][rp].localAddress());
    response.flip();
    endpoints[ra][rp].reply(response, from);
    net.wake(bindings[ra][rp]);
  }

  /** One of the four endpoints: hands what arrives to the server, sends what it is given. */
  private final class Endpoint extends ScriptedResponder {
    final int a;
    final int p;

    Endpoint(int a, int p) {
      this.a = a;
      this.p = p;
    }

    void reply(ByteBuffer response, InetSocketAddress to) {
      send(response, to);
    }

    @Override
    public boolean handleDatagram(ByteBuffer packet, InetSocketAddress from, long nowNanos) {
      answer(a, p, packet, from);
      return true;
    }
  }
}
