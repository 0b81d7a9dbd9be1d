package io.natswarm.holepunch.punch;

import static org.assertj.core.api.Assertions.assertThat;

import io.natswarm.holepunch.punch.PunchEvent.PunchNow;
import io.natswarm.holepunch.punch.PunchEvent.RequestFailed;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PunchRequestsTest {
  private static final long SECOND = 1_000_000_000L;
  private static final long TIMEOUT = 5 * SECOND;
  private static final PeerRef R1 = new PeerRef(1);
  private static final PeerRef R2 = new PeerRef(2);
  private static final PeerRef R3 = new PeerRef(3);
  private static final InetSocketAddress TARGET = at("203.0.113.5", 51413);
  private static final InetSocketAddress OTHER = at("2001:db8::7", 6881);

  private PunchRequests punch = new PunchRequests(PunchRequests.Settings.DEFAULTS);

  record Sent(PeerRef to, HolepunchMessage message) {}

  private static InetSocketAddress at(String ip, int port) {
    try {
      return new InetSocketAddress(InetAddress.getByName(ip), port);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private List<Sent> drain() {
    List<Sent> sent = new ArrayList<>();
    Outgoing out = new Outgoing();
    while (punch.pollOutgoing(out)) {
      sent.add(new Sent(out.to(), out.message()));
    }
    return sent;
  }

  private List<PunchEvent> events() {
    List<PunchEvent> all = new ArrayList<>();
    for (PunchEvent e = punch.pollEvent(); e != null; e = punch.pollEvent()) {
      all.add(e);
    }
    return all;
  }

  private static Sent rendezvous(PeerRef to, InetSocketAddress target) {
    return new Sent(to, HolepunchMessage.rendezvous(target));
  }

  @Test
  void aConnectAnsweringOurRequestIsAPunchWeInitiated() {
    assertThat(punch.requestRendezvous(TARGET, R1, 0)).isTrue();
    assertThat(drain()).containsExactly(rendezvous(R1, TARGET));
    assertThat(punch.pollTimeout()).isEqualTo(TIMEOUT);
    punch.onMessage(R1, HolepunchMessage.connect(TARGET), SECOND);
    assertThat(events()).containsExactly(new PunchNow(TARGET, R1, true));
    assertThat(punch.pending()).isZero();
    assertThat(punch.pollTimeout()).isEqualTo(Long.MAX_VALUE);
    PunchRequests.Counters c = punch.counters();
    assertThat(c.requested()).isEqualTo(1);
    assertThat(c.rendezvousSent()).isEqualTo(1);
    assertThat(c.punchesInitiated()).isEqualTo(1);
    assertThat(c.punchesInvited()).isZero();
  }

  @Test
  void aConnectNamingAnotherPortOfTheTargetAnswersOurRequest() {
    // the relay names the target by the port its NAT maps it to, not the one PEX gave us
    InetSocketAddress mapped = at("203.0.113.5", 3004);
    assertThat(punch.requestRendezvous(TARGET, R1, 0)).isTrue();
    drain();
    punch.onMessage(R2, HolepunchMessage.connect(mapped), SECOND);
    assertThat(events())
        .as("from a peer we did not ask: the other side's request")
        .containsExactly(new PunchNow(mapped, R2, false));
    punch.onMessage(R1, HolepunchMessage.connect(mapped), SECOND);
    assertThat(events()).containsExactly(new PunchNow(mapped, R1, true));
    assertThat(punch.pending()).isZero();
  }

  @Test
  void aConnectTheOtherSideAskedForIsAPunchToo() {
    punch.onMessage(R1, HolepunchMessage.connect(OTHER), 0);
    assertThat(events()).containsExactly(new PunchNow(OTHER, R1, false));
    assertThat(punch.counters().punchesInvited()).isEqualTo(1);
    assertThat(drain()).isEmpty();
  }

  @Test
  void connectsNobodyAskedForAreLimitedPerRendezvousPeer() {
    for (int i = 0; i < 7; i++) {
      punch.onMessage(R1, HolepunchMessage.connect(at("203.0.113." + (10 + i), 6881)), 0);
    }
    punch.onMessage(R2, HolepunchMessage.connect(OTHER), 0);
    assertThat(events()).hasSize(5 + 1);
    assertThat(punch.counters().rateLimited()).isEqualTo(2);
    punch.onMessage(R1, HolepunchMessage.connect(OTHER), 10 * SECOND);
    assertThat(events()).containsExactly(new PunchNow(OTHER, R1, false));
    assertThat(punch.counters().punchesInvited()).isEqualTo(7);
  }

  @Test
  void connectsToUnusableEndpointsAndStrayRendezvousMessagesAreIgnored() {
    punch.onMessage(R1, HolepunchMessage.connect(at("203.0.113.5", 0)), 0);
    punch.onMessage(R1, HolepunchMessage.connect(at("0.0.0.0", 6881)), 0);
    punch.onMessage(R1, HolepunchMessage.connect(at("ff02::1", 6881)), 0);
    punch.onMessage(R1, HolepunchMessage.rendezvous(TARGET), 0);
    assertThat(events()).isEmpty();
    assertThat(drain()).isEmpty();
    assertThat(punch.counters().ignored()).isEqualTo(4);
  }

  @Test
  void anErrorAboutTheTargetEndsTheRequestWithItsReason() {
    punch.requestRendezvous(TARGET, List.of(R1, R2), 0);
    drain();
    punch.onMessage(R1, HolepunchMessage.error(TARGET, HolepunchError.NO_SUPPORT), SECOND);
    assertThat(events()).containsExactly(new RequestFailed(TARGET, PunchFailure.NO_SUPPORT, R1));
    assertThat(drain()).isEmpty(); // R2 would say the same
    PunchRequests.Counters c = punch.counters();
    assertThat(c.errorsNoSupport()).isEqualTo(1);
    assertThat(c.failed()).isEqualTo(1);
    assertThat(c.retries()).isZero();
    assertThat(punch.pending()).isZero();
  }

  @Test
  void eachDefinedErrorIsCountedByReason() {
    HolepunchError[] errors = {
      HolepunchError.NO_SUCH_PEER, HolepunchError.NOT_CONNECTED, HolepunchError.NO_SELF
    };
    for (int i = 0; i < errors.length; i++) {
      InetSocketAddress t = at("203.0.113." + (20 + i), 6881);
      punch.requestRendezvous(t, R1, 0);
      punch.onMessage(R1, HolepunchMessage.error(t, errors[i]), 0);
    }
    InetSocketAddress t = at("203.0.113.30", 6881);
    punch.requestRendezvous(t, R1, 0);
    punch.onMessage(R1, new HolepunchMessage(MessageType.ERROR, t, 77), 0);
    assertThat(events())
        .extracting(e -> ((RequestFailed) e).failure())
        .containsExactly(
            PunchFailure.NO_SUCH_PEER,
            PunchFailure.NOT_CONNECTED,
            PunchFailure.NO_SELF,
            PunchFailure.UNKNOWN_ERROR);
    PunchRequests.Counters c = punch.counters();
    assertThat(List.of(c.errorsNoSuchPeer(), c.errorsNotConnected(), c.errorsNoSelf()))
        .containsExactly(1L, 1L, 1L);
    assertThat(c.errorsUnknown()).isEqualTo(1);
    assertThat(c.errorsNoSupport()).isZero();
    assertThat(c.failed()).isEqualTo(4);
    for (PunchFailure f : PunchFailure.values()) {
      assertThat(f.explanation()).isNotBlank();
    }
  }

  @Test
  void notConnectedMovesOnToTheNextRendezvousPeer() {
    punch.requestRendezvous(TARGET, List.of(R1, R2), 0);
    assertThat(drain()).containsExactly(rendezvous(R1, TARGET));
    punch.onMessage(R1, HolepunchMessage.error(TARGET, HolepunchError.NOT_CONNECTED), SECOND);
    assertThat(drain()).containsExactly(rendezvous(R2, TARGET));
    assertThat(events()).isEmpty();
    assertThat(punch.pollTimeout()).isEqualTo(SECOND + TIMEOUT);
    punch.onMessage(R2, HolepunchMessage.connect(TARGET), 2 * SECOND);
    assertThat(events()).containsExactly(new PunchNow(TARGET, R2, true));
    PunchRequests.Counters c = punch.counters();
    assertThat(c.rendezvousSent()).isEqualTo(2);
    assertThat(c.retries()).isEqualTo(1);
    assertThat(c.errorsNotConnected()).isEqualTo(1);
    assertThat(c.failed()).isZero();
  }

  @Test
  void anUnansweredRequestExpiresAtItsDeadline() {
    punch.requestRendezvous(TARGET, R1, 0);
    drain();
    punch.handleTimeout(TIMEOUT - 1);
    assertThat(events()).isEmpty();
    assertThat(punch.pending()).isEqualTo(1);
    punch.handleTimeout(TIMEOUT);
    assertThat(events()).containsExactly(new RequestFailed(TARGET, PunchFailure.TIMED_OUT, R1));
    assertThat(punch.pending()).isZero();
    assertThat(punch.pollTimeout()).isEqualTo(Long.MAX_VALUE);
    assertThat(punch.counters().timeouts()).isEqualTo(1);
    assertThat(punch.counters().failed()).isEqualTo(1);
    punch.onMessage(R1, HolepunchMessage.error(TARGET, HolepunchError.NOT_CONNECTED), TIMEOUT + 1);
    assertThat(punch.counters().unsolicitedErrors()).isEqualTo(1);
    assertThat(events()).isEmpty();
  }

  @Test
  void aTimeoutRetriesThroughTheNextRendezvousPeerUpToTheLimit() {
    punch =
        new PunchRequests(
            new PunchRequests.Settings(
                Duration.ofSeconds(5), 2, 32, 5, Duration.ofSeconds(10), 64));
    punch.requestRendezvous(TARGET, List.of(R1, R2, R3), 0);
    assertThat(drain()).containsExactly(rendezvous(R1, TARGET));
    punch.handleTimeout(TIMEOUT);
    assertThat(drain()).containsExactly(rendezvous(R2, TARGET));
    assertThat(punch.pollTimeout()).isEqualTo(2 * TIMEOUT);
    // an error from R1, asked before, answers nothing pending with it any more
    punch.onMessage(R1, HolepunchMessage.error(TARGET, HolepunchError.NO_SUPPORT), TIMEOUT + 1);
    assertThat(events()).isEmpty();
    punch.handleTimeout(2 * TIMEOUT);
    assertThat(drain()).isEmpty(); // R3 is over maxRendezvousPerRequest
    assertThat(events()).containsExactly(new RequestFailed(TARGET, PunchFailure.TIMED_OUT, R2));
    PunchRequests.Counters c = punch.counters();
    assertThat(c.timeouts()).isEqualTo(2);
    assertThat(c.retries()).isEqualTo(1);
    assertThat(c.unsolicitedErrors()).isEqualTo(1);
    assertThat(c.errorsNoSupport()).isZero();
  }

  @Test
  void aLateConnectFromAnEarlierRendezvousPeerStillAnswersOurRequest() {
    punch.requestRendezvous(TARGET, List.of(R1, R2), 0);
    punch.handleTimeout(TIMEOUT);
    punch.onMessage(R1, HolepunchMessage.connect(TARGET), TIMEOUT + 1);
    assertThat(events()).containsExactly(new PunchNow(TARGET, R1, true));
    assertThat(punch.pending()).isZero();
  }

  @Test
  void aRendezvousPeerThatDisconnectsIsReplacedOrTheRequestFails() {
    punch.requestRendezvous(TARGET, List.of(R1, R2, R3), 0);
    punch.requestRendezvous(OTHER, List.of(R2), 0);
    punch.peerDisconnected(R1, SECOND); // its queued rendezvous is dropped, R2 asked instead
    punch.peerDisconnected(R3, SECOND); // untried: forgotten
    assertThat(drain()).containsExactly(rendezvous(R2, OTHER), rendezvous(R2, TARGET));
    punch.peerDisconnected(R2, 2 * SECOND);
    assertThat(events())
        .containsExactlyInAnyOrder(
            new RequestFailed(TARGET, PunchFailure.RENDEZVOUS_GONE, R2),
            new RequestFailed(OTHER, PunchFailure.RENDEZVOUS_GONE, R2));
    assertThat(drain()).isEmpty();
    assertThat(punch.counters().retries()).isEqualTo(1);
    assertThat(punch.counters().failed()).isEqualTo(2);
  }

  @Test
  void requestsForUnusableDuplicateOrTooManyTargetsAreRefused() {
    punch =
        new PunchRequests(
            new PunchRequests.Settings(Duration.ofSeconds(5), 3, 2, 5, Duration.ofSeconds(10), 64));
    assertThat(punch.requestRendezvous(at("203.0.113.5", 0), R1, 0)).isFalse();
    assertThat(punch.requestRendezvous(TARGET, R1, 0)).isTrue();
    assertThat(punch.requestRendezvous(TARGET, R2, 0)).isFalse();
    assertThat(punch.requestRendezvous(OTHER, R1, 0)).isTrue();
    assertThat(punch.requestRendezvous(at("203.0.113.6", 1), R1, 0)).isFalse();
    assertThat(drain()).containsExactly(rendezvous(R1, TARGET), rendezvous(R1, OTHER));
    assertThat(punch.counters().requested()).isEqualTo(2);
  }

  @Test
  void anErrorFromAPeerNotAskedIsIgnored() {
    punch.requestRendezvous(TARGET, List.of(R1, R2), 0);
    punch.onMessage(R2, HolepunchMessage.error(TARGET, HolepunchError.NO_SELF), 0);
    punch.onMessage(R1, HolepunchMessage.error(OTHER, HolepunchError.NO_SELF), 0);
    assertThat(events()).isEmpty();
    assertThat(punch.pending()).isEqualTo(1);
    assertThat(punch.counters().unsolicitedErrors()).isEqualTo(2);
  }

  /**
   * Three nodes on the wire format: A asks R to introduce it to B; R relays; A punches as initiator
   * to B's endpoint and B, invited, to A's, each endpoint as R sees it.
   */
  @Test
  void aRendezvousThroughARelayEndsWithBothSidesPunching() {
    InetSocketAddress aSeenByR = at("198.51.100.1", 40001);
    InetSocketAddress bSeenByR = at("203.0.113.2", 40002);
    PeerRef rAtA = new PeerRef(100);
    PeerRef rAtB = new PeerRef(200);
    PeerRef aAtR = new PeerRef(1);
    PeerRef bAtR = new PeerRef(2);
    PunchRequests a = new PunchRequests(PunchRequests.Settings.DEFAULTS);
    PunchRequests b = new PunchRequests(PunchRequests.Settings.DEFAULTS);
    Rendezvous rRelay = new Rendezvous(Rendezvous.Settings.DEFAULTS, (f, m, n) -> {});
    Rendezvous aRelay = new Rendezvous(Rendezvous.Settings.DEFAULTS, a);
    Rendezvous bRelay = new Rendezvous(Rendezvous.Settings.DEFAULTS, b);
    rRelay.peerConnected(aAtR, aSeenByR, true);
    rRelay.peerConnected(bAtR, bSeenByR, true);
    aRelay.peerConnected(rAtA, at("192.0.2.9", 6881), true);
    bRelay.peerConnected(rAtB, at("192.0.2.9", 6881), true);

    a.requestRendezvous(bSeenByR, rAtA, 0);
    Outgoing out = new Outgoing();
    ByteBuffer wire = ByteBuffer.allocate(HolepunchCodec.MAX_ENCODED_LENGTH);
    assertThat(a.pollOutgoing(out)).isTrue();
    assertThat(out.to()).isEqualTo(rAtA);
    out.encode(wire.clear());
    rRelay.handlePayload(aAtR, wire.flip(), 1);
    while (rRelay.pollOutgoing(out)) {
      out.encode(wire.clear());
      wire.flip();
      if (out.to().equals(aAtR)) {
        aRelay.handlePayload(rAtA, wire, 2);
      } else {
        assertThat(out.to()).isEqualTo(bAtR);
        bRelay.handlePayload(rAtB, wire, 2);
      }
    }
    assertThat(a.pollEvent()).isEqualTo(new PunchNow(bSeenByR, rAtA, true));
    assertThat(b.pollEvent()).isEqualTo(new PunchNow(aSeenByR, rAtB, false));
    assertThat(a.pollEvent()).isNull();
    assertThat(b.pollEvent()).isNull();
    assertThat(rRelay.counters().relayed()).isEqualTo(1);
    assertThat(aRelay.counters().passedOn()).isEqualTo(1);
    assertThat(bRelay.counters().passedOn()).isEqualTo(1);
  }
}
