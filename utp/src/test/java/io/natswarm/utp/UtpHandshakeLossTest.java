package io.natswarm.utp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.natswarm.netsim.Binding;
import io.natswarm.netsim.Host;
import io.natswarm.netsim.LinkConfig;
import io.natswarm.netsim.Network;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Loss of handshake and closing datagrams (BEP 29 "Connection setup" and "Closing"), deterministic
 * on netsim: one datagram of a short connection is dropped, each in turn and in both directions of
 * the payload, and the transfer must still complete byte-exact with one accept notification. Also
 * the failure libtorrent showed on a lossy path: the initiator whose SYN answer was lost gives the
 * connection up and dials afresh with a new connection id.
 */
class UtpHandshakeLossTest {
  private static final LinkConfig LINK = LinkConfig.builder().delayMillis(10).build();
  private static final int BYTES = 4000; // three data packets

  /** Which side writes the payload; the other reads it to the end and then closes too. */
  enum Direction {
    CLIENT_SENDS,
    SERVER_SENDS
  }

  /**
   * A dialler "a" and a listener "b" on a 10 ms netsim link, every datagram of both numbered in the
   * order they leave, one of them optionally dropped.
   */
  static final class Flow {
    final Network net = Network.withSeed(29);
    final Host hostA = net.addHost("a", net.internet(), "203.0.113.1");
    final Host hostB = net.addHost("b", net.internet(), "203.0.113.2");
    final UtpStack a;
    final UtpStack b;
    final Binding bindA;
    final Binding bindB;
    final Direction direction;
    final List<String> sent = new ArrayList<>();
    final List<UtpConnection> accepted = new ArrayList<>();
    int dropAt = -1;
    UtpConnection client;
    long written;
    long received;
    long mismatches;
    boolean readerEof;
    boolean writerEof;
    private final ByteBuffer buf = ByteBuffer.allocate(16 * 1024);

    Flow(Direction direction, UtpSettings dialler) {
      this.direction = direction;
      hostA.link(LINK);
      hostB.link(LINK);
      a = new UtpStack(dialler, new SplittableRandom(1));
      b = new UtpStack(UtpSettings.defaults(), new SplittableRandom(2));
      b.setListening(true);
      a.dropOutgoing(d -> drop("a", d));
      b.dropOutgoing(d -> drop("b", d));
      bindA = hostA.bind(6881, a);
      bindB = hostB.bind(6881, b);
      b.setAcceptListener(
          () -> {
            UtpConnection c = b.pollAccepted();
            accepted.add(c);
            c.setListener(listener(false));
            if (direction == Direction.SERVER_SENDS) {
              fill(c);
            }
          });
    }

    Flow(Direction direction) {
      this(direction, UtpSettings.defaults());
    }

    private boolean drop(String who, ByteBuffer d) {
      int i = sent.size();
      sent.add(who + ":" + TYPES[Packets.type(d)] + (i == dropAt ? " (dropped)" : ""));
      return i == dropAt;
    }

    UtpConnection dial(long connectTimeoutNanos) {
      client = a.connect(bindB.localAddress(), net.nowNanos(), connectTimeoutNanos);
      client.setListener(listener(true));
      if (direction == Direction.CLIENT_SENDS) {
        fill(client);
      }
      net.wake(bindA);
      return client;
    }

    private UtpConnectionListener listener(boolean isClient) {
      boolean writer = isClient == (direction == Direction.CLIENT_SENDS);
      return new UtpConnectionListener() {
        @Override
        public void onReadable(UtpConnection c) {
          drain(c, writer);
        }

        @Override
        public void onWritable(UtpConnection c) {
          if (writer) {
            fill(c);
          }
        }
      };
    }

    private void fill(UtpConnection c) {
      while (written < BYTES) {
        buf.clear();
        int n = (int) Math.min(buf.capacity(), BYTES - written);
        for (int i = 0; i < n; i++) {
          buf.put(SimPair.pattern(written + i));
        }
        int w = c.write(buf.flip(), net.nowNanos());
        if (w <= 0) {
          return;
        }
        written += w;
      }
      c.shutdownOutput(net.nowNanos());
    }

    private void drain(UtpConnection c, boolean writer) {
      while (true) {
        int n = c.read(buf.clear(), net.nowNanos());
        if (n == 0) {
          return;
        }
        if (n < 0) {
          if (writer) {
            writerEof = true;
          } else if (!readerEof) {
            readerEof = true;
            c.shutdownOutput(net.nowNanos());
          }
          return;
        }
        for (int i = 0; i < n; i++) {
          if (buf.get(i) != SimPair.pattern(received + i)) {
            mismatches++;
          }
        }
        received += n;
      }
    }

    UtpConnection server() {
      return accepted.isEmpty() ? null : accepted.get(0);
    }

    /** Runs until both ends are CLOSED; true if they got there within {@code limit}. */
    boolean runUntilClosed(Duration limit) {
      return net.runUntil(
          () ->
              client.state() == UtpState.CLOSED
                  && server() != null
                  && server().state() == UtpState.CLOSED,
          limit);
    }
  }

  private static final String[] TYPES = {"DATA", "FIN", "STATE", "RESET", "SYN"};

  /** Every datagram of the clean connection, for both directions of the payload. */
  static Stream<Arguments> everyDatagram() {
    List<Arguments> cases = new ArrayList<>();
    for (Direction d : Direction.values()) {
      Flow clean = new Flow(d);
      clean.dial(Duration.ofSeconds(10).toNanos());
      assertTrue(clean.runUntilClosed(Duration.ofMinutes(1)));
      for (int i = 0; i < clean.sent.size(); i++) {
        cases.add(Arguments.of(d, i, clean.sent.get(i), clean.sent.size()));
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}: drop datagram #{1} ({2}) of {3}")
  @MethodSource("everyDatagram")
  void transferSurvivesTheLossOfAnyOneDatagram(
      Direction direction, int index, String what, int cleanCount) {
    Flow f = new Flow(direction);
    f.dropAt = index;
    f.dial(Duration.ofSeconds(10).toNanos());
    assertTrue(f.runUntilClosed(Duration.ofMinutes(1)), () -> "did not close: " + f.sent);
    assertEquals(BYTES, f.received, () -> "bytes; datagrams " + f.sent);
    assertEquals(0, f.mismatches);
    assertTrue(f.readerEof && f.writerEof, "both ends saw the other's FIN");
    assertEquals(1, f.accepted.size(), "the listener accepted exactly one connection");
    assertEquals(UtpError.NONE, f.client.error());
    assertEquals(UtpError.NONE, f.server().error());
    assertEquals(1, f.a.droppedOutgoing() + f.b.droppedOutgoing());
    UtpCounters ca = f.a.counters();
    UtpCounters cb = f.b.counters();
    assertEquals(1, cb.synReceived(), "one connection id: SYNs are retransmitted, not renumbered");
    assertEquals(1, cb.connectionsAccepted());
    assertEquals(0, ca.connectionsTimedOut() + cb.connectionsTimedOut());
    assertEquals(0, ca.resetsIn() + cb.resetsIn() + ca.resetsOut() + cb.resetsOut());
    assertEquals(0, ca.malformed() + cb.malformed());
    assertTrue(f.sent.size() > cleanCount, "the loss cost at least one more datagram");
    assertTrue(f.sent.size() <= cleanCount + 4, () -> "at most a few more datagrams: " + f.sent);
  }

  @Test
  void cleanConnectionCounters() {
    for (Direction d : Direction.values()) {
      Flow f = new Flow(d);
      f.dial(Duration.ofSeconds(10).toNanos());
      assertTrue(f.runUntilClosed(Duration.ofMinutes(1)));
      assertEquals(BYTES, f.received);
      assertEquals(1, f.accepted.size());
      assertEquals(0, f.b.counters().synAckRetransmits());
      assertEquals(0, f.b.counters().duplicateSyn());
      assertEquals(0, f.client.stats().retransmits() + f.server().stats().retransmits());
    }
  }

  /**
   * libtorrent's behaviour when our answer to its SYN is lost (seen on a lossy path): a SYN that is
   * not answered within 3 s fails the socket, and the peer dials again from the same port with a
   * new connection id. The half-open first connection must never reach the application, the second
   * must be accepted once and carry the bytes.
   */
  @Test
  void peerThatRedialsWithANewConnectionIdIsAcceptedOnceOnTheNewConnection() {
    Flow f = new Flow(Direction.CLIENT_SENDS, UtpSettings.builder().synRetries(0).build());
    int[] firstId = {-1};
    f.b.dropOutgoing(
        d -> {
          // Every answer to the first connection is lost.
          boolean lost = Packets.connectionId(d) == firstId[0];
          f.sent.add("b:" + TYPES[Packets.type(d)] + (lost ? " (dropped)" : ""));
          return lost;
        });
    UtpConnection first = f.dial(Duration.ofSeconds(3).toNanos());
    firstId[0] = first.receiveId();
    assertTrue(f.net.runUntil(() -> first.state() == UtpState.CLOSED, Duration.ofSeconds(5)));
    assertEquals(UtpError.CONNECT_TIMED_OUT, first.error());
    assertEquals(0, f.accepted.size(), "the half-open connection was not handed out");

    f.written = 0;
    UtpConnection second = f.dial(Duration.ofSeconds(10).toNanos());
    assertTrue(second.receiveId() != first.receiveId());
    assertTrue(f.runUntilClosed(Duration.ofMinutes(1)), () -> "datagrams " + f.sent);
    assertEquals(BYTES, f.received);
    assertEquals(0, f.mismatches);
    assertEquals(1, f.accepted.size(), "accepted exactly once");
    UtpConnection server = f.server();
    assertNotNull(server);
    assertEquals(second.sendId(), server.receiveId(), "the accepted one is the live connection");
    assertEquals(UtpError.NONE, server.error());

    // The orphan expires in the stack at its connect timeout, answered until then.
    f.net.runFor(Duration.ofSeconds(10));
    UtpCounters cb = f.b.counters();
    assertEquals(2, cb.synReceived());
    assertEquals(1, cb.connectionsAccepted());
    assertEquals(1, cb.connectionsTimedOut(), "the orphaned half-open connection");
    assertEquals(3, cb.synAckRetransmits(), "the orphan's answer re-sent after 1, 2 and 4 s");
    assertEquals(0, f.b.connectionCount());
    assertEquals(0, f.b.halfOpenCount());
  }

  /**
   * The acceptor re-sends its answer 1 s after the SYN when nothing else came, before libtorrent's
   * 3 s SYN timeout would fail the connection: here the first answer and the initiator's own SYN
   * retransmission are both lost, and the re-sent answer alone completes the handshake.
   */
  @Test
  void lostAnswerToTheSynIsResentByTheAcceptor() {
    Flow f = new Flow(Direction.CLIENT_SENDS);
    int[] synsSeen = {0};
    int[] statesSeen = {0};
    f.a.dropOutgoing(d -> Packets.type(d) == UtpHeader.ST_SYN && synsSeen[0]++ >= 1);
    f.b.dropOutgoing(d -> Packets.type(d) == UtpHeader.ST_STATE && statesSeen[0]++ == 0);
    f.dial(Duration.ofSeconds(10).toNanos());
    assertTrue(f.net.runUntil(() -> f.client.state() != UtpState.SYN_SENT, Duration.ofSeconds(5)));
    // SYN at 0 s, arrives at 20 ms, its answer lost, re-sent at 1.02 s, arrives at 1.04 s.
    assertEquals(Duration.ofMillis(1040).toNanos(), f.net.nowNanos());
    assertEquals(UtpError.NONE, f.client.error());
    assertTrue(f.runUntilClosed(Duration.ofMinutes(1)));
    assertEquals(BYTES, f.received);
    assertEquals(1, f.accepted.size());
    assertEquals(1, f.b.counters().synAckRetransmits());
    assertEquals(1, f.b.counters().synReceived());
  }
}
