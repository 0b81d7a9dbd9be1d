package io.natswarm.holepunch.relay;

import static io.natswarm.holepunch.relay.RelayCodecTest.at;
import static io.natswarm.holepunch.relay.RelayCodecTest.filled;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.natswarm.holepunch.punch.PeerRef;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RelaySwitchTest {
  private static final long SECOND = 1_000_000_000L;
  private static final long T0 = 5 * SECOND;
  private static final PeerRef I = new PeerRef(1);
  private static final PeerRef T = new PeerRef(2);
  private static final PeerRef X = new PeerRef(3); // connected, without ns_relay
  private static final PeerRef U = new PeerRef(4); // never connected
  private static final InetSocketAddress I_EP = at("198.51.100.1", 6881);
  private static final InetSocketAddress T_EP = at("203.0.113.2", 51413);
  private static final InetSocketAddress X_EP = at("203.0.113.3", 6881);
  private static final InetSocketAddress OWN_EP = at("192.0.2.100", 6881);
  private static final byte[] I_ID = filled(20, 0xA1);
  private static final byte[] T_ID = filled(20, 0xB2);
  private static final byte[] X_ID = filled(20, 0xC3);
  private static final byte[] I_KEY = filled(32, 0x01);
  private static final byte[] T_KEY = filled(32, 0x02);
  private static final int WINDOW = RelayCodec.INITIAL_WINDOW;

  record Sent(PeerRef to, RelayMessage message) {}

  private RelaySwitch relay = new RelaySwitch(RelaySwitch.Settings.DEFAULTS, true);

  private static RelaySwitch.Settings settings(
      int perPeer, int max, long bytes, Duration lifetime, int window) {
    return new RelaySwitch.Settings(perPeer, max, bytes, lifetime, window, Duration.ofSeconds(10));
  }

  private List<Sent> drain() {
    List<Sent> sent = new ArrayList<>();
    RelayOutgoing out = new RelayOutgoing();
    while (relay.pollOutgoing(out)) {
      sent.add(new Sent(out.to(), out.message()));
      // what the engine sends parses back to the message
      assertThat(RelayCodec.parse(RelayCodec.encode(out.message())).message())
          .isEqualTo(out.message());
    }
    return sent;
  }

  private void connectAll() {
    relay.peerConnected(I, I_EP, null, I_ID, true);
    relay.peerConnected(T, T_EP, null, T_ID, true);
    relay.peerConnected(X, X_EP, null, X_ID, false);
    relay.addOwnEndpoint(OWN_EP);
  }

  /** I asks for T with its circuit 7; returns R's id on the link to T. */
  private int pending() {
    relay.onMessage(I, RelayMessage.connect(7, I_KEY, T_EP), T0);
    List<Sent> sent = drain();
    assertThat(sent).hasSize(1);
    assertThat(sent.get(0).to()).isEqualTo(T);
    return sent.get(0).message().circuit();
  }

  private int open() {
    int r = pending();
    relay.onMessage(T, RelayMessage.accept(reply(r), T_KEY, filled(20, 0xEE)), T0 + SECOND);
    assertThat(drain()).containsExactly(new Sent(I, RelayMessage.accept(reply(7), T_KEY, T_ID)));
    return r;
  }

  /** The id of messages from the side of a hop that did not open it. */
  private static int reply(int id) {
    return id | 0x80000000;
  }

  private static RelayMessage data(int circuit, int n, int fill) {
    return RelayMessage.data(circuit, ByteBuffer.wrap(filled(n, fill)));
  }

  @Test
  void joinsInitiatorToTargetTranslatingCircuitIdsAndNamingEachByTheRelaysView() {
    connectAll();
    relay.onMessage(I, RelayMessage.connect(7, I_KEY, T_EP), T0);
    List<Sent> sent = drain();
    assertThat(sent).hasSize(1);
    RelayMessage incoming = sent.get(0).message();
    int r = incoming.circuit();
    assertThat(r & 0xC0000000).as("R's INCOMING ids: bit 30 set, 31 clear").isEqualTo(0x40000000);
    assertThat(sent).containsExactly(new Sent(T, RelayMessage.incoming(r, I_KEY, I_ID, I_EP)));
    assertThat(relay.counters().pendingCircuits()).isEqualTo(1);
    assertThat(relay.relays(I, 7)).isTrue();
    assertThat(relay.relays(T, reply(r))).isTrue();
    assertThat(relay.relays(T, r)).isFalse();
    assertThat(relay.relays(T, 7)).isFalse();
    assertThat(relay.relays(I, reply(7))).isFalse();

    // T's claimed peer id is replaced by the one R saw in its handshake with T
    relay.onMessage(T, RelayMessage.accept(reply(r), T_KEY, filled(20, 0xEE)), T0 + SECOND);
    assertThat(drain()).containsExactly(new Sent(I, RelayMessage.accept(reply(7), T_KEY, T_ID)));

    relay.onMessage(I, data(7, 100, 0x55), T0 + 2 * SECOND);
    relay.onMessage(T, data(reply(r), 30, 0x66), T0 + 2 * SECOND);
    relay.onMessage(T, RelayMessage.window(reply(r), 100), T0 + 2 * SECOND);
    relay.onMessage(I, RelayMessage.window(7, 30), T0 + 2 * SECOND);
    assertThat(drain())
        .containsExactly(
            new Sent(T, data(r, 100, 0x55)),
            new Sent(I, data(reply(7), 30, 0x66)),
            new Sent(I, RelayMessage.window(reply(7), 100)),
            new Sent(T, RelayMessage.window(r, 30)));

    relay.onMessage(I, RelayMessage.close(7, RelayReason.NORMAL), T0 + 3 * SECOND);
    assertThat(drain()).containsExactly(new Sent(T, RelayMessage.close(r, RelayReason.NORMAL)));
    assertThat(relay.relays(I, 7)).isFalse();
    RelaySwitch.Counters c = relay.counters();
    assertThat(c.circuitsOpened()).isEqualTo(1);
    assertThat(c.circuitsClosed()).isEqualTo(Map.of(RelayReason.NORMAL, 1L));
    assertThat(c.circuitsRefused()).isEmpty();
    assertThat(c.bytesRelayed()).isEqualTo(130);
    assertThat(c.openCircuits()).isZero();
    assertThat(c.pendingCircuits()).isZero();
    assertThat(relay.nextDeadlineNanos(T0 + 3 * SECOND)).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void aCloseFromTheTargetReachesTheInitiatorWithTheSameRawReason() {
    connectAll();
    int r = open();
    relay.onMessage(
        T, new RelayMessage(RelayMessageType.CLOSE, reply(r), null, null, null, 200, null), T0);
    assertThat(drain())
        .containsExactly(
            new Sent(
                I,
                new RelayMessage(RelayMessageType.CLOSE, reply(7), null, null, null, 200, null)));
    assertThat(relay.counters().circuitsClosed()).isEqualTo(Map.of(RelayReason.UNKNOWN, 1L));
  }

  @Test
  void theForwardedDataIsACopyTheEngineMayOverwriteThePayloadAtOnce() {
    connectAll();
    int r = open();
    byte[] payload = RelayCodec.encode(data(7, 10, 0x55));
    ByteBuffer b = ByteBuffer.wrap(payload);
    relay.handlePayload(I, b, T0);
    assertThat(b.position()).isZero();
    payload[7] = 0;
    assertThat(drain()).containsExactly(new Sent(T, data(r, 10, 0x55)));
  }

  @Test
  void theInitiatorIsNamedByItsAliasWhenOnlyTheAliasIsOfTheTargetsFamily() {
    InetSocketAddress v6 = at("2001:db8::1", 40000);
    InetSocketAddress v4Alias = at("198.51.100.9", 6881);
    relay.peerConnected(I, v6, v4Alias, I_ID, true);
    relay.peerConnected(T, T_EP, null, T_ID, true);
    relay.onMessage(I, RelayMessage.connect(7, I_KEY, T_EP), T0);
    assertThat(drain().get(0).message().endpoint()).isEqualTo(v4Alias);

    InetSocketAddress t6 = at("2001:db8::2", 40000);
    relay.peerConnected(new PeerRef(9), t6, null, filled(20, 9), true);
    relay.onMessage(I, RelayMessage.connect(8, I_KEY, t6), T0);
    assertThat(drain().get(0).message().endpoint()).isEqualTo(v6);
  }

  @Test
  void theInitiatorIsNamedByAnAliasOfTheTargetsFamilyEvenWhenItsEndpointIsOfThatFamilyToo() {
    InetSocketAddress natted = at("198.51.100.1", 40123);
    relay.peerConnected(I, natted, I_EP, I_ID, true); // µTP from a NAT port; alias: listen port
    relay.peerConnected(T, T_EP, null, T_ID, true);
    relay.onMessage(I, RelayMessage.connect(7, I_KEY, T_EP), T0);
    assertThat(drain().get(0).message().endpoint()).isEqualTo(I_EP);
  }

  @Test
  void aTargetIsReachedAtItsAliasAndAtAnIpv4MappedFormOfItsAddress() throws Exception {
    byte[] mapped = HexFormat.of().parseHex("00000000000000000000ffffcb007102");
    InetSocketAddress mappedEp =
        new InetSocketAddress(Inet6Address.getByAddress(null, mapped, -1), 51413);
    InetSocketAddress alias = at("203.0.113.2", 6881);
    relay.peerConnected(I, I_EP, null, I_ID, true);
    relay.peerConnected(T, mappedEp, alias, T_ID, true);
    relay.onMessage(I, RelayMessage.connect(1, I_KEY, T_EP), T0);
    relay.onMessage(I, RelayMessage.connect(2, I_KEY, alias), T0);
    assertThat(drain()).extracting(Sent::to).containsExactly(T, T);
  }

  @Test
  void refusesWhenDisabledForOwnOrSendersEndpointAndForAnUnknownOrUnsupportingTarget() {
    connectAll();
    relay.onMessage(I, RelayMessage.connect(1, I_KEY, OWN_EP), T0);
    relay.onMessage(I, RelayMessage.connect(2, I_KEY, I_EP), T0);
    relay.onMessage(I, RelayMessage.connect(3, I_KEY, at("203.0.113.2", 51414)), T0);
    relay.onMessage(I, RelayMessage.connect(4, I_KEY, X_EP), T0);
    relay.setEnabled(false);
    relay.onMessage(I, RelayMessage.connect(5, I_KEY, T_EP), T0);
    assertThat(drain())
        .containsExactly(
            new Sent(I, RelayMessage.refuse(reply(1), RelayReason.NO_SELF)),
            new Sent(I, RelayMessage.refuse(reply(2), RelayReason.NO_SELF)),
            new Sent(I, RelayMessage.refuse(reply(3), RelayReason.NOT_CONNECTED)),
            new Sent(I, RelayMessage.refuse(reply(4), RelayReason.NO_SUPPORT)),
            new Sent(I, RelayMessage.refuse(reply(5), RelayReason.DISABLED)));
    assertThat(relay.counters().circuitsRefused())
        .isEqualTo(
            Map.of(
                RelayReason.NO_SELF, 2L,
                RelayReason.NOT_CONNECTED, 1L,
                RelayReason.NO_SUPPORT, 1L,
                RelayReason.DISABLED, 1L));
    assertThat(relay.counters().pendingCircuits()).isZero();

    RelaySwitch off = new RelaySwitch(RelaySwitch.Settings.DEFAULTS, false);
    assertThat(off.enabled()).isFalse();
    relay = off;
    connectAll();
    relay.onMessage(I, RelayMessage.connect(1, I_KEY, T_EP), T0);
    assertThat(drain())
        .containsExactly(new Sent(I, RelayMessage.refuse(reply(1), RelayReason.DISABLED)));
  }

  @Test
  void aSecondConnectionAtTheSameEndpointIsStillTheSender() {
    connectAll();
    PeerRef iAgain = new PeerRef(11); // a µTP and a TCP connection from one endpoint
    relay.peerConnected(iAgain, I_EP, null, I_ID, true);
    relay.onMessage(I, RelayMessage.connect(1, I_KEY, I_EP), T0);
    relay.onMessage(iAgain, RelayMessage.connect(1, I_KEY, I_EP), T0);
    assertThat(drain())
        .extracting(s -> s.message().reason())
        .containsExactly(RelayReason.NO_SELF, RelayReason.NO_SELF);
  }

  @Test
  void refusesAPeersCircuitBeyondItsLimitAsEitherEndAndBeyondTheSwitchsLimit() {
    relay = new RelaySwitch(settings(2, 3, 1000, Duration.ofMinutes(1), WINDOW), true);
    connectAll();
    PeerRef a = new PeerRef(20);
    PeerRef b = new PeerRef(21);
    InetSocketAddress aEp = at("198.51.100.20", 6881);
    InetSocketAddress bEp = at("198.51.100.21", 6881);
    relay.peerConnected(a, aEp, null, filled(20, 20), true);
    relay.peerConnected(b, bEp, null, filled(20, 21), true);

    relay.onMessage(I, RelayMessage.connect(1, I_KEY, T_EP), T0); // I: 1, T: 1
    relay.onMessage(T, RelayMessage.connect(1, I_KEY, I_EP), T0); // I: 2, T: 2
    relay.onMessage(I, RelayMessage.connect(2, I_KEY, aEp), T0); // I is full
    relay.onMessage(a, RelayMessage.connect(1, I_KEY, T_EP), T0); // T is full
    relay.onMessage(a, RelayMessage.connect(2, I_KEY, bEp), T0); // third circuit
    relay.onMessage(b, RelayMessage.connect(1, I_KEY, aEp), T0); // the switch is full
    List<Sent> sent = drain();
    assertThat(sent)
        .filteredOn(s -> s.message().type() == RelayMessageType.INCOMING)
        .extracting(Sent::to)
        .containsExactly(T, I, b);
    assertThat(sent)
        .filteredOn(s -> s.message().type() == RelayMessageType.REFUSE)
        .containsExactly(
            new Sent(I, RelayMessage.refuse(reply(2), RelayReason.TOO_MANY_CIRCUITS)),
            new Sent(a, RelayMessage.refuse(reply(1), RelayReason.TOO_MANY_CIRCUITS)),
            new Sent(b, RelayMessage.refuse(reply(1), RelayReason.TOO_MANY_CIRCUITS)));
    assertThat(relay.counters().refused(RelayReason.TOO_MANY_CIRCUITS)).isEqualTo(3);
    assertThat(relay.counters().pendingCircuits()).isEqualTo(3);
  }

  @Test
  void aCircuitIdAlreadyInUseOnTheSendersLinkIsAProtocolRefusalAndTheCircuitStays() {
    connectAll();
    int r = open();
    relay.onMessage(I, RelayMessage.connect(7, I_KEY, T_EP), T0);
    assertThat(drain())
        .containsExactly(new Sent(I, RelayMessage.refuse(reply(7), RelayReason.PROTOCOL)));
    relay.onMessage(I, data(7, 1, 1), T0);
    assertThat(drain()).containsExactly(new Sent(T, data(r, 1, 1)));
    assertThat(relay.counters().refused(RelayReason.PROTOCOL)).isEqualTo(1);
  }

  @Test
  void aConnectIdWithBit30Or31SetIsAProtocolRefusal() {
    connectAll();
    relay.onMessage(I, RelayMessage.connect(0x40000000, I_KEY, T_EP), T0);
    relay.onMessage(I, RelayMessage.connect(0x80000001, I_KEY, T_EP), T0);
    assertThat(drain())
        .containsExactly(
            new Sent(I, RelayMessage.refuse(0xC0000000, RelayReason.PROTOCOL)),
            new Sent(I, RelayMessage.refuse(0x80000001, RelayReason.PROTOCOL)));
    assertThat(relay.counters().pendingCircuits()).isZero();
  }

  @Test
  void theTargetsRefusalReachesTheInitiatorWithItsReason() {
    connectAll();
    int r = pending();
    relay.onMessage(T, RelayMessage.refuse(reply(r), RelayReason.REFUSED), T0);
    assertThat(drain())
        .containsExactly(new Sent(I, RelayMessage.refuse(reply(7), RelayReason.REFUSED)));
    assertThat(relay.counters().circuitsRefused()).isEqualTo(Map.of(RelayReason.REFUSED, 1L));
    assertThat(relay.relays(T, reply(r))).isFalse();
    relay.onMessage(T, RelayMessage.accept(reply(r), T_KEY, T_ID), T0); // too late: unknown now
    assertThat(drain()).isEmpty();
    assertThat(relay.counters().unknownCircuit()).isEqualTo(1);
  }

  @Test
  void theInitiatorMayCancelAPendingCircuit() {
    connectAll();
    int r = pending();
    relay.onMessage(I, RelayMessage.close(7, RelayReason.NORMAL), T0);
    assertThat(drain()).containsExactly(new Sent(T, RelayMessage.close(r, RelayReason.NORMAL)));
    assertThat(relay.counters().circuitsRefused()).isEqualTo(Map.of(RelayReason.NORMAL, 1L));
  }

  @Test
  void aTargetThatDoesNotAnswerInTimeIsClosedAndTheInitiatorRefused() {
    connectAll();
    int r = pending();
    long deadline = T0 + 10 * SECOND;
    assertThat(relay.nextDeadlineNanos(T0)).isEqualTo(deadline);
    relay.onTimer(deadline - 1);
    assertThat(drain()).isEmpty();
    relay.onTimer(deadline);
    assertThat(drain())
        .containsExactly(
            new Sent(I, RelayMessage.refuse(reply(7), RelayReason.TIME_EXCEEDED)),
            new Sent(T, RelayMessage.close(r, RelayReason.TIME_EXCEEDED)));
    assertThat(relay.counters().circuitsRefused()).isEqualTo(Map.of(RelayReason.TIME_EXCEEDED, 1L));
    assertThat(relay.nextDeadlineNanos(deadline)).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void deadlinesWorkAcrossTheSignOfNanoTime() {
    connectAll();
    long start = Long.MAX_VALUE - SECOND; // System.nanoTime may be anywhere, even wrap
    relay.onMessage(I, RelayMessage.connect(7, I_KEY, T_EP), start);
    drain();
    relay.onTimer(start + 9 * SECOND);
    assertThat(drain()).isEmpty();
    relay.onTimer(start + 10 * SECOND);
    assertThat(drain()).hasSize(2);
  }

  @Test
  void aSenderOverrunningItsCreditEndsTheCircuitForBothEnds() {
    connectAll();
    int r = open();
    relay.onMessage(I, data(7, RelayCodec.MAX_DATA, 1), T0);
    int sent = RelayCodec.MAX_DATA;
    while (sent + RelayCodec.MAX_DATA <= WINDOW) {
      relay.onMessage(I, data(7, RelayCodec.MAX_DATA, 1), T0);
      sent += RelayCodec.MAX_DATA;
    }
    relay.onMessage(I, data(7, WINDOW - sent, 1), T0); // exactly the credit: forwarded
    assertThat(drain()).allMatch(s -> s.to().equals(T)).hasSize(WINDOW / RelayCodec.MAX_DATA + 1);
    relay.onMessage(I, data(7, 1, 1), T0);
    assertThat(drain())
        .containsExactly(
            new Sent(I, RelayMessage.close(reply(7), RelayReason.WINDOW_EXCEEDED)),
            new Sent(T, RelayMessage.close(r, RelayReason.WINDOW_EXCEEDED)));
    assertThat(relay.counters().circuitsClosed())
        .isEqualTo(Map.of(RelayReason.WINDOW_EXCEEDED, 1L));
    assertThat(relay.counters().bytesRelayed()).isEqualTo(WINDOW);
  }

  @Test
  void aWindowFromTheReceiverGrantsTheSenderMoreCreditEachDirectionApart() {
    relay = new RelaySwitch(settings(4, 32, 1 << 20, Duration.ofMinutes(1), 100), true);
    connectAll();
    int r = open();
    relay.onMessage(I, data(7, 100, 1), T0);
    relay.onMessage(T, data(reply(r), 100, 2), T0);
    relay.onMessage(T, RelayMessage.window(reply(r), 50), T0); // T grants I 50 more
    relay.onMessage(I, data(7, 50, 3), T0);
    assertThat(drain()).hasSize(4);
    relay.onMessage(T, data(reply(r), 1, 4), T0); // I granted T nothing
    assertThat(drain())
        .containsExactly(
            new Sent(I, RelayMessage.close(reply(7), RelayReason.WINDOW_EXCEEDED)),
            new Sent(T, RelayMessage.close(r, RelayReason.WINDOW_EXCEEDED)));
  }

  @Test
  void aCircuitPastItsByteLimitIsClosedForBothEnds() {
    relay = new RelaySwitch(settings(4, 32, 1000, Duration.ofMinutes(1), WINDOW), true);
    connectAll();
    int r = open();
    relay.onMessage(I, data(7, 600, 1), T0);
    relay.onMessage(T, data(reply(r), 400, 2), T0); // 1000: the limit, still carried
    assertThat(drain()).hasSize(2);
    relay.onMessage(I, data(7, 1, 3), T0);
    assertThat(drain())
        .containsExactly(
            new Sent(I, RelayMessage.close(reply(7), RelayReason.BYTES_EXCEEDED)),
            new Sent(T, RelayMessage.close(r, RelayReason.BYTES_EXCEEDED)));
    assertThat(relay.counters().closed(RelayReason.BYTES_EXCEEDED)).isEqualTo(1);
    assertThat(relay.counters().bytesRelayed()).isEqualTo(1000);
  }

  @Test
  void aCircuitOlderThanItsLifetimeIsClosedForBothEnds() {
    connectAll();
    int r = open();
    long end = T0 + Duration.ofMinutes(15).toNanos();
    assertThat(relay.nextDeadlineNanos(T0 + SECOND)).isEqualTo(end);
    relay.onTimer(end - 1);
    assertThat(drain()).isEmpty();
    relay.onTimer(end);
    assertThat(drain())
        .containsExactly(
            new Sent(I, RelayMessage.close(reply(7), RelayReason.TIME_EXCEEDED)),
            new Sent(T, RelayMessage.close(r, RelayReason.TIME_EXCEEDED)));
    assertThat(relay.counters().closed(RelayReason.TIME_EXCEEDED)).isEqualTo(1);
  }

  @Test
  void aDisconnectionMidCircuitTellsTheOtherEndPeerGoneAndDropsWhatWasQueuedForIt() {
    connectAll();
    int r = open();
    relay.onMessage(I, data(7, 10, 1), T0); // queued for T, never sent
    relay.peerDisconnected(T, T0);
    assertThat(drain())
        .containsExactly(new Sent(I, RelayMessage.close(reply(7), RelayReason.PEER_GONE)));
    assertThat(relay.counters().closed(RelayReason.PEER_GONE)).isEqualTo(1);
    assertThat(relay.relays(I, 7)).isFalse();
    relay.onMessage(T, data(reply(r), 1, 1), T0);
    assertThat(drain()).isEmpty();
    assertThat(relay.counters().ignoredSenders()).isEqualTo(1);
  }

  @Test
  void anInitiatorLeavingAPendingCircuitTellsTheTarget() {
    connectAll();
    int r = pending();
    relay.peerDisconnected(I, T0);
    assertThat(drain()).containsExactly(new Sent(T, RelayMessage.close(r, RelayReason.PEER_GONE)));
    assertThat(relay.counters().refused(RelayReason.PEER_GONE)).isEqualTo(1);
    relay.onMessage(T, RelayMessage.accept(reply(r), T_KEY, T_ID), T0);
    assertThat(drain()).isEmpty();
  }

  @Test
  void aPeerThatStopsAdvertisingNsRelayLosesItsCircuits() {
    connectAll();
    open();
    relay.peerConnected(T, T_EP, null, T_ID, false);
    assertThat(drain())
        .containsExactly(new Sent(I, RelayMessage.close(reply(7), RelayReason.PEER_GONE)));
  }

  @Test
  void messagesForUnknownCircuitsAreIgnoredAndCounted() {
    connectAll();
    int r = open();
    relay.onMessage(I, data(8, 10, 1), T0);
    relay.onMessage(I, RelayMessage.window(8, 10), T0);
    relay.onMessage(I, RelayMessage.close(8, RelayReason.NORMAL), T0);
    relay.onMessage(T, RelayMessage.accept(reply(r) + 1, T_KEY, T_ID), T0);
    relay.onMessage(T, RelayMessage.refuse(reply(r) + 1, RelayReason.REFUSED), T0);
    relay.onMessage(T, data(7, 10, 1), T0); // I's id, on T's link
    relay.onMessage(T, data(r, 10, 1), T0); // R's id without bit 31: not from T's side
    relay.onMessage(I, data(reply(7), 10, 1), T0); // I's id with bit 31: not from I's side
    relay.onMessage(X, data(7, 10, 1), T0); // not a relay peer
    assertThat(drain()).isEmpty();
    assertThat(relay.counters().unknownCircuit()).isEqualTo(8);
    assertThat(relay.counters().ignoredSenders()).isEqualTo(1);
    assertThat(relay.counters().openCircuits()).isEqualTo(1);
  }

  @Test
  void messagesOnlyTheOtherDirectionSendsAreIgnoredAndCounted() {
    connectAll();
    open();
    relay.onMessage(I, RelayMessage.incoming(9, I_KEY, I_ID, T_EP), T0);
    relay.onMessage(I, RelayMessage.accept(7, I_KEY, I_ID), T0);
    relay.onMessage(I, RelayMessage.refuse(7, RelayReason.REFUSED), T0);
    assertThat(drain()).isEmpty();
    assertThat(relay.counters().misdirected()).isEqualTo(3);
    assertThat(relay.counters().openCircuits()).isEqualTo(1);
  }

  @Test
  void messagesTheCircuitsStateDoesNotAllowEndItWithProtocol() {
    connectAll();
    int r = pending();
    relay.onMessage(I, data(7, 10, 1), T0);
    assertThat(drain())
        .containsExactly(
            new Sent(I, RelayMessage.refuse(reply(7), RelayReason.PROTOCOL)),
            new Sent(T, RelayMessage.close(r, RelayReason.PROTOCOL)));

    r = open();
    relay.onMessage(T, RelayMessage.accept(reply(r), T_KEY, T_ID), T0);
    assertThat(drain())
        .containsExactly(
            new Sent(I, RelayMessage.close(reply(7), RelayReason.PROTOCOL)),
            new Sent(T, RelayMessage.close(r, RelayReason.PROTOCOL)));
    assertThat(relay.counters().refused(RelayReason.PROTOCOL)).isEqualTo(1);
    assertThat(relay.counters().closed(RelayReason.PROTOCOL)).isEqualTo(1);
  }

  @Test
  void malformedPayloadsAreCountedAndIgnoredWithoutMovingTheBuffer() {
    connectAll();
    ByteBuffer b = ByteBuffer.wrap(new byte[] {0, 9, 9, 9, 9, 9});
    b.position(1);
    relay.handlePayload(I, b, T0);
    relay.handlePayload(I, ByteBuffer.allocate(0), T0);
    relay.handlePayload(I, ByteBuffer.wrap(new byte[] {5, 0, 0, 0, 7}), T0);
    assertThat(b.position()).isEqualTo(1);
    assertThat(drain()).isEmpty();
    assertThat(relay.counters().malformed()).isEqualTo(3);
  }

  @Test
  void nothingIsEverAddressedToAPeerNotConnectedWithNsRelay() {
    connectAll();
    relay.onMessage(U, RelayMessage.connect(1, I_KEY, T_EP), T0);
    relay.onMessage(X, RelayMessage.connect(1, I_KEY, T_EP), T0);
    int r = pending();
    relay.peerDisconnected(T, T0);
    relay.onTimer(T0 + Duration.ofHours(1).toNanos());
    relay.peerDisconnected(I, T0);
    relay.peerDisconnected(U, T0); // unknown: nothing
    // the REFUSE to I was dropped with I's connection
    assertThat(drain()).isEmpty();
    assertThat(relay.counters().refused(RelayReason.PEER_GONE)).isEqualTo(1);
    assertThat(relay.counters().ignoredSenders()).isEqualTo(2);
    assertThat(relay.relays(T, reply(r))).isFalse();
  }

  @Test
  void aCircuitWhoseForwardedMessageDoesNotFitIsClosedWithRoomKeptForTheCloses() {
    relay =
        new RelaySwitch(settings(2, 2, 1 << 20, Duration.ofMinutes(1), WINDOW), true, 2 * 2 + 3);
    connectAll();
    int r = open();
    // capacity 7, two kept for the circuit: five DATA fit, the sixth does not
    for (int k = 0; k < 6; k++) {
      relay.onMessage(I, data(7, 1, k), T0);
    }
    List<Sent> sent = drain();
    assertThat(sent).hasSize(7);
    assertThat(sent.subList(0, 5)).allMatch(s -> s.to().equals(T));
    assertThat(sent.subList(5, 7))
        .containsExactly(
            new Sent(I, RelayMessage.close(reply(7), RelayReason.BYTES_EXCEEDED)),
            new Sent(T, RelayMessage.close(r, RelayReason.BYTES_EXCEEDED)));
    assertThat(relay.counters().queueFull()).isEqualTo(1);
    assertThat(relay.counters().bytesRelayed()).isEqualTo(5);
  }

  @Test
  void settingsAreCheckedNamingTheSetting() {
    assertThatThrownBy(() -> settings(0, 1, 1, Duration.ofSeconds(1), 1))
        .hasMessageContaining("maxCircuitsPerPeer");
    assertThatThrownBy(() -> settings(1, 0, 1, Duration.ofSeconds(1), 1))
        .hasMessageContaining("maxCircuits");
    assertThatThrownBy(() -> settings(1, 1, 0, Duration.ofSeconds(1), 1))
        .hasMessageContaining("maxBytesPerCircuit");
    assertThatThrownBy(() -> settings(1, 1, 1, Duration.ZERO, 1))
        .hasMessageContaining("maxLifetime");
    assertThatThrownBy(() -> settings(1, 1, 1, Duration.ofDays(365 * 100), 1))
        .hasMessageContaining("maxLifetime");
    assertThatThrownBy(() -> settings(1, 1, 1, Duration.ofSeconds(1), 0))
        .hasMessageContaining("window");
    assertThatThrownBy(
            () -> new RelaySwitch.Settings(1, 1, 1, Duration.ofSeconds(1), 1, Duration.ZERO))
        .hasMessageContaining("acceptTimeout");
    RelaySwitch.Settings d = RelaySwitch.Settings.DEFAULTS;
    assertThat(d)
        .isEqualTo(
            new RelaySwitch.Settings(
                4,
                32,
                256L * 1024 * 1024,
                Duration.ofMinutes(15),
                256 * 1024,
                Duration.ofSeconds(10)));
    assertThatThrownBy(() -> relay.peerConnected(I, I_EP, null, new byte[19], true))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
