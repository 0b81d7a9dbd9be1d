package io.natswarm.utp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.natswarm.netsim.LinkConfig;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The state machine seen through the {@link UtpTracer}: exact event sequences of both sides for a
 * handshake, an orderly FIN close, a reset, a refusal and a connect timeout, on a 20 ms netsim
 * path; and the table of legal moves, enforced.
 */
class UtpTracerTest {
  private static final LinkConfig LINK = LinkConfig.builder().delayMillis(10).build();

  /** Records every event of one stack as a line, and checks that ids and states chain up. */
  static final class Recorder implements UtpTracer {
    final List<String> events = new ArrayList<>();
    private final List<Integer> ids = new ArrayList<>();

    @Override
    public void connectionOpened(int connectionId, InetSocketAddress remote, UtpState initial) {
      ids.add(connectionId);
      events.add("opened " + initial);
    }

    @Override
    public void stateChanged(
        int connectionId, InetSocketAddress remote, UtpState from, UtpState to, String reason) {
      assertTrue(ids.contains(connectionId), "a move of a connection that was never opened");
      assertTrue(from.canMoveTo(to), from + " -> " + to + " reported but not legal");
      events.add(from + "->" + to);
    }

    @Override
    public void connectionClosed(int connectionId, InetSocketAddress remote, UtpError error) {
      assertTrue(ids.contains(connectionId), "a close of a connection that was never opened");
      events.add("closed " + error);
    }
  }

  private final Recorder client = new Recorder();
  private final Recorder server = new Recorder();

  private SimPair pair(UtpSettings settings) {
    return new SimPair(
        9,
        LINK,
        LINK,
        settings.toBuilder().tracer(client).build(),
        settings.toBuilder().tracer(server).build(),
        new SplittableRandom(1),
        new SplittableRandom(2));
  }

  @Test
  void handshakeMovesTheDiallerFromSynSentAndTheListenerFromSynReceivedToConnected() {
    SimPair p = pair(UtpSettings.defaults());
    p.shutdownWhenDone = false;
    p.startTransfer(1000);
    p.net.runFor(Duration.ofSeconds(1));
    assertEquals(1000, p.receivedBytes);
    assertEquals(List.of("opened SYN_SENT", "SYN_SENT->CONNECTED"), client.events);
    assertEquals(List.of("opened SYN_RECEIVED", "SYN_RECEIVED->CONNECTED"), server.events);
  }

  @Test
  void orderlyFinCloseGoesThroughFinSentAndLingerOnBothSides() {
    SimPair p = pair(UtpSettings.defaults());
    p.shutdownWhenDone = false;
    p.startTransfer(100_000);
    p.net.runFor(Duration.ofSeconds(1));
    p.client.shutdownOutput(p.net.nowNanos());
    p.net.wake(p.bindA);
    assertTrue(p.runTransfer(Duration.ofSeconds(10)));
    assertTrue(p.runUntilClosed(Duration.ofSeconds(30)));
    List<String> orderly =
        List.of("CONNECTED->FIN_SENT", "FIN_SENT->LINGER", "LINGER->CLOSED", "closed NONE");
    assertEquals(seq(List.of("opened SYN_SENT", "SYN_SENT->CONNECTED"), orderly), client.events);
    assertEquals(
        seq(List.of("opened SYN_RECEIVED", "SYN_RECEIVED->CONNECTED"), orderly), server.events);
  }

  @Test
  void outputShutBeforeTheHandshakeGoesFromSynSentStraightToFinSent() {
    SimPair p = pair(UtpSettings.defaults());
    p.startTransfer(1000); // written and shut down while the SYN is still out
    assertTrue(p.runTransfer(Duration.ofSeconds(10)));
    assertTrue(p.runUntilClosed(Duration.ofSeconds(30)));
    assertEquals(
        List.of(
            "opened SYN_SENT",
            "SYN_SENT->FIN_SENT",
            "FIN_SENT->LINGER",
            "LINGER->CLOSED",
            "closed NONE"),
        client.events);
  }

  @Test
  void abortResetsThePeer() {
    SimPair p = pair(UtpSettings.defaults());
    p.shutdownWhenDone = false;
    p.startTransfer(1000);
    p.net.runFor(Duration.ofSeconds(1));
    p.client.abort(p.net.nowNanos());
    p.net.wake(p.bindA);
    assertTrue(p.runUntilClosed(Duration.ofSeconds(5)));
    assertEquals(
        List.of("opened SYN_SENT", "SYN_SENT->CONNECTED", "CONNECTED->CLOSED", "closed ABORTED"),
        client.events);
    assertEquals(
        List.of(
            "opened SYN_RECEIVED",
            "SYN_RECEIVED->CONNECTED",
            "CONNECTED->CLOSED",
            "closed RESET_BY_PEER"),
        server.events);
    assertEquals(1, p.b.counters().resetsIn());
  }

  @Test
  void synToANonListeningStackEndsRefused() {
    SimPair p = pair(UtpSettings.defaults());
    p.b.setListening(false);
    p.startTransfer(1000);
    assertTrue(p.net.runUntil(() -> p.client.state() == UtpState.CLOSED, Duration.ofSeconds(5)));
    assertEquals(List.of("opened SYN_SENT", "SYN_SENT->CLOSED", "closed REFUSED"), client.events);
    assertEquals(List.of(), server.events);
  }

  @Test
  void connectDeadlineEndsTheConnectionWithConnectTimedOut() {
    SimPair p = pair(UtpSettings.defaults());
    p.a.dropOutgoing(b -> Packets.type(b) == UtpHeader.ST_SYN);
    UtpConnection c =
        p.a.connect(p.bindB.localAddress(), p.net.nowNanos(), Duration.ofMillis(2500).toNanos());
    p.net.wake(p.bindA);
    assertTrue(p.net.runUntil(() -> c.state() == UtpState.CLOSED, Duration.ofMinutes(1)));
    assertEquals(Duration.ofMillis(2500), Duration.ofNanos(p.net.nowNanos()));
    assertEquals(UtpError.CONNECT_TIMED_OUT, c.error());
    // SYNs at 0 s and 1 s (then the timer backs off to 2 s): the deadline comes first.
    assertEquals(2, p.a.droppedOutgoing());
    assertEquals(
        List.of("opened SYN_SENT", "SYN_SENT->CLOSED", "closed CONNECT_TIMED_OUT"), client.events);
    assertEquals(1, p.a.counters().connectionsTimedOut());
    assertEquals(0, p.a.connectionCount());
  }

  @Test
  void synRetriesRunningOutAlsoEndWithConnectTimedOut() {
    SimPair p = pair(UtpSettings.builder().synRetries(1).build());
    p.a.dropOutgoing(b -> Packets.type(b) == UtpHeader.ST_SYN);
    p.startTransfer(1000);
    assertTrue(p.net.runUntil(() -> p.client.state() == UtpState.CLOSED, Duration.ofMinutes(1)));
    // SYNs at 0 s and 1 s; the timeout at 3 s finds the SYN sent twice, more than one retry.
    assertEquals(Duration.ofSeconds(3), Duration.ofNanos(p.net.nowNanos()));
    assertEquals(UtpError.CONNECT_TIMED_OUT, p.client.error());
    assertEquals(
        List.of("opened SYN_SENT", "SYN_SENT->CLOSED", "closed CONNECT_TIMED_OUT"), client.events);
  }

  @Test
  void anIllegalMoveIsABugAndIsRejected() {
    UtpStack stack =
        new UtpStack(UtpSettings.builder().tracer(client).build(), new SplittableRandom(3));
    UtpConnection c = stack.connect(new InetSocketAddress("198.51.100.7", 6881), 0);
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class, () -> c.engine.transition(UtpState.LINGER, "test"));
    assertTrue(e.getMessage().contains("SYN_SENT -> LINGER"), e.getMessage());
    assertEquals(UtpState.SYN_SENT, c.state(), "a rejected move changes nothing");
    c.abort(0);
    assertThrows(
        IllegalStateException.class, () -> c.engine.transition(UtpState.CONNECTED, "test"));
    assertEquals(List.of("opened SYN_SENT", "SYN_SENT->CLOSED", "closed ABORTED"), client.events);
  }

  @Test
  void theTableOfLegalMovesIsExactlyTheDocumentedOne() {
    assertMoves(
        UtpState.SYN_SENT, EnumSet.of(UtpState.CONNECTED, UtpState.FIN_SENT, UtpState.CLOSED));
    assertMoves(
        UtpState.SYN_RECEIVED, EnumSet.of(UtpState.CONNECTED, UtpState.FIN_SENT, UtpState.CLOSED));
    assertMoves(UtpState.CONNECTED, EnumSet.of(UtpState.FIN_SENT, UtpState.CLOSED));
    assertMoves(UtpState.FIN_SENT, EnumSet.of(UtpState.LINGER, UtpState.CLOSED));
    assertMoves(UtpState.LINGER, EnumSet.of(UtpState.CLOSED));
    assertMoves(UtpState.CLOSED, EnumSet.noneOf(UtpState.class));
  }

  private static void assertMoves(UtpState from, EnumSet<UtpState> legal) {
    for (UtpState to : UtpState.values()) {
      assertEquals(legal.contains(to), from.canMoveTo(to), from + " -> " + to);
    }
  }

  private static List<String> seq(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
