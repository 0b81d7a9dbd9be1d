package io.natswarm.holepunch.punch;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RendezvousTest {
  private static final long SECOND = 1_000_000_000L;
  private static final PeerRef A = new PeerRef(1);
  private static final PeerRef B = new PeerRef(2);
  private static final PeerRef C = new PeerRef(3);
  private static final InetSocketAddress A_EP = at("198.51.100.1", 6881);
  private static final InetSocketAddress B_EP = at("203.0.113.2", 51413);
  private static final InetSocketAddress C_EP = at("2001:db8::3", 40000);

  private static final List<MessageType> TYPES =
      List.of(MessageType.RENDEZVOUS, MessageType.CONNECT, MessageType.ERROR);

  record Sent(PeerRef to, HolepunchMessage message) {}

  private final List<Sent> passedOn = new ArrayList<>();
  private Rendezvous relay =
      new Rendezvous(
          Rendezvous.Settings.DEFAULTS, (from, m, now) -> passedOn.add(new Sent(from, m)));

  private static InetSocketAddress at(String ip, int port) {
    try {
      return new InetSocketAddress(InetAddress.getByName(ip), port);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static List<Sent> drain(Rendezvous r) {
    List<Sent> sent = new ArrayList<>();
    Outgoing out = new Outgoing();
    while (r.pollOutgoing(out)) {
      sent.add(new Sent(out.to(), out.message()));
    }
    return sent;
  }

  private static Rendezvous.Counters counters(
      long requests,
      long relayed,
      long noSuchPeer,
      long notConnected,
      long noSupport,
      long noSelf,
      long rateLimited) {
    return new Rendezvous.Counters(
        requests, relayed, noSuchPeer, notConnected, noSupport, noSelf, rateLimited, 0, 0, 0, 0);
  }

  private void connectABAndC() {
    relay.peerConnected(A, A_EP, true);
    relay.peerConnected(B, B_EP, true);
    relay.peerConnected(C, C_EP, false);
  }

  @Test
  void relaysBetweenTwoHolepunchPeersEachGettingTheOthersExactEndpoint() {
    connectABAndC();
    relay.onMessage(A, HolepunchMessage.rendezvous(B_EP), 0);
    assertThat(drain(relay))
        .containsExactly(
            new Sent(A, HolepunchMessage.connect(B_EP)),
            new Sent(B, HolepunchMessage.connect(A_EP)));
    assertThat(relay.counters()).isEqualTo(counters(1, 1, 0, 0, 0, 0, 0));
  }

  @Test
  void aPeerIsFoundByItsAliasButIntroducedByItsEndpoint() {
    // B behind a NAT that maps each destination apart: its µTP socket reaches us from port 40123,
    // and our PEX names it by its BEP 10 listen port 51413
    InetSocketAddress bMapped = at("203.0.113.2", 40123);
    relay.peerConnected(A, A_EP, true);
    relay.peerConnected(B, bMapped, B_EP, true);
    relay.onMessage(A, HolepunchMessage.rendezvous(B_EP), 0);
    assertThat(drain(relay))
        .containsExactly(
            new Sent(A, HolepunchMessage.connect(bMapped)),
            new Sent(B, HolepunchMessage.connect(A_EP)));
    relay.onMessage(A, HolepunchMessage.rendezvous(bMapped), 0);
    assertThat(drain(relay)).hasSize(2);
    relay.onMessage(B, HolepunchMessage.rendezvous(B_EP), 0);
    assertThat(drain(relay))
        .as("its own alias is itself")
        .containsExactly(new Sent(B, HolepunchMessage.error(B_EP, HolepunchError.NO_SELF)));

    // re-registered without the alias, and then gone: neither endpoint reaches it any more
    relay.peerConnected(B, bMapped, null, true);
    relay.onMessage(A, HolepunchMessage.rendezvous(B_EP), 0);
    assertThat(drain(relay))
        .containsExactly(new Sent(A, HolepunchMessage.error(B_EP, HolepunchError.NOT_CONNECTED)));
    relay.peerDisconnected(B);
    relay.onMessage(A, HolepunchMessage.rendezvous(bMapped), 0);
    assertThat(drain(relay))
        .containsExactly(
            new Sent(A, HolepunchMessage.error(bMapped, HolepunchError.NOT_CONNECTED)));
  }

  @Test
  void aSenderOnIpv6IsNamedToAnIpv4TargetByItsIpv4Alias() {
    InetSocketAddress aV6 = at("2001:db8::1", 6881);
    relay.peerConnected(A, aV6, A_EP, true);
    relay.peerConnected(B, B_EP, true);
    relay.onMessage(A, HolepunchMessage.rendezvous(B_EP), 0);
    assertThat(drain(relay))
        .containsExactly(
            new Sent(A, HolepunchMessage.connect(B_EP)),
            new Sent(B, HolepunchMessage.connect(A_EP)));
  }

  @Test
  void aRelayedIpv6PairAndAnIpv4PairKeepTheirFamilies() {
    relay.peerConnected(A, A_EP, true);
    relay.peerConnected(C, C_EP, true);
    relay.onMessage(C, HolepunchMessage.rendezvous(A_EP), 0);
    List<Sent> sent = drain(relay);
    assertThat(sent)
        .containsExactly(
            new Sent(C, HolepunchMessage.connect(A_EP)),
            new Sent(A, HolepunchMessage.connect(C_EP)));
    ByteBuffer b = ByteBuffer.allocate(HolepunchCodec.MAX_ENCODED_LENGTH);
    Outgoing out = new Outgoing();
    relay.onMessage(C, HolepunchMessage.rendezvous(A_EP), 0);
    assertThat(relay.pollOutgoing(out)).isTrue();
    assertThat(out.encode(b)).isEqualTo(12);
    b.clear();
    assertThat(relay.pollOutgoing(out)).isTrue();
    assertThat(out.encode(b)).isEqualTo(24);
  }

  @Test
  void aRequestForTheRequestersOwnEndpointIsNoSelf() {
    connectABAndC();
    relay.onMessage(A, HolepunchMessage.rendezvous(A_EP), 0);
    assertThat(drain(relay))
        .containsExactly(new Sent(A, HolepunchMessage.error(A_EP, HolepunchError.NO_SELF)));
    assertThat(relay.counters()).isEqualTo(counters(1, 0, 0, 0, 0, 1, 0));
  }

  @Test
  void aRequestForTheRelaysOwnEndpointIsNoSelf() {
    connectABAndC();
    InetSocketAddress ours = at("192.0.2.99", 6881);
    relay.addOwnEndpoint(ours);
    relay.onMessage(A, HolepunchMessage.rendezvous(ours), 0);
    assertThat(drain(relay))
        .containsExactly(new Sent(A, HolepunchMessage.error(ours, HolepunchError.NO_SELF)));
    relay.removeOwnEndpoint(ours);
    relay.onMessage(A, HolepunchMessage.rendezvous(ours), 0);
    assertThat(drain(relay))
        .containsExactly(new Sent(A, HolepunchMessage.error(ours, HolepunchError.NOT_CONNECTED)));
  }

  @Test
  void anEndpointWeAreNotConnectedToIsNotConnectedEvenWithTheSameAddress() {
    connectABAndC();
    InetSocketAddress otherPort = new InetSocketAddress(B_EP.getAddress(), B_EP.getPort() + 1);
    InetSocketAddress stranger = at("203.0.113.200", 51413);
    relay.onMessage(A, HolepunchMessage.rendezvous(otherPort), 0);
    relay.onMessage(A, HolepunchMessage.rendezvous(stranger), 0);
    assertThat(drain(relay))
        .containsExactly(
            new Sent(A, HolepunchMessage.error(otherPort, HolepunchError.NOT_CONNECTED)),
            new Sent(A, HolepunchMessage.error(stranger, HolepunchError.NOT_CONNECTED)));
    assertThat(relay.counters()).isEqualTo(counters(2, 0, 0, 2, 0, 0, 0));
  }

  @Test
  void aTargetWithoutUtHolepunchIsNoSupportUntilItsHandshakeSaysOtherwise() {
    connectABAndC();
    relay.onMessage(A, HolepunchMessage.rendezvous(C_EP), 0);
    assertThat(drain(relay))
        .containsExactly(new Sent(A, HolepunchMessage.error(C_EP, HolepunchError.NO_SUPPORT)));
    relay.peerConnected(C, C_EP, true); // its extended handshake arrived
    relay.onMessage(A, HolepunchMessage.rendezvous(C_EP), 0);
    assertThat(drain(relay))
        .containsExactly(
            new Sent(A, HolepunchMessage.connect(C_EP)),
            new Sent(C, HolepunchMessage.connect(A_EP)));
    assertThat(relay.counters()).isEqualTo(counters(2, 1, 0, 0, 1, 0, 0));
  }

  @Test
  void anInvalidTargetEndpointIsNoSuchPeer() {
    connectABAndC();
    for (InetSocketAddress bad :
        List.of(at("203.0.113.2", 0), at("0.0.0.0", 6881), at("::", 6881), at("239.1.2.3", 80))) {
      relay.onMessage(A, HolepunchMessage.rendezvous(bad), 0);
      assertThat(drain(relay))
          .containsExactly(new Sent(A, HolepunchMessage.error(bad, HolepunchError.NO_SUCH_PEER)));
    }
    assertThat(relay.counters()).isEqualTo(counters(4, 0, 4, 0, 0, 0, 0));
  }

  @Test
  void eachRequesterHasABucketOfFiveRefilledOnePerTenSecondsRefusalsIncluded() {
    connectABAndC();
    InetSocketAddress stranger = at("203.0.113.200", 1);
    for (int i = 0; i < 7; i++) { // 3 relayed, 2 refused, 2 over the limit
      relay.onMessage(A, HolepunchMessage.rendezvous(i < 3 ? B_EP : stranger), 0);
    }
    assertThat(drain(relay)).hasSize(3 * 2 + 2);
    assertThat(relay.counters()).isEqualTo(counters(7, 3, 0, 2, 0, 0, 2));

    relay.onMessage(B, HolepunchMessage.rendezvous(A_EP), 1); // B has a bucket of its own
    assertThat(drain(relay)).hasSize(2);

    relay.onMessage(A, HolepunchMessage.rendezvous(B_EP), 10 * SECOND - 1);
    assertThat(drain(relay)).isEmpty();
    relay.onMessage(A, HolepunchMessage.rendezvous(B_EP), 10 * SECOND);
    assertThat(drain(relay)).hasSize(2);
    relay.onMessage(A, HolepunchMessage.rendezvous(B_EP), 10 * SECOND);
    assertThat(drain(relay)).isEmpty();
    assertThat(relay.counters()).isEqualTo(counters(11, 5, 0, 2, 0, 0, 4));

    // a long silence refills to the burst, not beyond
    for (int i = 0; i < 6; i++) {
      relay.onMessage(A, HolepunchMessage.rendezvous(stranger), 1000 * SECOND);
    }
    assertThat(drain(relay)).hasSize(5);
    assertThat(relay.counters()).isEqualTo(counters(17, 5, 0, 7, 0, 0, 5));
  }

  @Test
  void theRateIsASetting() {
    relay = new Rendezvous(new Rendezvous.Settings(1, Duration.ofSeconds(1), 8), (f, m, n) -> {});
    connectABAndC();
    relay.onMessage(A, HolepunchMessage.rendezvous(B_EP), 0);
    relay.onMessage(A, HolepunchMessage.rendezvous(B_EP), SECOND / 2);
    relay.onMessage(A, HolepunchMessage.rendezvous(B_EP), SECOND);
    assertThat(drain(relay)).hasSize(4);
    assertThat(relay.counters()).isEqualTo(counters(3, 2, 0, 0, 0, 0, 1));
  }

  @Test
  void messagesFromPeersNotConnectedOrWithoutUtHolepunchAreIgnored() {
    connectABAndC();
    relay.onMessage(new PeerRef(99), HolepunchMessage.rendezvous(B_EP), 0);
    relay.onMessage(C, HolepunchMessage.rendezvous(B_EP), 0);
    relay.onMessage(C, HolepunchMessage.connect(B_EP), 0);
    assertThat(drain(relay)).isEmpty();
    assertThat(passedOn).isEmpty();
    assertThat(relay.counters())
        .isEqualTo(new Rendezvous.Counters(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3));
  }

  @Test
  void connectAndErrorMessagesArePassedToTheInitiatorSide() {
    connectABAndC();
    HolepunchMessage connect = HolepunchMessage.connect(at("192.0.2.50", 7000));
    HolepunchMessage error = HolepunchMessage.error(B_EP, HolepunchError.NOT_CONNECTED);
    relay.onMessage(B, connect, 0);
    relay.onMessage(A, error, 0);
    assertThat(passedOn).containsExactly(new Sent(B, connect), new Sent(A, error));
    assertThat(drain(relay)).isEmpty();
    assertThat(relay.counters())
        .isEqualTo(new Rendezvous.Counters(0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0));
  }

  @Test
  void malformedPayloadsAreCountedAndIgnored() {
    connectABAndC();
    relay.handlePayload(A, ByteBuffer.wrap(new byte[] {0, 0, 1}), 0);
    relay.handlePayload(A, ByteBuffer.wrap(new byte[] {9, 0, 1, 2, 3, 4, 0, 1}), 0);
    ByteBuffer ok = ByteBuffer.allocate(12);
    HolepunchCodec.encode(HolepunchMessage.rendezvous(B_EP), ok);
    relay.handlePayload(A, ok.flip(), 0);
    assertThat(ok.position()).isZero();
    assertThat(drain(relay)).hasSize(2);
    assertThat(relay.counters())
        .isEqualTo(new Rendezvous.Counters(1, 1, 0, 0, 0, 0, 0, 0, 2, 0, 0));
  }

  @Test
  void aDisconnectedPeerGetsNoQueuedMessageAndIsNoLongerATarget() {
    connectABAndC();
    relay.onMessage(A, HolepunchMessage.rendezvous(B_EP), 0);
    relay.peerDisconnected(B);
    assertThat(drain(relay)).containsExactly(new Sent(A, HolepunchMessage.connect(B_EP)));
    relay.onMessage(A, HolepunchMessage.rendezvous(B_EP), 0);
    assertThat(drain(relay))
        .containsExactly(new Sent(A, HolepunchMessage.error(B_EP, HolepunchError.NOT_CONNECTED)));
    assertThat(relay.connectedPeers()).isEqualTo(2);
  }

  @Test
  void twoConnectionsFromOneEndpointPreferTheOneWithUtHolepunch() {
    PeerRef utp = new PeerRef(10);
    PeerRef tcp = new PeerRef(11);
    relay.peerConnected(A, A_EP, true);
    relay.peerConnected(utp, B_EP, true);
    relay.peerConnected(tcp, B_EP, false);
    relay.onMessage(A, HolepunchMessage.rendezvous(B_EP), 0);
    assertThat(drain(relay))
        .containsExactly(
            new Sent(A, HolepunchMessage.connect(B_EP)),
            new Sent(utp, HolepunchMessage.connect(A_EP)));
    relay.peerConnected(utp, B_EP, false); // its support went away: the other still lacks it
    relay.peerConnected(tcp, B_EP, true); // and this one gained it
    relay.onMessage(A, HolepunchMessage.rendezvous(B_EP), 0);
    assertThat(drain(relay))
        .containsExactly(
            new Sent(A, HolepunchMessage.connect(B_EP)),
            new Sent(tcp, HolepunchMessage.connect(A_EP)));
    relay.peerConnected(utp, B_EP, true); // both have it: the one chosen stays
    relay.peerConnected(tcp, B_EP, false); // the chosen one lost it: the other takes its place
    relay.onMessage(A, HolepunchMessage.rendezvous(B_EP), 0);
    assertThat(drain(relay))
        .containsExactly(
            new Sent(A, HolepunchMessage.connect(B_EP)),
            new Sent(utp, HolepunchMessage.connect(A_EP)));
    relay.peerDisconnected(utp);
    relay.onMessage(A, HolepunchMessage.rendezvous(B_EP), 0);
    assertThat(drain(relay))
        .containsExactly(new Sent(A, HolepunchMessage.error(B_EP, HolepunchError.NO_SUPPORT)));
    relay.peerDisconnected(tcp);
    relay.onMessage(A, HolepunchMessage.rendezvous(B_EP), 0);
    assertThat(drain(relay))
        .containsExactly(new Sent(A, HolepunchMessage.error(B_EP, HolepunchError.NOT_CONNECTED)));
  }

  @Test
  void aPeerThatMovesIsFoundAtItsNewEndpointOnly() {
    connectABAndC();
    InetSocketAddress moved = at("203.0.113.9", 51413);
    relay.peerConnected(B, moved, true);
    relay.onMessage(A, HolepunchMessage.rendezvous(B_EP), 0);
    relay.onMessage(A, HolepunchMessage.rendezvous(moved), 0);
    assertThat(drain(relay))
        .containsExactly(
            new Sent(A, HolepunchMessage.error(B_EP, HolepunchError.NOT_CONNECTED)),
            new Sent(A, HolepunchMessage.connect(moved)),
            new Sent(B, HolepunchMessage.connect(A_EP)));
  }

  @Test
  void aFullQueueDropsBothHalvesOfARelayNeverOne() {
    relay = new Rendezvous(new Rendezvous.Settings(5, Duration.ofSeconds(10), 3), (f, m, n) -> {});
    connectABAndC();
    relay.onMessage(A, HolepunchMessage.rendezvous(B_EP), 0); // 2 queued
    relay.onMessage(A, HolepunchMessage.rendezvous(B_EP), 0); // no room for 2
    relay.onMessage(A, HolepunchMessage.rendezvous(C_EP), 0); // room for the error
    relay.onMessage(A, HolepunchMessage.rendezvous(C_EP), 0); // no room for it
    assertThat(drain(relay))
        .containsExactly(
            new Sent(A, HolepunchMessage.connect(B_EP)),
            new Sent(B, HolepunchMessage.connect(A_EP)),
            new Sent(A, HolepunchMessage.error(C_EP, HolepunchError.NO_SUPPORT)));
    assertThat(relay.counters())
        .isEqualTo(new Rendezvous.Counters(4, 1, 0, 0, 1, 0, 0, 2, 0, 0, 0));
  }

  /**
   * A hostile peer sends random messages (random types, endpoints near and equal to connected
   * peers', its own) while other peers connect, disconnect and change endpoints, and the engine
   * drains at random moments: every message ever taken from the queue goes to a peer connected at
   * that moment, errors go only to the hostile peer, a third peer only ever gets a connect naming
   * the hostile peer's endpoint, and every request is counted exactly once.
   */
  @Test
  void nothingIsEverAddressedToAPeerWeAreNotConnectedTo() {
    for (long seed = 1; seed <= 20; seed++) {
      Random rnd = new Random(seed);
      relay =
          new Rendezvous(new Rendezvous.Settings(5, Duration.ofSeconds(10), 16), (f, m, n) -> {});
      PeerRef hostile = new PeerRef(0);
      InetSocketAddress hostileEp = at("198.51.100.66", 6666);
      relay.peerConnected(hostile, hostileEp, true);
      List<InetSocketAddress> pool = new ArrayList<>();
      for (int i = 1; i <= 6; i++) {
        pool.add(at("203.0.113." + i, 6881));
        pool.add(at("203.0.113." + i, 6882));
        pool.add(at("2001:db8::" + i, 6881));
      }
      pool.add(hostileEp);
      pool.add(at("0.0.0.0", 6881));
      Map<PeerRef, InetSocketAddress> connected = new HashMap<>();
      connected.put(hostile, hostileEp);
      long now = 0;
      long taken = 0;
      for (int step = 0; step < 3000; step++) {
        now += rnd.nextInt(2 * (int) SECOND);
        int action = rnd.nextInt(10);
        PeerRef someone = new PeerRef(1 + rnd.nextInt(8));
        if (action == 0) {
          InetSocketAddress ep = pool.get(rnd.nextInt(pool.size() - 2));
          relay.peerConnected(someone, ep, rnd.nextBoolean());
          connected.put(someone, ep);
        } else if (action == 1) {
          relay.peerDisconnected(someone);
          connected.remove(someone);
        } else if (action == 2) {
          Outgoing out = new Outgoing();
          while (relay.pollOutgoing(out)) {
            taken++;
            assertThat(connected).as("seed %d step %d", seed, step).containsKey(out.to());
            if (out.type() == MessageType.ERROR) {
              assertThat(out.to()).isEqualTo(hostile);
            } else if (!out.to().equals(hostile)) {
              assertThat(out.type()).isEqualTo(MessageType.CONNECT);
              assertThat(out.endpoint()).isEqualTo(hostileEp);
            }
          }
        } else {
          MessageType type = TYPES.get(rnd.nextInt(TYPES.size()));
          InetSocketAddress ep = pool.get(rnd.nextInt(pool.size()));
          int code = type == MessageType.ERROR ? rnd.nextInt(6) : 0;
          relay.onMessage(hostile, new HolepunchMessage(type, ep, code), now);
        }
      }
      Rendezvous.Counters c = relay.counters();
      assertThat(c.requests())
          .isEqualTo(
              c.relayed()
                  + c.refusedNoSuchPeer()
                  + c.refusedNotConnected()
                  + c.refusedNoSupport()
                  + c.refusedNoSelf()
                  + c.rateLimited()
                  + c.droppedQueueFull());
      assertThat(c.relayed()).isPositive();
      assertThat(c.rateLimited()).isPositive();
      assertThat(taken).isPositive();
    }
  }
}
