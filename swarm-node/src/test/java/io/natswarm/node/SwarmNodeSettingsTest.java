package io.natswarm.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.natswarm.dht.DhtConfig;
import io.natswarm.utp.UtpSettings;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each {@code with...} copy changes its own setting and nothing else, and validates it. */
class SwarmNodeSettingsTest {
  private final SwarmNodeSettings base = SwarmNodeSettings.loopback();

  @Test
  void eachCopyChangesOnlyItsOwnSetting() throws Exception {
    assertThat(base.withEncryption(PeerEncryption.REQUIRE_ENCRYPTED))
        .isEqualTo(
            new SwarmNodeSettings(
                base.listenAddress(),
                base.listenPort(),
                PeerEncryption.REQUIRE_ENCRYPTED,
                base.tuning(),
                base.peerDiscoveryInterval(),
                base.trackers(),
                base.transports(),
                base.dht(),
                base.utp(),
                base.udpReceiveBufferBytes(),
                base.udpSendBufferBytes()));
    assertThat(base.withTuning(EngineTuning.btDefaults()).tuning())
        .isEqualTo(EngineTuning.btDefaults());
    assertThat(base.withTransports(PeerTransports.TCP_ONLY).transports())
        .isEqualTo(PeerTransports.TCP_ONLY);
    DhtSettings dht = DhtSettings.joining(List.of(new InetSocketAddress(base.listenAddress(), 9)));
    assertThat(base.withDht(dht).dht()).isEqualTo(dht);
    assertThat(base.withListenPort(6881).listenPort()).isEqualTo(6881);
    InetAddress any = InetAddress.getByAddress(new byte[4]);
    assertThat(base.withListenAddress(any).listenAddress()).isEqualTo(any);
    assertThat(base.withTrackers(TrackerPolicy.ANY).trackers()).isEqualTo(TrackerPolicy.ANY);
    assertThat(base.withPeerDiscoveryInterval(Duration.ofSeconds(9)).peerDiscoveryInterval())
        .isEqualTo(Duration.ofSeconds(9));
    UtpSettings utp = UtpSettings.defaults().toBuilder().maxConnections(5000).build();
    assertThat(base.withUtp(utp).utp()).isEqualTo(utp);
    SwarmNodeSettings buffers = base.withUdpBuffers(1 << 20, 2 << 20);
    assertThat(buffers.udpReceiveBufferBytes()).isEqualTo(1 << 20);
    assertThat(buffers.udpSendBufferBytes()).isEqualTo(2 << 20);
    // and every other setting stays
    assertThat(buffers.withUdpBuffers(base.udpReceiveBufferBytes(), base.udpSendBufferBytes()))
        .isEqualTo(base);
    assertThat(base.withListenPort(6881).withListenPort(0)).isEqualTo(base);
  }

  @Test
  void copiesAreValidatedLikeNewSettings() {
    assertThatThrownBy(() -> base.withListenPort(70000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("listenPort");
    assertThatThrownBy(() -> base.withDht(null)).hasMessageContaining("dht");
    assertThatThrownBy(() -> base.withUtp(null)).hasMessageContaining("utp");
    assertThatThrownBy(() -> base.withUdpBuffers(0, 1)).hasMessageContaining("UDP socket buffers");
    assertThatThrownBy(() -> base.withPeerDiscoveryInterval(Duration.ZERO))
        .hasMessageContaining("peerDiscoveryInterval");
  }

  @Test
  void dhtSettingsCarryTheDhtModulesConfigAndATableFile() {
    DhtConfig config = DhtConfig.builder().alpha(3).seed(1).build();
    DhtSettings d =
        DhtSettings.joining(List.of()).withConfig(config).withRoutingTableFile(Path.of("t"));
    assertThat(d.enabled()).isTrue();
    assertThat(d.config()).isEqualTo(config);
    assertThat(d.routingTableFile()).isEqualTo(Path.of("t"));
    assertThat(DhtSettings.joining(List.of()).config()).isNull(); // the module's defaults
    assertThat(DhtSettings.OFF.enabled()).isFalse();
  }
}
