package io.natswarm.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.natswarm.config.ConfigLoader;
import io.natswarm.config.ConfigSources;
import io.natswarm.config.NodeConfig;
import io.natswarm.config.PeerEncryptionPolicy;
import io.natswarm.config.PeerTransportChoice;
import io.natswarm.config.TrackerAccess;
import io.natswarm.holepunch.portmap.NatPmpClient;
import io.natswarm.holepunch.portmap.PcpClient;
import io.natswarm.node.DhtSettings;
import io.natswarm.node.EngineTuning;
import io.natswarm.node.NatTraversal;
import io.natswarm.node.PeerEncryption;
import io.natswarm.node.PeerTransports;
import io.natswarm.node.SwarmNodeSettings;
import io.natswarm.node.TrackerPolicy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The config module's mirrors of the node's enums and defaults stay in step with the node. */
class NodeSettingsTest {
  @TempDir Path home;

  @Test
  void everyEncryptionAndTrackerChoiceIsTheNodesOwn() {
    assertThat(Arrays.stream(PeerEncryptionPolicy.values()).map(Enum::name))
        .containsExactlyElementsOf(Arrays.stream(PeerEncryption.values()).map(Enum::name).toList());
    assertThat(Arrays.stream(PeerTransportChoice.values()).map(Enum::name))
        .containsExactlyElementsOf(Arrays.stream(PeerTransports.values()).map(Enum::name).toList());
    assertThat(Arrays.stream(TrackerAccess.values()).map(Enum::name))
        .containsExactlyElementsOf(Arrays.stream(TrackerPolicy.values()).map(Enum::name).toList());
  }

  @Test
  void theDefaultEngineSettingsAreTheMeasuredTuning() {
    List<String> warnings = new ArrayList<>();
    // the default bootstrap nodes are the public routers: never looked up in a test
    SwarmNodeSettings s = NodeSettings.of(withoutBootstrap(), warnings::add);
    assertThat(s.tuning()).isEqualTo(EngineTuning.measured());
    assertThat(s.encryption()).isEqualTo(PeerEncryption.PREFER_ENCRYPTED);
    assertThat(s.trackers()).isEqualTo(TrackerPolicy.ANY);
    assertThat(s.listenPort()).isEqualTo(6881);
    assertThat(s.transports()).isEqualTo(SwarmNodeSettings.loopback().transports());
    assertThat(s.peerDiscoveryInterval())
        .isEqualTo(SwarmNodeSettings.loopback().peerDiscoveryInterval());
    assertThat(s.dht().enabled()).isTrue();
    assertThat(warnings).isEmpty();
  }

  @Test
  void thePortMappingLifetimeReachesTheNodeAndItsDefaultIsTheClientsOwn() throws Exception {
    List<String> warnings = new ArrayList<>();
    int byDefault =
        NodeSettings.of(withoutBootstrap(), warnings::add).nat().portMappingLifetimeSeconds();
    assertThat(byDefault)
        .isEqualTo(NatTraversal.DEFAULT_PORT_MAPPING_LIFETIME_SECONDS)
        .isEqualTo(PcpClient.Settings.defaults().lifetimeSeconds())
        .isEqualTo(NatPmpClient.Settings.defaults().lifetimeSeconds());
    NodeConfig shortLived =
        load("--bootstrap", "127.0.0.1:7000", "--set", "nat.port_mapping_lifetime=120");
    assertThat(NodeSettings.of(shortLived, warnings::add).nat().portMappingLifetimeSeconds())
        .isEqualTo(120);
    assertThat(warnings).isEmpty();
  }

  @Test
  void theDhtFollowsTheListenAddressFamilyAndItsBootstrapNodes() throws Exception {
    NodeConfig v4 = load("--bind", "127.0.0.1", "--bootstrap", "127.0.0.1:7000,[::1]:7001");
    List<String> warnings = new ArrayList<>();
    SwarmNodeSettings s = NodeSettings.of(v4, warnings::add);
    assertThat(s.dht().enabled()).isTrue();
    assertThat(s.dht().bootstrapNodes())
        .containsExactly(
            new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 7000));
    // (a host name that does not resolve is not tried here: it would need a DNS query)
    assertThat(warnings).isEmpty();

    NodeConfig off =
        load("--bind", "127.0.0.1", "--bootstrap", "127.0.0.1:7000", "--set", "dht.ipv4=false");
    assertThat(NodeSettings.of(off, warnings::add).dht()).isEqualTo(DhtSettings.OFF);

    NodeConfig v6 =
        load(
            "--bind",
            "::1",
            "--set",
            "dht.ipv6=true",
            "--set",
            "dht.ipv4=false",
            "--bootstrap",
            "127.0.0.1:7000,[::1]:7001");
    assertThat(NodeSettings.of(v6, warnings::add).dht().bootstrapNodes())
        .containsExactly(
            new InetSocketAddress(
                InetAddress.getByAddress(
                    new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}),
                7001));
  }

  @Test
  void utpUdpBuffersAndTheDhtSettingsFlowFromTheConfiguration() throws Exception {
    NodeConfig c =
        load(
            "--bind",
            "127.0.0.1",
            "--bootstrap",
            "127.0.0.1:7000",
            "--set",
            "utp.max_connections=777",
            "--set",
            "udp.receive_buffer=1MiB",
            "--set",
            "udp.send_buffer=512KiB",
            "--set",
            "dht.alpha=3",
            "--set",
            "dht.k=12",
            "--set",
            "dht.table_file=" + home.resolve("table"));
    SwarmNodeSettings s = NodeSettings.of(c, w -> {});
    assertThat(s.utp()).isEqualTo(c.utp());
    assertThat(s.utp().maxConnections()).isEqualTo(777);
    assertThat(s.udpReceiveBufferBytes()).isEqualTo(1 << 20);
    assertThat(s.udpSendBufferBytes()).isEqualTo(512 << 10);
    assertThat(s.dht().config().alpha()).isEqualTo(3);
    assertThat(s.dht().config().k()).isEqualTo(12);
    assertThat(s.dht().routingTableFile()).isEqualTo(home.resolve("table"));
  }

  private NodeConfig load(String... args) throws Exception {
    List<ConfigSources.OptionValue> values = new ArrayList<>();
    for (int i = 0; i < args.length; i += 2) {
      switch (args[i]) {
        case "--bind" ->
            values.add(new ConfigSources.OptionValue("listen.address", args[i + 1], "--bind"));
        case "--bootstrap" ->
            values.add(
                new ConfigSources.OptionValue("dht.bootstrap_nodes", args[i + 1], "--bootstrap"));
        default -> {
          String[] kv = args[i + 1].split("=", 2);
          values.add(new ConfigSources.OptionValue(kv[0], kv[1], "--set"));
        }
      }
    }
    return ConfigLoader.load(new ConfigSources(Optional.empty(), Map.of(), values, home)).config();
  }

  private NodeConfig withoutBootstrap() {
    try {
      return load("--bootstrap", "");
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
