package io.natswarm.node.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.natswarm.holepunch.punch.PortPrediction;
import io.natswarm.netsim.DropReason;
import io.natswarm.netsim.Host;
import io.natswarm.netsim.LinkConfig;
import io.natswarm.netsim.NatConfig;
import io.natswarm.netsim.Network;
import io.natswarm.utp.UtpConnection;
import io.natswarm.utp.UtpError;
import io.natswarm.utp.UtpSettings;
import io.natswarm.utp.UtpState;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A hole-punched µTP connection between two node sockets behind port-restricted NATs that forget a
 * mapping, and the permission to answer through it, after a spell without outbound traffic. RFC
 * 4787 REQ-5 asks for at least 2 minutes; Linux keeps an unanswered UDP flow for 30 s, and many
 * home routers keep no more. Each end's keep-alive ({@link UtpSettings#keepAliveInterval}, 29 s)
 * refreshes its own NAT, so a connection idle for ten minutes behind 30 s NATs carries data again
 * afterwards. Behind NATs that forget after 20 s and pick a random port for a new mapping, the
 * mapping expires under the open connection: the next keep-alive leaves from another port, the
 * other side's meets a NAT with nothing mapped, and both ends close with a timeout at µTP's idle
 * limit (2 min) instead of hanging open. (With ports preserved, the two ends' keep-alives, sent
 * within a round trip of each other, make the same mappings again before the other's arrives.)
 */
class NodeSocketIdlePunchTest {
  private static final Duration LINK = Duration.ofMillis(20);
  private static final int PORT = NattedSocket.PORT;

  private record Pair(
      Network net, NattedSocket l, NattedSocket s, UtpConnection dial, UtpConnection accepted) {}

  /** l and s behind NATs that forget after {@code natTimeout}, punched and connected. */
  private static Pair punched(Duration natTimeout, NatConfig.PortAllocation ports) {
    Network net = Network.withSeed(7);
    LinkConfig link = LinkConfig.builder().delay(LINK).build();
    NatConfig nat =
        NatConfig.portRestrictedCone().toBuilder()
            .timeout(natTimeout)
            .portAllocation(ports)
            .build();
    Host r = net.addHost("r", net.internet(), "203.0.113.9");
    r.link(link);
    InetSocketAddress rendezvous = new InetSocketAddress(r.addresses().get(0), PORT);
    NattedSocket l = NattedSocket.behind(net, nat, "l", "198.51.100.1", "10.0.1.2", link, 1);
    NattedSocket s = NattedSocket.behind(net, nat, "s", "192.0.2.1", "10.0.2.2", link, 2);
    l.socket().punches().punch(rendezvous, net.nowNanos());
    s.socket().punches().punch(rendezvous, net.nowNanos());
    net.wake(l.binding());
    net.wake(s.binding());
    net.runFor(Duration.ofSeconds(1));
    InetSocketAddress lOutside = l.nat().externalAddress(l.binding().localAddress(), rendezvous);
    InetSocketAddress sOutside = s.nat().externalAddress(s.binding().localAddress(), rendezvous);
    long now = net.nowNanos();
    l.socket().punches().punch(sOutside, PortPrediction.Side.INITIATOR, PortPrediction.SPAN, now);
    s.socket().punches().punch(lOutside, PortPrediction.Side.TARGET, PortPrediction.SPAN, now);
    UtpConnection dial = l.socket().utp().connect(sOutside, now);
    net.wake(l.binding());
    net.wake(s.binding());
    AtomicReference<UtpConnection> accepted = new AtomicReference<>();
    assertThat(
            net.runUntil(
                () -> {
                  if (accepted.get() == null) {
                    accepted.set(s.socket().utp().pollAccepted());
                  }
                  return dial.state() == UtpState.CONNECTED && accepted.get() != null;
                },
                Duration.ofSeconds(5)))
        .as("punched")
        .isTrue();
    return new Pair(net, l, s, dial, accepted.get());
  }

  /** Sends {@code bytes} from {@code from} to {@code to}; whether all arrived within 10 s. */
  private static boolean exchange(Pair p, UtpConnection from, UtpConnection to, int bytes) {
    ByteBuffer out = ByteBuffer.allocate(bytes);
    ByteBuffer in = ByteBuffer.allocate(bytes);
    return p.net()
        .runUntil(
            () -> {
              long now = p.net().nowNanos();
              if (out.hasRemaining() && from.write(out, now) > 0) {
                p.net().wake(p.l().binding());
                p.net().wake(p.s().binding());
              }
              if (to.read(in, now) > 0) {
                p.net().wake(p.l().binding());
                p.net().wake(p.s().binding());
              }
              return !in.hasRemaining();
            },
            Duration.ofSeconds(10));
  }

  @Test
  void keepAlivesHoldThirtySecondMappingsOpenThroughTenIdleMinutes() {
    Pair p = punched(Duration.ofSeconds(30), NatConfig.PortAllocation.PRESERVING);
    assertThat(exchange(p, p.dial(), p.accepted(), 100_000)).isTrue();
    long droppedBefore =
        p.net().stats().dropped(DropReason.NO_MAPPING) + p.net().stats().dropped(DropReason.FILTER);

    p.net().runFor(Duration.ofMinutes(10));

    assertThat(p.dial().state()).isEqualTo(UtpState.CONNECTED);
    assertThat(p.accepted().state()).isEqualTo(UtpState.CONNECTED);
    // each end kept its own NAT's mapping: one keep-alive per 29 s idle, give or take one
    assertThat(p.dial().stats().keepAlives()).isBetween(19L, 21L);
    assertThat(p.accepted().stats().keepAlives()).isBetween(19L, 21L);
    assertThat(
            p.net().stats().dropped(DropReason.NO_MAPPING)
                + p.net().stats().dropped(DropReason.FILTER))
        .as("nothing met a NAT that had forgotten")
        .isEqualTo(droppedBefore);
    assertThat(exchange(p, p.accepted(), p.dial(), 100_000)).as("data again, both ways").isTrue();
    assertThat(exchange(p, p.dial(), p.accepted(), 100_000)).isTrue();
  }

  @Test
  void aMappingThatExpiresAndReturnsOnAnotherPortEndsTheConnectionAtTheIdleLimit() {
    Pair p = punched(Duration.ofSeconds(20), NatConfig.PortAllocation.RANDOM);
    assertThat(exchange(p, p.dial(), p.accepted(), 100_000)).isTrue();
    long noMappingBefore = p.net().stats().dropped(DropReason.NO_MAPPING);

    p.net()
        .runUntil(
            () -> p.dial().state() == UtpState.CLOSED && p.accepted().state() == UtpState.CLOSED,
            Duration.ofMinutes(3));

    assertThat(p.net().stats().dropped(DropReason.NO_MAPPING))
        .as("keep-alives met the other NAT after it forgot the mapping")
        .isGreaterThan(noMappingBefore);
    assertThat(p.dial().state()).isEqualTo(UtpState.CLOSED);
    assertThat(p.accepted().state()).isEqualTo(UtpState.CLOSED);
    assertThat(p.dial().error()).isEqualTo(UtpError.TIMED_OUT);
    assertThat(p.accepted().error()).isEqualTo(UtpError.TIMED_OUT);
  }
}
