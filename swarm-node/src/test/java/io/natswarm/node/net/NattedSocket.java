package io.natswarm.node.net;

import io.natswarm.datagram.Demultiplexer;
import io.natswarm.dht.DhtPort;
import io.natswarm.netsim.Binding;
import io.natswarm.netsim.Host;
import io.natswarm.netsim.LinkConfig;
import io.natswarm.netsim.NatBox;
import io.natswarm.netsim.NatConfig;
import io.natswarm.netsim.Network;
import io.natswarm.utp.UtpSettings;
import java.util.Random;

/**
 * The hole-punch tests' fixture: a complete node socket ({@link NodeSocket#compose}), accepting
 * µTP, bound to {@link #PORT} on a netsim host behind a NAT of its own.
 */
record NattedSocket(Host host, NatBox nat, NodeSocket socket, Binding binding) {
  static final int PORT = 6881;

  /**
   * Host {@code name} at {@code lan} behind a NAT configured as {@code nat} whose outside address
   * is {@code outside}; {@code link} on the host's link, {@code seed} for its socket's randomness.
   */
  static NattedSocket behind(
      Network net,
      NatConfig nat,
      String name,
      String outside,
      String lan,
      LinkConfig link,
      long seed) {
    NatBox box = net.addNat("nat-" + name, net.internet(), outside, nat);
    Host host = net.addHost(name, box.inside(), lan);
    host.link(link);
    NodeSocketSettings settings =
        new NodeSocketSettings(
            UtpSettings.defaults(), null, null, DhtPort.NONE, () -> new Random(seed));
    NodeSocket socket = NodeSocket.compose(settings, new Demultiplexer(), net.nowNanos());
    socket.utp().setListening(true);
    return new NattedSocket(host, box, socket, host.bind(PORT, socket.demultiplexer()));
  }
}
