package io.natswarm.node.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.natswarm.datagram.DatagramCore;
import io.natswarm.datagram.Deadlines;
import io.natswarm.datagram.Transmit;
import io.natswarm.holepunch.punch.HolepunchMessage;
import io.natswarm.holepunch.punch.PeerRef;
import io.natswarm.holepunch.punch.PortPrediction;
import io.natswarm.holepunch.punch.PunchEvent;
import io.natswarm.holepunch.punch.PunchProbes;
import io.natswarm.holepunch.punch.PunchRequests;
import io.natswarm.netsim.Host;
import io.natswarm.netsim.LinkConfig;
import io.natswarm.netsim.NatConfig;
import io.natswarm.netsim.Network;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A hostile rendezvous peer (BEP 55) that tries to turn a node behind a NAT into a flood source:
 * for a minute it sends a connect message every 10 ms, each naming a port of a victim that never
 * asked for anything (and, in a second case, once a second: slower, still over the limit). The
 * node's ut_holepunch core ({@link PunchRequests}) punches for at most {@code unsolicitedBurst}
 * such connects at once and one more per {@code unsolicitedRefill}, and each punch is one burst of
 * {@link PunchProbes} (rounds over the predicted ports, {@link PortPrediction#SPAN}) from the
 * node's socket, so what reaches the victim is the same at either rate: bounded by the limit, not
 * by the attacker.
 */
class NodeSocketHostileRendezvousTest {
  private static final PeerRef HOSTILE = new PeerRef(1);

  @ParameterizedTest(name = "a connect every {0} ms")
  @ValueSource(longs = {10, 1000})
  void connectsFromOneRendezvousPeerReachAVictimOnlyAtTheUnsolicitedRate(long everyMillis) {
    Network net = Network.withSeed(3);
    LinkConfig link = LinkConfig.builder().delay(Duration.ofMillis(20)).build();
    NattedSocket node =
        NattedSocket.behind(
            net, NatConfig.portRestrictedCone(), "n", "198.51.100.1", "10.0.1.2", link, 1);
    Host victim = net.addHost("v", net.internet(), "203.0.113.66");
    victim.link(link);
    AtomicLong received = new AtomicLong();
    for (int port = 6881; port < 6881 + PortPrediction.SPAN + 64; port++) {
      victim.bind(port, countingHandler(received));
    }
    PunchRequests core = new PunchRequests(PunchRequests.Settings.DEFAULTS);
    int sent = 0;
    for (long ms = 0; ms < 60_000; ms += everyMillis, sent++) {
      long at = ms;
      InetSocketAddress named =
          new InetSocketAddress(victim.addresses().get(0), 6881 + (int) (ms / everyMillis % 64));
      net.schedule(
          Duration.ofMillis(at),
          () -> {
            long now = net.nowNanos();
            core.onMessage(HOSTILE, HolepunchMessage.connect(named), now);
            PunchEvent e;
            while ((e = core.pollEvent()) != null) {
              if (e instanceof PunchEvent.PunchNow p) {
                node.socket()
                    .punches()
                    .punch(p.endpoint(), PortPrediction.Side.TARGET, PortPrediction.SPAN, now);
                net.wake(node.binding());
              }
            }
          });
    }
    net.runFor(Duration.ofSeconds(65));

    PunchRequests.Counters c = core.counters();
    // 5 at once, then one per 10 s: 5 + 6 in a minute
    long allowed =
        PunchRequests.Settings.DEFAULTS.unsolicitedBurst()
            + 60_000 / PunchRequests.Settings.DEFAULTS.unsolicitedRefill().toMillis();
    assertThat(c.punchesInvited()).isBetween(allowed - 1, allowed);
    assertThat(c.rateLimited()).isEqualTo(sent - c.punchesInvited());
    // each punch: one burst of rounds, each round the span of predicted ports: 192 datagrams of 8
    // bytes for one connect message, whichever rate the attacker sends them at
    assertThat(received.get())
        .as("datagrams at the victim")
        .isEqualTo(
            c.punchesInvited() * PunchProbes.Settings.DEFAULTS.probes() * PortPrediction.SPAN);
  }

  /** Counts what arrives; sends nothing. */
  private static DatagramCore countingHandler(AtomicLong received) {
    return new DatagramCore() {
      @Override
      public boolean handleDatagram(ByteBuffer packet, InetSocketAddress from, long nowNanos) {
        received.incrementAndGet();
        return true;
      }

      @Override
      public boolean pollTransmit(Transmit out, long nowNanos) {
        return false;
      }

      @Override
      public long pollTimeout() {
        return Deadlines.NONE;
      }

      @Override
      public void handleTimeout(long nowNanos) {}
    };
  }
}
