package io.natswarm.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.natswarm.config.ConfigLoader;
import io.natswarm.config.NodeConfig;
import io.natswarm.config.PeerEncryptionPolicy;
import io.natswarm.config.PeerTransportChoice;
import io.natswarm.config.TrackerAccess;
import io.natswarm.node.EngineTuning;
import io.natswarm.node.PeerEncryption;
import io.natswarm.node.PeerTransports;
import io.natswarm.node.SwarmNodeSettings;
import io.natswarm.node.TrackerPolicy;
import java.nio.file.Path;
import java.util.Arrays;
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
    NodeConfig config = ConfigLoader.defaults(home);
    SwarmNodeSettings s = NodeSettings.of(config);
    assertThat(s.tuning()).isEqualTo(EngineTuning.measured());
    assertThat(s.encryption()).isEqualTo(PeerEncryption.PREFER_ENCRYPTED);
    assertThat(s.trackers()).isEqualTo(TrackerPolicy.ANY);
    assertThat(s.listenPort()).isEqualTo(6881);
    assertThat(s.transports()).isEqualTo(SwarmNodeSettings.loopback().transports());
    assertThat(s.peerDiscoveryInterval())
        .isEqualTo(SwarmNodeSettings.loopback().peerDiscoveryInterval());
  }
}
