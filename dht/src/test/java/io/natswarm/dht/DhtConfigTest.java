package io.natswarm.dht;

import static org.assertj.core.api.Assertions.assertThat;

import io.natswarm.dht.routing.NodeId;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DhtConfigTest {
  @Test
  void toBuilderKeepsEverySettingAndChangesOnlyWhatIsSet() throws Exception {
    DhtConfig c =
        DhtConfig.builder()
            .ipv6(true)
            .nodeId(NodeId.random(new Random(1)))
            .externalAddress(InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, 7}))
            .k(12)
            .alpha(3)
            .readOnly(true)
            .enforceBep42(true)
            .maxPerSubnet(5)
            .uniqueIps(false)
            .extendedBuckets(true)
            .minTimeout(Duration.ofMillis(150))
            .queryTimeout(Duration.ofSeconds(4))
            .lookupTimeout(Duration.ofSeconds(9))
            .queriesPerSecond(7, 9)
            .maxAnnouncesPerSource(11)
            .maxValues(13)
            .amplification(3)
            .peerTtl(Duration.ofMinutes(7))
            .tokenRotation(Duration.ofMinutes(3))
            .bootstrapNodes(List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), 1)))
            .seed(42)
            .build();
    assertThat(c.toBuilder().build()).isEqualTo(c);
    DhtConfig v4 = c.toBuilder().ipv6(false).bootstrapNodes(List.of()).build();
    assertThat(v4.ipv6()).isFalse();
    assertThat(v4.bootstrapNodes()).isEmpty();
    assertThat(v4.k()).isEqualTo(12);
    assertThat(v4.queryBurst()).isEqualTo(9);
    assertThat(v4.nodeId()).isEqualTo(c.nodeId());
  }
}
