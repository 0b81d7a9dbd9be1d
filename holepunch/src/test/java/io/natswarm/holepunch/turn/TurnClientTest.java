package io.natswarm.holepunch.turn;

import static org.assertj.core.api.Assertions.assertThat;

import io.natswarm.datagram.DatagramKind;
import io.natswarm.datagram.Deadlines;
import io.natswarm.datagram.Demultiplexer;
import io.natswarm.datagram.Transmit;
import io.natswarm.holepunch.stun.StunCodec;
import io.natswarm.holepunch.stun.TransactionId;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The TURN client against {@link FakeTurnServer}, in virtual time: every datagram the client sends
 * is handed to the server at once and every answer back, so times are exact.
 */
class TurnClientTest {
  private static final long SECOND = 1_000_000_000L;
  private static final long MS = 1_000_000L;
  private static final InetSocketAddress SERVER = at("198.51.100.1", 3478);
  private static final InetSocketAddress RELAYED = at("198.51.100.1", 49152);
  private static final InetSocketAddress MAPPED = at("203.0.113.7", 40000);
  private static final InetSocketAddress PEER = at("192.0.2.20", 6881);
  private static final InetSocketAddress PEER_OTHER_PORT = at("192.0.2.20", 7000);
  private static final InetSocketAddress STRANGER = at("192.0.2.99", 6881);

  private static InetSocketAddress at(String ip, int port) {
    try {
      return new InetSocketAddress(InetAddress.getByName(ip), port);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  /** What the listener heard. */
  private static final class Heard implements TurnClient.Listener {
    final List<String> states = new ArrayList<>();
    final List<String> received = new ArrayList<>();

    @Override
    public void received(ByteBuffer payload, InetSocketAddress peer, long nowNanos) {
      byte[] b = new byte[payload.remaining()];
      payload.duplicate().get(b);
      received.add(peer + " " + new String(b, StandardCharsets.UTF_8));
    }

    @Override
    public void stateChanged(TurnState state, String why) {
      states.add(state.name());
    }
  }

  /** A client, the server and virtual time. */
  private static final class Lab {
    final FakeTurnServer server;
    final Heard heard = new Heard();
    final TurnClient client;
    final Transmit t = Transmit.heap();
    final List<Long> sentAt = new ArrayList<>();
    long now = 1_000 * SECOND;

    Lab(String password) {
      server = new FakeTurnServer(SERVER, "alice", "secret", RELAYED, MAPPED);
      client = new TurnClient(SERVER, "alice", password, new Random(7), heard);
    }

    Lab() {
      this("secret");
    }

    /** Sends what the client has and delivers the server's answers, until quiet. */
    void pump() {
      t.clear();
      while (client.pollTransmit(t, now)) {
        assertThat(t.destination()).isEqualTo(SERVER);
        sentAt.add(now);
        byte[] out = FakeTurnServer.bytes(t.buffer().duplicate().flip());
        for (byte[] answer : server.receive(out)) {
          assertThat(deliver(answer)).isTrue();
        }
        t.clear();
      }
    }

    boolean deliver(byte[] datagram) {
      boolean taken = client.handleDatagram(ByteBuffer.wrap(datagram), SERVER, now);
      pump();
      return taken;
    }

    /** Runs the client's timers until {@code until} (virtual). */
    void runUntil(long until) {
      while (true) {
        long d = client.pollTimeout();
        if (d == Deadlines.NONE || d - until > 0) {
          break;
        }
        now = Math.max(now, d);
        client.handleTimeout(now);
        pump();
      }
      now = until;
    }

    void allocate() {
      client.start(now);
      pump();
      assertThat(client.state()).isEqualTo(TurnState.ALLOCATED);
    }

    /** Wraps {@code payload} to {@code to}, as the egress filter would; null if not wrapped. */
    byte[] wrap(InetSocketAddress to, String payload) {
      t.clear();
      t.buffer().put(payload.getBytes(StandardCharsets.UTF_8));
      t.setDestination(to);
      if (!client.wrap(t, now)) {
        assertThat(t.destination()).isEqualTo(to);
        assertThat(t.length()).isEqualTo(payload.length());
        return null;
      }
      assertThat(t.destination()).isEqualTo(SERVER);
      return FakeTurnServer.bytes(t.buffer().duplicate().flip());
    }

    TurnCounters counters() {
      return client.counters();
    }
  }

  private static TurnCounters counters(
      long allocations,
      long refreshes,
      long permissions,
      long channelBinds,
      long datagramsIn,
      long datagramsOut,
      long bytesIn,
      long bytesOut,
      long errorResponses,
      long integrityFailures,
      long malformed,
      long retransmits) {
    return new TurnCounters(
        allocations,
        refreshes,
        permissions,
        channelBinds,
        datagramsIn,
        datagramsOut,
        bytesIn,
        bytesOut,
        errorResponses,
        integrityFailures,
        malformed,
        retransmits);
  }

  @Test
  void aChallengedAllocateIsRepeatedWithCredentialsAndGivesTheRelayedAddress() {
    Lab lab = new Lab();
    lab.allocate();
    List<TurnMessage> allocates = lab.server.requests(TurnMessage.ALLOCATE_REQUEST);
    assertThat(allocates).hasSize(2);
    assertThat(allocates.get(0).integrityAt()).isEqualTo(-1);
    assertThat(allocates.get(0).username()).isNull();
    assertThat(allocates.get(1).username()).isEqualTo("alice");
    assertThat(allocates.get(1).realm()).isEqualTo("natswarm.test");
    assertThat(allocates.get(1).nonce()).isEqualTo("nonce-0");
    assertThat(allocates.get(1).transactionId()).isNotEqualTo(allocates.get(0).transactionId());
    assertThat(lab.client.relayedAddress()).isEqualTo(RELAYED);
    assertThat(lab.client.mappedAddress()).isEqualTo(MAPPED);
    assertThat(lab.client.lifetimeSeconds()).isEqualTo(600);
    assertThat(lab.client.failure()).isNull();
    assertThat(lab.heard.states).containsExactly("ALLOCATING", "ALLOCATED");
    assertThat(lab.counters()).isEqualTo(counters(1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0));
    // the refresh is the only timer: 60 s before the 600 s lifetime ends
    assertThat(lab.client.pollTimeout()).isEqualTo(lab.now + 540 * SECOND);
  }

  @Test
  void aStaleNonceIsReplacedAndTheRequestRepeated() {
    Lab lab = new Lab();
    lab.server.staleNonces = 1;
    lab.allocate();
    List<TurnMessage> allocates = lab.server.requests(TurnMessage.ALLOCATE_REQUEST);
    assertThat(allocates)
        .extracting(TurnMessage::nonce)
        .containsExactly(null, "nonce-0", "nonce-1");
    assertThat(lab.counters()).isEqualTo(counters(1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0));
  }

  @Test
  void aNonceThatIsStaleEveryTimeFailsAfterThreeRetries() {
    Lab lab = new Lab();
    lab.server.staleNonces = 100;
    lab.client.start(lab.now);
    lab.pump();
    assertThat(lab.client.state()).isEqualTo(TurnState.FAILED);
    assertThat(lab.client.failure()).contains("438 Stale Nonce");
    // 401, then 438 for the first authenticated request and each of the three retries
    assertThat(lab.counters()).isEqualTo(counters(0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0));
  }

  @Test
  void aWrongPasswordFailsWithAReasonThatSaysSo() {
    Lab lab = new Lab("not the secret");
    lab.client.start(lab.now);
    lab.pump();
    assertThat(lab.client.state()).isEqualTo(TurnState.FAILED);
    assertThat(lab.client.failure())
        .startsWith("the Allocate request was refused: 401 Unauthorized")
        .contains("\"alice\"", "natswarm.test", "username and password");
    assertThat(lab.heard.states).containsExactly("ALLOCATING", "FAILED");
    assertThat(lab.client.relayedAddress()).isNull();
    assertThat(lab.client.pollTimeout()).isEqualTo(Deadlines.NONE);
    assertThat(lab.counters()).isEqualTo(counters(0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0));
  }

  @ParameterizedTest
  @ValueSource(ints = {437, 486, 508})
  void otherErrorsFailNamingTheCode(int code) {
    Lab lab = new Lab();
    lab.server.refuse.put(TurnMessage.ALLOCATE_REQUEST, code);
    lab.client.start(lab.now);
    lab.pump();
    assertThat(lab.client.state()).isEqualTo(TurnState.FAILED);
    assertThat(lab.client.failure())
        .startsWith("the Allocate request was refused: " + code + " ")
        .contains("the server says \"refused\"");
  }

  @Test
  void aSilentServerGetsSevenRequestsThenTheClientFailsAfter39AndAHalfSeconds() {
    Lab lab = new Lab();
    lab.server.answering = false;
    long start = lab.now;
    lab.client.start(start);
    lab.pump();
    lab.runUntil(start + 100 * SECOND);
    assertThat(lab.sentAt.stream().map(t -> (t - start) / MS).toList())
        .containsExactly(0L, 500L, 1500L, 3500L, 7500L, 15500L, 31500L);
    assertThat(lab.client.state()).isEqualTo(TurnState.FAILED);
    assertThat(lab.client.failure()).startsWith("server did not answer").contains("39.5 s");
    assertThat(lab.counters()).isEqualTo(counters(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 6));
    // failed exactly 39.5 s after the first request
    Lab again = new Lab();
    again.server.answering = false;
    again.client.start(start);
    again.pump();
    again.runUntil(start + 39_500 * MS - 1);
    assertThat(again.client.state()).isEqualTo(TurnState.ALLOCATING);
    again.runUntil(start + 39_500 * MS);
    assertThat(again.client.state()).isEqualTo(TurnState.FAILED);
    assertThat(TurnClient.GIVE_UP_NANOS).isEqualTo(39_500 * MS);
  }

  @Test
  void theAllocationIsRefreshedBeforeItExpiresAndARefusedRefreshFails() {
    Lab lab = new Lab();
    lab.allocate();
    long allocatedAt = lab.now;
    lab.runUntil(allocatedAt + 540 * SECOND - 1);
    assertThat(lab.server.requests(TurnMessage.REFRESH_REQUEST)).isEmpty();
    lab.runUntil(allocatedAt + 540 * SECOND);
    List<TurnMessage> refreshes = lab.server.requests(TurnMessage.REFRESH_REQUEST);
    assertThat(refreshes).hasSize(1);
    assertThat(refreshes.get(0).lifetime()).isEqualTo(600);
    assertThat(refreshes.get(0).integrityAt()).isPositive();
    assertThat(lab.counters().refreshes()).isEqualTo(1);
    assertThat(lab.client.pollTimeout()).isEqualTo(allocatedAt + 1080 * SECOND);
    lab.server.refuse.put(TurnMessage.REFRESH_REQUEST, 437);
    lab.runUntil(allocatedAt + 1080 * SECOND);
    assertThat(lab.client.state()).isEqualTo(TurnState.FAILED);
    assertThat(lab.client.failure()).startsWith("the Refresh request was refused: 437");
    assertThat(lab.counters()).isEqualTo(counters(1, 1, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0));
  }

  @Test
  void aShortLifetimeIsRefreshedAtHalfTime() {
    Lab lab = new Lab();
    lab.server.lifetime = 100;
    lab.allocate();
    assertThat(lab.client.pollTimeout()).isEqualTo(lab.now + 50 * SECOND);
  }

  @Test
  void aPermissionAskedBeforeTheAllocationIsCreatedAfterItAndRefreshedEveryFourMinutes() {
    Lab lab = new Lab();
    lab.client.permit(PEER.getAddress(), lab.now);
    lab.allocate();
    long allocatedAt = lab.now;
    List<TurnMessage> creates = lab.server.requests(TurnMessage.CREATE_PERMISSION_REQUEST);
    assertThat(creates).hasSize(1);
    assertThat(creates.get(0).peer().getAddress()).isEqualTo(PEER.getAddress());
    assertThat(lab.server.permitted).containsExactly(PEER.getAddress());
    assertThat(lab.client.routes(PEER)).isTrue();
    assertThat(lab.client.routes(STRANGER)).isFalse();
    lab.runUntil(allocatedAt + 240 * SECOND - 1);
    assertThat(lab.server.requests(TurnMessage.CREATE_PERMISSION_REQUEST)).hasSize(1);
    lab.runUntil(allocatedAt + 240 * SECOND);
    assertThat(lab.server.requests(TurnMessage.CREATE_PERMISSION_REQUEST)).hasSize(2);
    lab.client.forget(PEER.getAddress());
    assertThat(lab.client.routes(PEER)).isFalse();
    lab.runUntil(allocatedAt + 500 * SECOND);
    assertThat(lab.server.requests(TurnMessage.CREATE_PERMISSION_REQUEST)).hasSize(2);
    assertThat(lab.counters()).isEqualTo(counters(1, 0, 2, 0, 0, 0, 0, 0, 1, 0, 0, 0));
  }

  @Test
  void permissionsAreCappedAtSixtyFourTheOldestDropped() throws Exception {
    Lab lab = new Lab();
    lab.allocate();
    for (int i = 1; i <= 65; i++) {
      lab.client.permit(InetAddress.getByName("10.0.0." + i), lab.now);
    }
    lab.pump();
    assertThat(lab.client.routes(at("10.0.0.1", 1))).isFalse();
    assertThat(lab.client.routes(at("10.0.0.2", 1))).isTrue();
    assertThat(lab.client.routes(at("10.0.0.65", 1))).isTrue();
  }

  @Test
  void dataFromAPermittedPeerIsDeliveredThenBoundToAChannelAndChannelDataFlowsBothWays() {
    Lab lab = new Lab();
    lab.allocate();
    lab.client.permit(PEER.getAddress(), lab.now);
    lab.pump();
    // from a peer without a permission: consumed, not delivered, nothing bound
    assertThat(lab.deliver(lab.server.dataIndication(STRANGER, "sneaky"))).isTrue();
    assertThat(lab.heard.received).isEmpty();
    // before any datagram came in, our datagrams to the peer go as Send indications
    byte[] send = lab.wrap(PEER, "syn");
    assertThat(lab.server.receive(send)).isEmpty();
    assertThat(lab.server.toPeers).containsExactly(new FakeTurnServer.Relayed(PEER, "syn"));
    // the first datagram from the peer: delivered, and a ChannelBind for its endpoint
    assertThat(lab.deliver(lab.server.dataIndication(PEER, "state"))).isTrue();
    assertThat(lab.heard.received).containsExactly(PEER + " state");
    List<TurnMessage> binds = lab.server.requests(TurnMessage.CHANNEL_BIND_REQUEST);
    assertThat(binds).hasSize(1);
    assertThat(binds.get(0).channel()).isEqualTo(0x4000);
    assertThat(binds.get(0).peer()).isEqualTo(PEER);
    // bound: ChannelData both ways, unpadded out, padded or not in
    byte[] out = lab.wrap(PEER, "data!");
    assertThat(out).hasSize(4 + 5);
    assertThat(out[0]).isEqualTo((byte) 0x40);
    assertThat(DatagramKind.TURN_CHANNEL.matches(ByteBuffer.wrap(out))).isTrue();
    lab.server.receive(out);
    assertThat(lab.server.toPeers).endsWith(new FakeTurnServer.Relayed(PEER, "data!"));
    assertThat(lab.deliver(lab.server.channelData(0x4000, "ack", false))).isTrue();
    assertThat(lab.deliver(lab.server.channelData(0x4000, "ack2", true))).isTrue();
    assertThat(lab.heard.received).containsExactly(PEER + " state", PEER + " ack", PEER + " ack2");
    // another port of the same address: a route of its own, on the next channel
    assertThat(lab.deliver(lab.server.dataIndication(PEER_OTHER_PORT, "hi"))).isTrue();
    assertThat(lab.server.channels).containsKeys(0x4000, 0x4001);
    // ChannelData on a channel never bound: consumed and counted
    assertThat(lab.deliver(lab.server.channelData(0x4042, "?", false))).isTrue();
    assertThat(lab.counters()).isEqualTo(counters(1, 0, 1, 2, 4, 2, 14, 8, 1, 0, 1, 0));
  }

  @Test
  void aChannelInUseIsBoundAgainEveryNineMinutesAndAnIdleOneLapses() {
    Lab lab = new Lab();
    lab.server.lifetime = 3600;
    lab.allocate();
    lab.client.permit(PEER.getAddress(), lab.now);
    lab.pump();
    lab.deliver(lab.server.dataIndication(PEER, "hello"));
    long boundAt = lab.now;
    lab.runUntil(boundAt + 100 * SECOND);
    lab.deliver(lab.server.channelData(0x4000, "still here", false));
    lab.runUntil(boundAt + 540 * SECOND);
    assertThat(lab.server.requests(TurnMessage.CHANNEL_BIND_REQUEST)).hasSize(2);
    lab.runUntil(boundAt + 600 * SECOND);
    assertThat(lab.wrap(PEER, "x")).hasSize(5); // ChannelData still
    lab.runUntil(boundAt + 1080 * SECOND); // nothing since the rebind but that wrap
    assertThat(lab.server.requests(TurnMessage.CHANNEL_BIND_REQUEST)).hasSize(3);
    lab.runUntil(boundAt + 1620 * SECOND); // idle for nine minutes: let go
    assertThat(lab.server.requests(TurnMessage.CHANNEL_BIND_REQUEST)).hasSize(3);
    assertThat(lab.wrap(PEER, "y")).hasSize(TurnCodec.sendIndicationOverhead(4) + 4);
    assertThat(lab.counters().channelBinds()).isEqualTo(3);
  }

  @Test
  void wrapLeavesDatagramsToAnyoneElseUntouched() {
    Lab lab = new Lab();
    assertThat(lab.wrap(PEER, "before allocation")).isNull();
    lab.client.permit(PEER.getAddress(), lab.now);
    lab.allocate();
    assertThat(lab.wrap(STRANGER, "direct")).isNull();
    assertThat(lab.wrap(SERVER, "a STUN request of another core")).isNull();
    assertThat(lab.wrap(PEER, "relayed")).isNotNull();
    assertThat(lab.counters().datagramsOut()).isEqualTo(1);
    assertThat(lab.counters().bytesOut()).isEqualTo(7);
  }

  @Test
  void aSuccessResponseWithABadIntegrityIsRefusedCountedAndTheRequestGoesAgain() {
    Lab lab = new Lab();
    lab.server.corruptIntegrity = 1;
    long start = lab.now;
    lab.client.start(start);
    lab.pump();
    assertThat(lab.client.state()).isEqualTo(TurnState.ALLOCATING);
    assertThat(lab.counters().integrityFailures()).isEqualTo(1);
    lab.runUntil(start + 500 * MS);
    assertThat(lab.client.state()).isEqualTo(TurnState.ALLOCATED);
    assertThat(lab.counters()).isEqualTo(counters(1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 1));
  }

  @Test
  void closeDeletesTheAllocationWithLifetimeZero() {
    Lab lab = new Lab();
    lab.allocate();
    lab.client.permit(PEER.getAddress(), lab.now);
    lab.pump();
    lab.client.close(lab.now);
    lab.pump();
    List<TurnMessage> refreshes = lab.server.requests(TurnMessage.REFRESH_REQUEST);
    assertThat(refreshes).hasSize(1);
    assertThat(refreshes.get(0).lifetime()).isZero();
    assertThat(refreshes.get(0).integrityAt()).isPositive();
    assertThat(lab.client.state()).isEqualTo(TurnState.CLOSED);
    assertThat(lab.heard.states).containsExactly("ALLOCATING", "ALLOCATED", "CLOSED");
    assertThat(lab.client.routes(PEER)).isFalse();
    assertThat(lab.client.pollTimeout()).isEqualTo(Deadlines.NONE);
    // the deletion does not count as a refresh
    assertThat(lab.counters().refreshes()).isZero();
  }

  @Test
  void whatIsNotTheServersOrNotOursIsDeclinedAndGarbageFromTheServerCounted() {
    Lab lab = new Lab();
    lab.allocate();
    byte[] channelData = lab.server.channelData(0x4000, "x", false);
    assertThat(lab.client.handleDatagram(ByteBuffer.wrap(channelData), PEER, lab.now)).isFalse();
    // a Binding response of a binding-discovery core on the same socket, from the same server
    ByteBuffer stun = ByteBuffer.allocate(64);
    StunCodec.writeBindingSuccess(stun, new TransactionId(5, 6), MAPPED, null, null);
    assertThat(lab.client.handleDatagram(stun.flip(), SERVER, lab.now)).isFalse();
    // a truncated STUN message and a ChannelData whose length runs past the datagram
    byte[] truncated = new byte[20];
    truncated[1] = 0x03;
    truncated[0] = 0x01;
    truncated[3] = 8;
    ByteBuffer.wrap(truncated).putInt(4, DatagramKind.STUN_MAGIC_COOKIE);
    assertThat(lab.client.handleDatagram(ByteBuffer.wrap(truncated), SERVER, lab.now)).isFalse();
    assertThat(
            lab.client.handleDatagram(
                ByteBuffer.wrap(new byte[] {0x40, 0, 0, 9, 1}), SERVER, lab.now))
        .isTrue();
    assertThat(lab.counters().malformed()).isEqualTo(1);
  }

  @Test
  void throughADemultiplexerTheEgressFilterWrapsAndRelayedDatagramsComeBackAsFromThePeer() {
    Lab lab = new Lab();
    Demultiplexer d = new Demultiplexer();
    d.register(DatagramKind.STUN, lab.client);
    d.register(DatagramKind.TURN_CHANNEL, lab.client);
    d.setEgressFilter(
        (out, now) -> {
          var unused = lab.client.wrap(out, now);
        });
    lab.client.permit(PEER.getAddress(), lab.now);
    lab.client.start(lab.now);
    Transmit t = Transmit.heap();
    for (int i = 0; i < 10 && lab.client.state() != TurnState.ALLOCATED; i++) {
      while (d.pollTransmit(t, lab.now)) {
        for (byte[] answer : lab.server.receive(FakeTurnServer.bytes(t.buffer().flip()))) {
          assertThat(d.dispatch(ByteBuffer.wrap(answer), SERVER, lab.now)).isNotNull();
        }
      }
    }
    assertThat(lab.client.state()).isEqualTo(TurnState.ALLOCATED);
    while (d.pollTransmit(t, lab.now)) {
      lab.server.receive(FakeTurnServer.bytes(t.buffer().flip()));
    }
    assertThat(lab.server.permitted).contains(PEER.getAddress());
    assertThat(d.dispatch(ByteBuffer.wrap(lab.server.dataIndication(PEER, "hi")), SERVER, lab.now))
        .isEqualTo(DatagramKind.STUN);
    assertThat(lab.heard.received).containsExactly(PEER + " hi");
  }
}
