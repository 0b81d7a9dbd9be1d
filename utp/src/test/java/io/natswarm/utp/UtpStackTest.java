package io.natswarm.utp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.natswarm.datagram.DatagramKind;
import io.natswarm.datagram.Demultiplexer;
import io.natswarm.datagram.SendClass;
import io.natswarm.datagram.Transmit;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The stack fed hand-made datagrams: SYN floods, hostile and foreign packets. */
class UtpStackTest {
  private static final InetSocketAddress PEER = new InetSocketAddress("198.51.100.7", 6881);
  private static final byte[] NONE = new byte[0];

  private final Transmit tx = Transmit.heap();
  private long now = 1_000_000_000L;

  private UtpStack listeningStack(UtpSettings s) {
    UtpStack stack = new UtpStack(s, new SplittableRandom(3));
    stack.setListening(true);
    return stack;
  }

  private int drain(UtpStack stack) {
    int n = 0;
    while (poll(stack) != null) {
      n++;
    }
    return n;
  }

  /** The next datagram as a view [0, length), or null; checks the DatagramCore contract. */
  private ByteBuffer poll(UtpStack stack) {
    tx.clear();
    tx.buffer().position(77).limit(99); // the stack must write from 0 whatever it finds
    if (!stack.pollTransmit(tx, now)) {
      return null;
    }
    assertTrue(tx.length() >= UtpHeader.SIZE, "a datagram is [0, position)");
    assertEquals(tx.buffer().capacity(), tx.buffer().limit(), "the buffer is left unflipped");
    return tx.buffer().duplicate().flip();
  }

  /** Handshakes a fake peer (SYN id 100, seq 500) and returns the acceptor's ST_STATE seq. */
  private int handshake(UtpStack stack) {
    assertTrue(
        stack.handleDatagram(
            Packets.build(UtpHeader.ST_SYN, 100, 500, 0, 1 << 20, NONE), PEER, now));
    ByteBuffer state = poll(stack);
    assertNotNull(state);
    assertEquals(UtpHeader.ST_STATE, Packets.type(state));
    assertEquals(100, Packets.connectionId(state), "the acceptor sends on the SYN's id");
    assertEquals(500, Packets.ack(state), "ack_nr = the SYN's seq_nr");
    return Packets.seq(state);
  }

  @Test
  void synFloodIsBoundedByMaxHalfOpenAndExpires() {
    UtpStack stack = listeningStack(UtpSettings.builder().maxHalfOpen(8).build());
    for (int i = 0; i < 50; i++) {
      InetSocketAddress from = new InetSocketAddress("198.51.100.9", 10_000 + i);
      assertTrue(
          stack.handleDatagram(Packets.build(UtpHeader.ST_SYN, i, 1, 0, 1 << 20, NONE), from, now));
    }
    assertEquals(8, stack.halfOpenCount());
    assertEquals(8, stack.connectionCount());
    assertEquals(42, stack.counters().synDroppedHalfOpen());
    assertEquals(8, drain(stack));
    now += Duration.ofSeconds(10).toNanos();
    assertTrue(stack.pollTimeout() <= now);
    stack.handleTimeout(now);
    assertEquals(0, stack.connectionCount());
    assertEquals(0, stack.halfOpenCount());
    assertEquals(8, stack.counters().connectionsTimedOut());
  }

  @Test
  void retransmittedSynIsAnsweredAgainWithoutASecondConnection() {
    UtpStack stack = listeningStack(UtpSettings.defaults());
    int seq = handshake(stack);
    assertTrue(
        stack.handleDatagram(
            Packets.build(UtpHeader.ST_SYN, 100, 500, 0, 1 << 20, NONE), PEER, now));
    ByteBuffer again = poll(stack);
    assertEquals(UtpHeader.ST_STATE, Packets.type(again));
    assertEquals(seq, Packets.seq(again), "ST_STATE does not consume a sequence number");
    assertEquals(1, stack.connectionCount());
    assertEquals(1, stack.counters().duplicateSyn());
    assertNull(stack.pollAccepted(), "half-open: not handed to the application yet");
    assertTrue(
        stack.handleDatagram(
            Packets.build(UtpHeader.ST_STATE, 101, 501, SeqNr.add(seq, -1), 1 << 20, NONE),
            PEER,
            now));
    UtpConnection c = stack.pollAccepted();
    assertNotNull(c);
    assertEquals(101, c.receiveId());
    assertEquals(100, c.sendId());
    assertEquals(UtpState.CONNECTED, c.state());
    assertNull(stack.pollAccepted());
    assertEquals(1, stack.counters().connectionsAccepted());
  }

  @Test
  void retransmittedSynWithANewSeqNrRestartsTheHalfOpenConnection() {
    UtpStack stack = listeningStack(UtpSettings.defaults());
    int seq = handshake(stack);
    assertTrue(
        stack.handleDatagram(
            Packets.build(UtpHeader.ST_SYN, 100, 900, 0, 1 << 20, NONE), PEER, now));
    ByteBuffer again = poll(stack);
    assertEquals(UtpHeader.ST_STATE, Packets.type(again));
    assertEquals(seq, Packets.seq(again));
    assertEquals(900, Packets.ack(again), "acks the renumbered SYN");
    assertEquals(1, stack.connectionCount());
    byte[] hello = "hello".getBytes(StandardCharsets.US_ASCII);
    assertTrue(
        stack.handleDatagram(
            Packets.build(UtpHeader.ST_DATA, 101, 901, SeqNr.add(seq, -1), 1 << 20, hello),
            PEER,
            now));
    UtpConnection c = stack.pollAccepted();
    assertEquals(5, c.read(ByteBuffer.allocate(16), now));
  }

  @Test
  void halfOpenConnectionResendsItsAnswerThenExpiresWithoutReachingTheApplication() {
    UtpStack stack = listeningStack(UtpSettings.defaults());
    int[] accepts = {0};
    stack.setAcceptListener(() -> accepts[0]++);
    int seq = handshake(stack);
    long start = now;
    List<Long> resentAt = new ArrayList<>();
    while (stack.connectionCount() > 0) {
      now = stack.pollTimeout();
      stack.handleTimeout(now);
      ByteBuffer d;
      while ((d = poll(stack)) != null) {
        assertEquals(UtpHeader.ST_STATE, Packets.type(d));
        assertEquals(seq, Packets.seq(d));
        assertEquals(500, Packets.ack(d));
        resentAt.add((now - start) / 1_000_000);
      }
    }
    assertEquals(List.of(1000L, 3000L, 7000L), resentAt, "re-sent after 1, 2 and 4 s");
    assertEquals(Duration.ofSeconds(10).toNanos(), now - start, "expires at the connect timeout");
    assertEquals(3, stack.counters().synAckRetransmits());
    assertEquals(1, stack.counters().connectionsTimedOut());
    assertEquals(0, stack.counters().connectionsAccepted());
    assertEquals(0, stack.halfOpenCount());
    assertEquals(0, accepts[0]);
    assertNull(stack.pollAccepted());
  }

  @Test
  void dataAfterTheHandshakeIsDeliveredAndAcked() {
    UtpStack stack = listeningStack(UtpSettings.defaults());
    int seq = handshake(stack);
    assertNull(stack.pollAccepted());
    byte[] hello = "hello".getBytes(StandardCharsets.US_ASCII);
    assertTrue(
        stack.handleDatagram(
            Packets.build(UtpHeader.ST_DATA, 101, 501, SeqNr.add(seq, -1), 1 << 20, hello),
            PEER,
            now));
    UtpConnection c = stack.pollAccepted();
    assertEquals(UtpState.CONNECTED, c.state());
    ByteBuffer dst = ByteBuffer.allocate(16);
    assertEquals(5, c.read(dst, now));
    assertEquals(0, c.read(dst, now));
    assertEquals(501, Packets.ack(poll(stack)));
    assertNull(poll(stack));
  }

  @Test
  void foreignDatagramsAreDeclined() {
    UtpStack stack = listeningStack(UtpSettings.defaults());
    byte[] krpc =
        "d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe"
            .getBytes(StandardCharsets.US_ASCII);
    assertFalse(stack.handleDatagram(ByteBuffer.wrap(krpc), PEER, now));
    ByteBuffer stun = ByteBuffer.allocate(20);
    stun.putShort((short) 0x0001).putShort((short) 0).putInt(0x2112A442).flip();
    assertFalse(stack.handleDatagram(stun, PEER, now));
    assertFalse(stack.handleDatagram(ByteBuffer.allocate(3), PEER, now));
    assertEquals(3, stack.counters().notUtp());
    assertEquals(0, drain(stack));
  }

  @Test
  void unknownConnectionIsDeclinedAndCanBeAnsweredWithAReset() {
    UtpStack stack = listeningStack(UtpSettings.defaults());
    ByteBuffer data = Packets.build(UtpHeader.ST_DATA, 777, 9, 8, 1000, new byte[] {1});
    assertFalse(stack.handleDatagram(data, PEER, now));
    assertEquals(1, stack.counters().unknownConnection());
    assertTrue(stack.resetUnknown(data, PEER, now));
    ByteBuffer reset = poll(stack);
    assertEquals(UtpHeader.ST_RESET, Packets.type(reset));
    assertEquals(777, Packets.connectionId(reset));
    assertEquals(PEER, tx.destination());
  }

  @Test
  void synWhileNotListeningIsAnsweredWithAReset() {
    UtpStack stack = new UtpStack(UtpSettings.defaults(), new SplittableRandom(1));
    assertTrue(
        stack.handleDatagram(Packets.build(UtpHeader.ST_SYN, 40, 1, 0, 1 << 20, NONE), PEER, now));
    assertEquals(0, stack.connectionCount());
    ByteBuffer reset = poll(stack);
    assertEquals(UtpHeader.ST_RESET, Packets.type(reset));
    assertEquals(40, Packets.connectionId(reset));
  }

  @Test
  void hostilePacketsOnAKnownConnectionAreCountedAndDropped() {
    UtpStack stack = listeningStack(UtpSettings.defaults());
    int seq = handshake(stack);
    // An ack of a packet we never sent.
    assertTrue(
        stack.handleDatagram(
            Packets.build(UtpHeader.ST_DATA, 101, 501, SeqNr.add(seq, 100), 1000, NONE),
            PEER,
            now));
    assertEquals(1, stack.counters().impossibleAck());
    assertEquals(1, stack.halfOpenCount(), "a dropped packet changes nothing: still half-open");
    assertNull(stack.pollAccepted());
    // Data far beyond the window.
    assertTrue(
        stack.handleDatagram(
            Packets.build(UtpHeader.ST_DATA, 101, 501 + 20_000, SeqNr.add(seq, -1), 1000, NONE),
            PEER,
            now));
    assertEquals(1, stack.counters().outOfWindow());
    UtpConnection c = stack.pollAccepted();
    assertNotNull(
        c, "a packet with a valid ack completes the handshake, even if its data is dropped");
    // An extension chain that runs past the end of the datagram.
    ByteBuffer bad = ByteBuffer.allocate(22);
    UtpHeader.write(bad, UtpHeader.ST_STATE, 1, 101, 0, 0, 0, 501, SeqNr.add(seq, -1));
    bad.put((byte) 0).put((byte) 200).flip();
    assertTrue(stack.handleDatagram(bad, PEER, now));
    assertEquals(1, stack.counters().badExtension());
    assertEquals(2, stack.counters().malformed(), "malformed = bad extension + impossible ack");
    assertEquals(0, c.readableBytes());
  }

  @Test
  void connectionLimitRefusesConnectAndDropsSyns() {
    UtpStack stack = listeningStack(UtpSettings.builder().maxConnections(2).maxHalfOpen(2).build());
    stack.connect(PEER, now);
    stack.connect(PEER, now);
    assertEquals(2, stack.connectionCount());
    try {
      stack.connect(PEER, now);
      throw new AssertionError("expected IllegalStateException");
    } catch (IllegalStateException e) {
      assertTrue(e.getMessage().contains("maxConnections"), e.getMessage());
    }
    assertTrue(
        stack.handleDatagram(
            Packets.build(UtpHeader.ST_SYN, 5000, 1, 0, 1 << 20, NONE), PEER, now));
    assertEquals(1, stack.counters().synDroppedConnectionLimit());
  }

  @Test
  void settingsValidationNamesTheSetting() {
    IllegalArgumentException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class, () -> UtpSettings.builder().packetSize(100).build());
    assertTrue(e.getMessage().contains("packetSize") || e.getMessage().contains("minPacketSize"));
    e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class,
            () -> UtpSettings.builder().keepAliveInterval(Duration.ofMinutes(5)).build());
    assertTrue(e.getMessage().contains("keepAliveInterval"), e.getMessage());
  }

  /** Dials PEER and completes the handshake with a fake acceptor; returns the connection. */
  private UtpConnection dialled(UtpStack stack) {
    UtpConnection c = stack.connect(PEER, now);
    ByteBuffer syn = poll(stack);
    assertEquals(UtpHeader.ST_SYN, Packets.type(syn));
    assertTrue(
        stack.handleDatagram(
            Packets.build(UtpHeader.ST_STATE, c.receiveId(), 900, Packets.seq(syn), 1 << 20, NONE),
            PEER,
            now));
    assertEquals(UtpState.CONNECTED, c.state());
    assertEquals(UtpHeader.ST_STATE, Packets.type(poll(stack)), "the initiator acks the ST_STATE");
    assertNull(poll(stack), "nothing else to send yet");
    return c;
  }

  @Test
  void pathMtuProbeAsksForTheDontFragmentBit() {
    UtpStack stack = new UtpStack(UtpSettings.builder().maxPacketSize(9000).build(), rnd());
    UtpConnection c = dialled(stack);
    c.write(ByteBuffer.allocate(20_000), now);
    ByteBuffer probe = poll(stack);
    assertEquals(UtpHeader.ST_DATA, Packets.type(probe));
    assertTrue(tx.dontFragment(), "the first full packet probes (1472 + 9000 + 1) / 2 bytes");
    assertEquals((1472 + 9000 + 1) / 2, tx.length());
    assertEquals(PEER, tx.destination());
    poll(stack);
    assertFalse(tx.dontFragment(), "an ordinary packet may be fragmented");
    assertEquals(1472, tx.length());
  }

  @Test
  void isABulkCoreOfADemultiplexerAndAnswersStrayPacketsAsItsUnclaimedHandler() {
    UtpStack stack = listeningStack(UtpSettings.defaults());
    assertEquals(SendClass.BULK, stack.sendClass());
    Demultiplexer demux = new Demultiplexer();
    demux.register(DatagramKind.UTP, stack);
    demux.setUnclaimedHandler(stack::resetUnknown);
    ByteBuffer stray = Packets.build(UtpHeader.ST_DATA, 777, 9, 8, 1000, new byte[] {1});
    assertNull(demux.dispatch(stray, PEER, now), "no connection 777: unclaimed");
    // A STUN success response starts like µTP (0x01 0x01) but carries the magic cookie: no reset.
    ByteBuffer stun = ByteBuffer.allocate(20);
    stun.putShort((short) 0x0101).putShort((short) 0).putInt(DatagramKind.STUN_MAGIC_COOKIE).flip();
    assertNull(demux.dispatch(stun, PEER, now));
    assertFalse(stack.resetUnknown(stun, PEER, now));
    tx.clear();
    assertTrue(demux.pollTransmit(tx, now));
    assertEquals(SendClass.BULK, tx.sendClass());
    ByteBuffer reset = tx.buffer().duplicate().flip();
    assertEquals(UtpHeader.ST_RESET, Packets.type(reset));
    assertEquals(777, Packets.connectionId(reset));
    tx.clear();
    assertFalse(demux.pollTransmit(tx, now), "one reset, for the µTP packet only");
  }

  @Test
  void serviceListenerRunsAfterTheBurstBeforeTransmitsAndAfterTimeouts() {
    UtpStack stack = listeningStack(UtpSettings.defaults());
    List<String> calls = new ArrayList<>();
    boolean[] pending = {false};
    stack.setServiceListener(
        new UtpStack.ServiceListener() {
          @Override
          public void service(long nowNanos) {
            calls.add("service@" + nowNanos);
            pending[0] = false;
          }

          @Override
          public boolean hasPendingWork() {
            return pending[0];
          }
        });
    handshake(stack);
    assertEquals(List.of("service@" + now), calls, "pollTransmit services first");
    calls.clear();
    stack.handleReceiveDrained(now);
    assertEquals(List.of("service@" + now), calls);
    pending[0] = true;
    assertEquals(now, stack.pollTimeout(), "pending work makes the stack due at once");
    calls.clear();
    stack.handleTimeout(now + 1);
    assertEquals(List.of("service@" + (now + 1)), calls);
    assertTrue(stack.pollTimeout() > now + 1, "serviced: the next deadline is a real one again");
  }

  private static SplittableRandom rnd() {
    return new SplittableRandom(11);
  }
}
