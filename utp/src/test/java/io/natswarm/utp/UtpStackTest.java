package io.natswarm.utp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The stack fed hand-made datagrams: SYN floods, hostile and foreign packets. */
class UtpStackTest {
  private static final InetSocketAddress PEER = new InetSocketAddress("198.51.100.7", 6881);
  private static final byte[] NONE = new byte[0];

  private final UtpTransmit tx = new UtpTransmit();
  private long now = 1_000_000_000L;

  private UtpStack listeningStack(UtpSettings s) {
    UtpStack stack = new UtpStack(s, new SplittableRandom(3));
    stack.setListening(true);
    return stack;
  }

  private int drain(UtpStack stack) {
    int n = 0;
    while (stack.pollTransmit(tx, now)) {
      n++;
    }
    return n;
  }

  /** Handshakes a fake peer (SYN id 100, seq 500) and returns the acceptor's ST_STATE seq. */
  private int handshake(UtpStack stack) {
    assertTrue(
        stack.handleDatagram(
            Packets.build(UtpHeader.ST_SYN, 100, 500, 0, 1 << 20, NONE), PEER, now));
    assertTrue(stack.pollTransmit(tx, now));
    ByteBuffer state = tx.buffer();
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
    assertTrue(stack.pollTransmit(tx, now));
    assertEquals(UtpHeader.ST_STATE, Packets.type(tx.buffer()));
    assertEquals(seq, Packets.seq(tx.buffer()), "ST_STATE does not consume a sequence number");
    assertEquals(1, stack.connectionCount());
    assertEquals(1, stack.counters().duplicateSyn());
    UtpConnection c = stack.pollAccepted();
    assertNotNull(c);
    assertEquals(101, c.receiveId());
    assertEquals(100, c.sendId());
    assertNull(stack.pollAccepted());
  }

  @Test
  void dataAfterTheHandshakeIsDeliveredAndAcked() {
    UtpStack stack = listeningStack(UtpSettings.defaults());
    int seq = handshake(stack);
    UtpConnection c = stack.pollAccepted();
    byte[] hello = "hello".getBytes(StandardCharsets.US_ASCII);
    assertTrue(
        stack.handleDatagram(
            Packets.build(UtpHeader.ST_DATA, 101, 501, SeqNr.add(seq, -1), 1 << 20, hello),
            PEER,
            now));
    assertEquals(UtpState.CONNECTED, c.state());
    ByteBuffer dst = ByteBuffer.allocate(16);
    assertEquals(5, c.read(dst, now));
    assertEquals(0, c.read(dst, now));
    assertTrue(stack.pollTransmit(tx, now));
    assertEquals(501, Packets.ack(tx.buffer()));
    assertFalse(stack.pollTransmit(tx, now));
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
    assertTrue(stack.pollTransmit(tx, now));
    assertEquals(UtpHeader.ST_RESET, Packets.type(tx.buffer()));
    assertEquals(777, Packets.connectionId(tx.buffer()));
    assertEquals(PEER, tx.destination());
  }

  @Test
  void synWhileNotListeningIsAnsweredWithAReset() {
    UtpStack stack = new UtpStack(UtpSettings.defaults(), new SplittableRandom(1));
    assertTrue(
        stack.handleDatagram(Packets.build(UtpHeader.ST_SYN, 40, 1, 0, 1 << 20, NONE), PEER, now));
    assertEquals(0, stack.connectionCount());
    assertTrue(stack.pollTransmit(tx, now));
    assertEquals(UtpHeader.ST_RESET, Packets.type(tx.buffer()));
    assertEquals(40, Packets.connectionId(tx.buffer()));
  }

  @Test
  void hostilePacketsOnAKnownConnectionAreCountedAndDropped() {
    UtpStack stack = listeningStack(UtpSettings.defaults());
    int seq = handshake(stack);
    UtpConnection c = stack.pollAccepted();
    // An ack of a packet we never sent.
    assertTrue(
        stack.handleDatagram(
            Packets.build(UtpHeader.ST_DATA, 101, 501, SeqNr.add(seq, 100), 1000, NONE),
            PEER,
            now));
    assertEquals(1, stack.counters().impossibleAck());
    assertEquals(UtpState.SYN_RECEIVED, c.state(), "a dropped packet changes nothing");
    // Data far beyond the window.
    assertTrue(
        stack.handleDatagram(
            Packets.build(UtpHeader.ST_DATA, 101, 501 + 20_000, SeqNr.add(seq, -1), 1000, NONE),
            PEER,
            now));
    assertEquals(1, stack.counters().outOfWindow());
    // An extension chain that runs past the end of the datagram.
    ByteBuffer bad = ByteBuffer.allocate(22);
    UtpHeader.write(bad, UtpHeader.ST_STATE, 1, 101, 0, 0, 0, 501, SeqNr.add(seq, -1));
    bad.put((byte) 0).put((byte) 200).flip();
    assertTrue(stack.handleDatagram(bad, PEER, now));
    assertEquals(1, stack.counters().badExtension());
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
}
