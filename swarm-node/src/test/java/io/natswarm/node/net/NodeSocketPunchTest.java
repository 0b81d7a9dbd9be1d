package io.natswarm.node.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.natswarm.netsim.DropReason;
import io.natswarm.netsim.Host;
import io.natswarm.netsim.LinkConfig;
import io.natswarm.netsim.NatConfig;
import io.natswarm.netsim.Network;
import io.natswarm.utp.UtpConnection;
import io.natswarm.utp.UtpState;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The UDP hole punch of BEP 55 between two complete node sockets ({@link NodeSocket#compose}), each
 * behind a port-restricted cone NAT of netsim with 20 ms on its link, when the target is late: the
 * initiator punches and dials µTP as soon as it has the rendezvous' connect message, the target
 * only later (its connect message came later, or it was busy). The initiator's first SYN meets the
 * target's NAT before the target's punch opened it, and is filtered; the target's first probe then
 * reaches the initiator, whose socket sends the SYN again at once (a triggered check) rather than a
 * second after the first, at the retransmission timer.
 */
class NodeSocketPunchTest {
  private static final int PORT = NattedSocket.PORT;
  private static final Duration LINK = Duration.ofMillis(20);

  private record Outcome(Duration connectedAfter, UtpConnection dial, long filtered) {}

  private static Outcome punch(long lateMillis) {
    Network net = Network.withSeed(lateMillis);
    Host r = net.addHost("r", net.internet(), "203.0.113.9");
    r.link(LinkConfig.builder().delay(LINK).build());
    InetSocketAddress rendezvous = new InetSocketAddress(r.addresses().get(0), PORT);
    NattedSocket l =
        NattedSocket.behind(
            net,
            NatConfig.portRestrictedCone(),
            "l",
            "198.51.100.1",
            "10.0.1.2",
            LinkConfig.builder().delay(LINK).build(),
            1);
    NattedSocket s =
        NattedSocket.behind(
            net,
            NatConfig.portRestrictedCone(),
            "s",
            "192.0.2.1",
            "10.0.2.2",
            LinkConfig.builder().delay(LINK).build(),
            2);
    // Both talked to the rendezvous (a probe stands in for their BitTorrent connections): each NAT
    // holds the mapping whose external endpoint the rendezvous will name to the other side.
    l.socket().punches().punch(rendezvous, net.nowNanos());
    s.socket().punches().punch(rendezvous, net.nowNanos());
    net.wake(l.binding());
    net.wake(s.binding());
    net.runFor(Duration.ofSeconds(1));
    InetSocketAddress lOutside = l.nat().externalAddress(l.binding().localAddress(), rendezvous);
    InetSocketAddress sOutside = s.nat().externalAddress(s.binding().localAddress(), rendezvous);
    long filteredBefore = net.stats().dropped(DropReason.FILTER);

    long start = net.nowNanos();
    l.socket().punches().punch(sOutside, start);
    UtpConnection dial = l.socket().utp().connect(sOutside, start);
    net.wake(l.binding());
    net.schedule(
        Duration.ofMillis(lateMillis),
        () -> {
          s.socket().punches().punch(lOutside, net.nowNanos());
          net.wake(s.binding());
        });
    assertThat(net.runUntil(() -> dial.state() == UtpState.CONNECTED, Duration.ofSeconds(10)))
        .as("connected (state %s)", dial.state())
        .isTrue();
    return new Outcome(
        Duration.ofNanos(net.nowNanos() - start),
        dial,
        net.stats().dropped(DropReason.FILTER) - filteredBefore);
  }

  @ParameterizedTest(name = "the target punches {0} ms late")
  @ValueSource(longs = {100, 300, 600})
  void aLateTargetsFirstProbeSendsTheFilteredSynAgainAtOnce(long lateMillis) {
    Outcome o = punch(lateMillis);
    // The target's probe leaves at lateMillis and crosses both links (40 ms); the SYN it triggers
    // and the answer cross them again: 120 ms after the late start, not at the SYN's 1 s timer.
    assertThat(o.connectedAfter()).isEqualTo(Duration.ofMillis(lateMillis + 120));
    assertThat(o.dial().stats().synTriggered()).isEqualTo(1);
    assertThat(o.dial().stats().timeouts()).isZero();
    assertThat(o.filtered())
        .as("the first SYN and the initiator's early probes met the target's closed NAT")
        .isGreaterThanOrEqualTo(2);
  }

  @Test
  void aTargetOnTimeConnectsInOneRoundTripAndTheTriggerCostsOneDuplicateSyn() {
    // Both punch at once: the target's NAT opens as the initiator's SYN reaches it, which passes.
    Outcome o = punch(0);
    assertThat(o.connectedAfter()).isEqualTo(Duration.ofMillis(80));
    assertThat(o.filtered()).isZero();
    // The target's first probe arrived at 40 ms, while the answer to the SYN was on its way: the
    // SYN went again once, a duplicate the acceptor answers as such; no timer fired.
    assertThat(o.dial().stats().synTriggered()).isEqualTo(1);
    assertThat(o.dial().stats().timeouts()).isZero();
  }
}
