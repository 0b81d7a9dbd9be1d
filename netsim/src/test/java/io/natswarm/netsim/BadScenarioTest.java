package io.natswarm.netsim;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.natswarm.datagram.DatagramCore;
import io.natswarm.datagram.Transmit;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A malformed scenario fails fast with a message that names what is wrong; nothing hangs. */
class BadScenarioTest {

  @Test
  void unknownAddressFormatsAreRejectedByName() {
    Network net = Network.withSeed(1);
    for (String bad : new String[] {"203.0.113", "example.org", "1.2.3.4.5", "01.2.3.x", ""}) {
      assertThatThrownBy(() -> net.addHost("h-" + bad, net.internet(), bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("h-" + bad)
          .hasMessageContaining("address");
    }
    assertThatThrownBy(() -> net.addHost("big", net.internet(), "300.1.1.1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("octet out of range: 300");
    assertThatThrownBy(() -> net.addHost("v6", net.internet(), "2001:db8::zz"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown address format '2001:db8::zz'");
    assertThatThrownBy(() -> net.addHost("none", net.internet()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("host none: needs at least one address");
    assertThatThrownBy(() -> net.addHost("two", net.internet(), "203.0.113.1", "203.0.113.2"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("more than one IPv4 address");
  }

  @Test
  void duplicateAddressesAndNamesAreRejected() {
    Network net = Network.withSeed(1);
    net.addHost("a", net.internet(), "203.0.113.1");
    assertThatThrownBy(() -> net.addHost("b", net.internet(), "203.0.113.1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("host b: address 203.0.113.1 is already used by a in realm internet");
    assertThatThrownBy(() -> net.addHost("a", net.internet(), "203.0.113.9"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("duplicate node name 'a'");
    NatBox r1 = net.addNat("r1", net.internet(), "203.0.113.10", NatConfig.fullCone());
    NatBox r2 = net.addNat("r2", net.internet(), "203.0.113.20", NatConfig.fullCone());
    net.addHost("h1", r1.inside(), "10.0.0.2");
    net.addHost("h2", r2.inside(), "10.0.0.2"); // the same private address in another realm is fine
    assertThatThrownBy(() -> net.addHost("h3", r1.inside(), "10.0.0.2"))
        .hasMessageContaining("already used by h1 in realm r1.inside");
    NatBox fw = net.addNat("fw", net.internet(), "2001:db8::1", NatConfig.firewall());
    net.addHost("pub", net.internet(), "2001:db8::5");
    assertThatThrownBy(() -> net.addHost("behind", fw.inside(), "2001:db8::5"))
        .hasMessageContaining("already used by pub in realm internet");
  }

  @Test
  void hostsInARealmWithoutARouteAreRejected() {
    Network net = Network.withSeed(1);
    Network other = Network.withSeed(2);
    assertThatThrownBy(() -> net.addHost("x", other.internet(), "203.0.113.1"))
        .hasMessageContaining("realm internet belongs to another network");
    assertThatThrownBy(() -> net.addHost("x", null, "203.0.113.1"))
        .hasMessageContaining("host x: realm must not be null");
    NatBox r = net.addNat("r", net.internet(), "203.0.113.10", NatConfig.portRestrictedCone());
    assertThatThrownBy(() -> net.addHost("v6", r.inside(), "fd00::2"))
        .hasMessageContaining("realm r.inside has no route for IPv6");
  }

  @Test
  void portsMustBeFreeAndInRange() {
    Network net = Network.withSeed(1);
    Host a = net.addHost("a", net.internet(), "203.0.113.1");
    a.bind(6881, new Recorder());
    assertThatThrownBy(() -> a.bind(6881, new Recorder()))
        .hasMessage("port 6881 on host a is already bound");
    assertThatThrownBy(() -> a.bind(70_000, new Recorder()))
        .hasMessageContaining("port 70000 out of range");
    assertThatThrownBy(() -> a.bind(1, null)).hasMessageContaining("endpoint is null");
  }

  @Test
  void linkAndNatSettingsOutOfRangeAreRejected() {
    assertThatThrownBy(() -> LinkConfig.builder().delayMillis(-1))
        .hasMessage("delay must be >= 0 ms, got -1.0");
    assertThatThrownBy(() -> LinkConfig.builder().delay(Duration.ofMillis(-5)))
        .hasMessageContaining("delay must be >= 0");
    assertThatThrownBy(() -> LinkConfig.builder().loss(1.5))
        .hasMessage("loss must be in [0, 1], got 1.5");
    assertThatThrownBy(() -> LinkConfig.builder().loss(Double.NaN))
        .hasMessage("loss must be in [0, 1], got NaN");
    assertThatThrownBy(() -> LinkConfig.builder().duplicate(-0.1))
        .hasMessageContaining("duplicate must be in [0, 1]");
    assertThatThrownBy(() -> LinkConfig.builder().burstLoss(0.1, 0))
        .hasMessageContaining("exit probability must be > 0");
    assertThatThrownBy(() -> LinkConfig.builder().queueBytes(10_000).build())
        .hasMessageContaining("needs a bandwidth limit");
    assertThatThrownBy(() -> LinkConfig.builder().bandwidthBitsPerSecond(-1))
        .hasMessageContaining("bandwidth must be >= 0");
    assertThatThrownBy(() -> NatConfig.builder().timeout(Duration.ZERO))
        .hasMessageContaining("NAT mapping timeout must be > 0");
    assertThatThrownBy(() -> NatConfig.builder().portRange(2000, 1000))
        .hasMessageContaining("NAT port range");
    Network net = Network.withSeed(1);
    assertThatThrownBy(() -> net.addNat("r", net.internet(), "203.0.113.1", null))
        .hasMessage("NAT r: config must not be null");
    assertThatThrownBy(() -> net.runFor(Duration.ofSeconds(-1)))
        .hasMessageContaining("runFor: duration must be >= 0");
    assertThatThrownBy(() -> net.runUntil(() -> false, null))
        .hasMessageContaining("runUntil: limit must be >= 0");
  }

  @Test
  void anEndpointThatNeverLetsTheClockAdvanceIsReportedNotHung() {
    Network net = Network.withSeed(1);
    net.maxEventsPerInstant(20_000);
    Host a = net.addHost("a", net.internet(), "203.0.113.1");
    a.bind(
        1,
        new DatagramCore() {
          @Override
          public boolean handleDatagram(ByteBuffer packet, InetSocketAddress from, long nowNanos) {
            return true;
          }

          @Override
          public boolean pollTransmit(Transmit out, long nowNanos) {
            return false;
          }

          @Override
          public long pollTimeout() {
            return 0; // always due
          }

          @Override
          public void handleTimeout(long nowNanos) {}
        });
    assertThatThrownBy(() -> net.runFor(Duration.ofSeconds(1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("livelock");
  }

  @Test
  void anEndpointThatAlwaysHasSomethingToSendIsReportedNotHung() {
    Network net = Network.withSeed(1);
    Host a = net.addHost("a", net.internet(), "203.0.113.1");
    InetSocketAddress nowhere = new InetSocketAddress("203.0.113.99", 9);
    Binding b =
        a.bind(
            1,
            new DatagramCore() {
              @Override
              public boolean handleDatagram(
                  ByteBuffer packet, InetSocketAddress from, long nowNanos) {
                return true;
              }

              @Override
              public boolean pollTransmit(Transmit out, long nowNanos) {
                out.buffer().put((byte) 1);
                out.setDestination(nowhere);
                return true;
              }

              @Override
              public long pollTimeout() {
                return Long.MAX_VALUE;
              }

              @Override
              public void handleTimeout(long nowNanos) {}
            });
    assertThatThrownBy(() -> net.wake(b))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("a:1 returned 100000 datagrams from one drain");
  }
}
