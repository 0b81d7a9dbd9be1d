package io.natswarm.node.cli;

import io.natswarm.config.HostPort;
import io.natswarm.config.NatSettings;
import io.natswarm.config.NodeConfig;
import io.natswarm.node.DhtSettings;
import io.natswarm.node.EngineTuning;
import io.natswarm.node.NatTraversal;
import io.natswarm.node.PeerEncryption;
import io.natswarm.node.PeerTransports;
import io.natswarm.node.SwarmNodeSettings;
import io.natswarm.node.TrackerPolicy;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Turns the configuration into what {@link io.natswarm.node.SwarmNode#start} takes. */
final class NodeSettings {
  private NodeSettings() {}

  /**
   * The node's settings: listen address, peers, engine, µTP ({@code utp.*}), the UDP socket's
   * buffers ({@code udp.*}) and the DHT. The DHT is a peer source when the listen address's family
   * (IPv4 on {@code ::}) has a DHT node ({@code dht.ipv4}, {@code dht.ipv6}), with the {@code
   * dht.*} settings and that family's {@code dht.table_file}; its bootstrap nodes are looked up
   * here, and {@code warn} hears of those that cannot be.
   */
  static SwarmNodeSettings of(NodeConfig config, Consumer<String> warn) {
    var e = config.engine();
    EngineTuning tuning =
        new EngineTuning(
            e.maxAssignedPieces(),
            e.maxOutstandingRequests(),
            e.maxPieceReceivingTime(),
            e.effectiveHashingThreads(),
            e.networkBufferBytes(),
            e.maxMessageProcessingInterval());
    return new SwarmNodeSettings(
        config.listen().address(),
        config.listen().port(),
        PeerEncryption.valueOf(config.peers().encryption().name()),
        tuning,
        config.peers().discoveryInterval(),
        TrackerPolicy.valueOf(config.peers().trackers().name()),
        PeerTransports.valueOf(config.peers().transports().name()),
        dht(config, warn),
        config.utp(),
        config.udp().receiveBufferBytes(),
        config.udp().sendBufferBytes(),
        null,
        nat(config, warn),
        config.peers().pex());
  }

  private static NatTraversal nat(NodeConfig config, Consumer<String> warn) {
    InetSocketAddress stun = null;
    HostPort server = config.nat().stunServer();
    if (server != null) {
      stun = server.resolve();
      if (stun.isUnresolved()) {
        warn.accept("cannot resolve the STUN server " + server + "; the node measures no NAT");
        stun = null;
      }
    }
    NatTraversal.TurnServer turn = null;
    NatSettings.Turn t = config.nat().turn();
    if (t != null) {
      InetSocketAddress at = t.server().resolve();
      if (at.isUnresolved()) {
        warn.accept("cannot resolve the TURN server " + t.server() + "; the node uses none");
      } else {
        turn = new NatTraversal.TurnServer(at, t.username(), t.password());
      }
    }
    return new NatTraversal(
        config.nat().portMapping(),
        stun,
        config.nat().portMappingLifetimeSeconds(),
        config.nat().peerRelay(),
        turn);
  }

  private static DhtSettings dht(NodeConfig config, Consumer<String> warn) {
    // as BtEngine: a node on "::" (both families) runs the IPv4 DHT, the one most nodes are in
    InetAddress listen = config.listen().address();
    boolean v6 = listen instanceof Inet6Address && !listen.isAnyLocalAddress();
    boolean enabled = v6 ? config.dht().ipv6() : config.dht().ipv4();
    if (!enabled) {
      return DhtSettings.OFF;
    }
    List<InetSocketAddress> nodes = new ArrayList<>();
    for (InetSocketAddress a : resolve(config.dht().bootstrapNodes(), warn)) {
      if ((a.getAddress() instanceof Inet6Address) == v6) {
        nodes.add(a);
      }
    }
    return DhtSettings.joining(nodes)
        .withConfig(config.dht().node())
        .withRoutingTableFile(config.dht().tableFile(v6));
  }

  /** Looks the nodes up; those that cannot be are left out, and {@code warn} hears of them. */
  static List<InetSocketAddress> resolve(List<HostPort> nodes, Consumer<String> warn) {
    List<InetSocketAddress> out = new ArrayList<>();
    for (HostPort hp : nodes) {
      InetSocketAddress a = hp.resolve();
      if (a.isUnresolved()) {
        warn.accept("cannot resolve bootstrap node " + hp + "; skipped");
      } else {
        out.add(a);
      }
    }
    return out;
  }
}
