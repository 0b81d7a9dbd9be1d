package io.natswarm.datagram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DemultiplexerTest {
  private static final InetSocketAddress PEER = Loopback.v4(4000);

  static byte[] utpSyn() {
    byte[] b = new byte[20];
    b[0] = 0x41; // type ST_SYN (4), version 1
    b[3] = 7; // connection id 7
    return b;
  }

  static byte[] utpData(int connId) {
    byte[] b = new byte[26];
    b[0] = 0x01; // ST_DATA, version 1
    b[2] = (byte) (connId >>> 8);
    b[3] = (byte) connId;
    return b;
  }

  static byte[] krpc() {
    return "d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe"
        .getBytes(StandardCharsets.ISO_8859_1);
  }

  static byte[] stun() {
    ByteBuffer b = ByteBuffer.allocate(20);
    b.putShort((short) 0x0001).putShort((short) 0).putInt(DatagramKind.STUN_MAGIC_COOKIE);
    b.put(new byte[12]);
    return b.array();
  }

  static byte[] probe() {
    return "NSHP-probe-1234".getBytes(StandardCharsets.ISO_8859_1);
  }

  private static DatagramKind dispatch(Demultiplexer d, byte[] bytes) {
    // a datagram in the middle of a larger buffer: handlers must honour position and limit
    ByteBuffer buf = ByteBuffer.allocate(bytes.length + 10);
    buf.position(5);
    buf.put(bytes);
    buf.flip().position(5);
    return d.dispatch(buf, PEER, 1_000);
  }

  @Test
  void eachKindReachesItsHandlerInOrderAndTheRestIsCountedUnclaimed() {
    Demultiplexer d = new Demultiplexer();
    // µTP claims SYNs and connection 9 only, like the stack does.
    RecordingHandler utp = new RecordingHandler("utp", b -> (b[0] & 0xF0) == 0x40 || b[3] == 9);
    RecordingHandler krpc = new RecordingHandler("krpc", b -> true);
    RecordingHandler stun = new RecordingHandler("stun", b -> true);
    RecordingHandler hp =
        new RecordingHandler(
            "hp", b -> new String(b, StandardCharsets.ISO_8859_1).startsWith("NSHP"));
    // registration order differs from demultiplexing order on purpose
    d.register(DatagramKind.HOLEPUNCH_PROBE, hp);
    d.register(DatagramKind.STUN, stun);
    d.register(DatagramKind.KRPC, krpc);
    d.register(DatagramKind.UTP, utp);

    assertEquals(DatagramKind.UTP, dispatch(d, utpSyn()));
    assertEquals(DatagramKind.UTP, dispatch(d, utpData(9)));
    assertEquals(DatagramKind.KRPC, dispatch(d, krpc()));
    assertEquals(DatagramKind.STUN, dispatch(d, stun()));
    assertEquals(DatagramKind.HOLEPUNCH_PROBE, dispatch(d, probe()));
    // µTP-shaped but an unknown connection: µTP declines, the probe handler declines too
    assertNull(dispatch(d, utpData(5)));
    assertNull(dispatch(d, "junk!".getBytes(StandardCharsets.ISO_8859_1)));
    assertNull(dispatch(d, new byte[] {1}));

    assertEquals(2, d.consumed(DatagramKind.UTP));
    assertEquals(1, d.consumed(DatagramKind.KRPC));
    assertEquals(1, d.consumed(DatagramKind.STUN));
    assertEquals(1, d.consumed(DatagramKind.HOLEPUNCH_PROBE));
    assertEquals(3, d.unclaimed());
    assertEquals(8, d.datagrams());
    // Cheap tests keep handlers from seeing what cannot be theirs.
    assertEquals(3, utp.offered.size(), "µTP saw SYN, data(9), data(5)");
    assertEquals(List.of(new String(krpc(), StandardCharsets.ISO_8859_1)), krpc.offered);
    assertEquals(1, stun.offered.size());
    // the probe handler saw the probe, the declined µTP packet (whole) and "junk!"
    assertEquals(3, hp.offered.size());
    assertEquals(26, hp.offered.get(1).length(), "declined datagram offered again in full");
  }

  @Test
  void secondCoreOfAKindGetsWhatTheFirstDeclinedAndTheUnclaimedHandlerSeesTheRest() {
    Demultiplexer d = new Demultiplexer();
    RecordingHandler first = new RecordingHandler("dht-v4", b -> b.length % 2 == 0);
    RecordingHandler second = new RecordingHandler("dht-v6", b -> b.length % 2 == 1);
    List<Integer> unclaimedLengths = new ArrayList<>();
    d.register(DatagramKind.KRPC, first);
    d.register(DatagramKind.KRPC, second);
    d.setUnclaimedHandler((packet, from, now) -> unclaimedLengths.add(packet.remaining()));
    assertEquals(DatagramKind.KRPC, dispatch(d, "d1:xe".getBytes(StandardCharsets.US_ASCII)));
    assertEquals(1, first.offered.size());
    assertEquals(1, second.consumed.size());
    assertNull(dispatch(d, stun()));
    assertEquals(List.of(20), unclaimedLengths, "the handler sees the whole unclaimed datagram");
    assertEquals(1, d.unclaimed());

    assertTrue(d.unregister(first));
    assertFalse(d.unregister(first));
    assertEquals(1, d.cores().length);
  }

  @Test
  void cheapTestsMatchOnlyTheirShapes() {
    assertTrue(DatagramKind.UTP.matches(ByteBuffer.wrap(utpSyn())));
    assertFalse(DatagramKind.UTP.matches(ByteBuffer.wrap(new byte[19])), "short");
    byte[] v2 = utpSyn();
    v2[0] = 0x42;
    assertFalse(DatagramKind.UTP.matches(ByteBuffer.wrap(v2)), "version 2");
    byte[] t5 = utpSyn();
    t5[0] = 0x51;
    assertFalse(DatagramKind.UTP.matches(ByteBuffer.wrap(t5)), "type 5");
    assertTrue(DatagramKind.KRPC.matches(ByteBuffer.wrap(krpc())));
    assertFalse(
        DatagramKind.KRPC.matches(ByteBuffer.wrap("d1:x".getBytes(StandardCharsets.UTF_8))));
    assertTrue(DatagramKind.STUN.matches(ByteBuffer.wrap(stun())));
    byte[] badCookie = stun();
    badCookie[7] = 0;
    assertFalse(DatagramKind.STUN.matches(ByteBuffer.wrap(badCookie)));
  }

  /** A STUN message of {@code type} (0x0101 success, 0x0111 error response). */
  static byte[] stunMessage(int type) {
    ByteBuffer b = ByteBuffer.allocate(32);
    b.putShort((short) type).putShort((short) 12).putInt(DatagramKind.STUN_MAGIC_COOKIE);
    b.putInt(0x01020304).putInt(0x05060708).putInt(0x090a0b0c); // transaction id
    b.putShort((short) 0x0020).putShort((short) 8).putInt(0).putInt(0); // XOR-MAPPED-ADDRESS
    return b.array();
  }

  @Test
  void portMappingAnswersAreTheirOwnKindAndRequestsAreNot() {
    byte[] natPmpAnswer = {0, (byte) 0x81, 0, 0, 0, 0, 0, 1, 0x1a, (byte) 0xe1, 0x1a, (byte) 0xe1};
    byte[] pcpAnswer = new byte[60];
    pcpAnswer[0] = 2;
    pcpAnswer[1] = (byte) 0x81;
    byte[] natPmpRequest = {0, 1, 0, 0, 0x1a, (byte) 0xe1, 0x1a, (byte) 0xe1, 0, 0, 0x1c, 0x20};
    assertTrue(DatagramKind.PORT_MAPPING.matches(ByteBuffer.wrap(natPmpAnswer)));
    assertTrue(DatagramKind.PORT_MAPPING.matches(ByteBuffer.wrap(pcpAnswer)));
    assertFalse(DatagramKind.PORT_MAPPING.matches(ByteBuffer.wrap(natPmpRequest)), "a request");
    assertFalse(DatagramKind.UTP.matches(ByteBuffer.wrap(pcpAnswer)), "not µTP");
    assertFalse(DatagramKind.UTP.matches(ByteBuffer.wrap(natPmpAnswer)), "not µTP");
  }

  @Test
  void stunResponsesBeginningWithTheUtpVersionByteGoToStunNotUtp() {
    // A Binding success response (0x0101) and error response (0x0111) start with 0x01, which is
    // µTP ST_DATA version 1; while µTP holds connections its core would claim them.
    Demultiplexer d = new Demultiplexer();
    RecordingHandler utp = new RecordingHandler("utp", b -> true);
    RecordingHandler stun = new RecordingHandler("stun", b -> true);
    d.register(DatagramKind.UTP, utp);
    d.register(DatagramKind.STUN, stun);
    assertEquals(DatagramKind.UTP, dispatch(d, utpData(9)));
    assertEquals(DatagramKind.STUN, dispatch(d, stunMessage(0x0101)));
    assertEquals(DatagramKind.UTP, dispatch(d, utpData(9)));
    assertEquals(DatagramKind.STUN, dispatch(d, stunMessage(0x0111)));
    assertEquals(DatagramKind.UTP, dispatch(d, utpSyn()));
    assertEquals(2, stun.consumed.size());
    assertEquals(3, utp.offered.size(), "µTP never saw a STUN message");
    assertFalse(DatagramKind.UTP.matches(ByteBuffer.wrap(stunMessage(0x0101))));
    assertFalse(DatagramKind.UTP.matches(ByteBuffer.wrap(stunMessage(0x0111))));
  }

  @Test
  void controlTransmitsLeaveBeforeAnyBulkAndBulkCoresShareRoundRobin() {
    Demultiplexer d = new Demultiplexer();
    RecordingHandler utpA = new RecordingHandler("utp-a", b -> false, SendClass.BULK);
    RecordingHandler utpB = new RecordingHandler("utp-b", b -> false, SendClass.BULK);
    RecordingHandler dht = new RecordingHandler("dht", b -> true);
    // bulk registered first: registration order must not decide who sends first
    d.register(DatagramKind.UTP, utpA);
    d.register(DatagramKind.UTP, utpB);
    d.register(DatagramKind.KRPC, dht);
    for (int i = 0; i < 1000; i++) {
      utpA.queue("a" + i);
      utpB.queue("b" + i);
    }
    Transmit t = Transmit.heap();
    List<String> sent = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      assertTrue(d.pollTransmit(t, 0));
      sent.add(payload(t));
    }
    assertEquals(List.of("a0", "b0", "a1", "b1", "a2", "b2", "a3", "b3", "a4", "b4"), sent);
    // a DHT reply becomes due in the middle of the saturating transfer: it is the very next
    // datagram
    dht.queue("reply");
    assertTrue(d.pollTransmit(t, 0));
    assertEquals("reply", payload(t));
    assertEquals(SendClass.CONTROL, t.sendClass());
    assertTrue(d.pollTransmit(t, 0));
    assertEquals(SendClass.BULK, t.sendClass());
    assertEquals(1, d.transmitted(SendClass.CONTROL));
    assertEquals(11, d.transmitted(SendClass.BULK));
  }

  @Test
  void everyCoresTransmitMakesItsDestinationAskedForUntilTheWindowPasses() {
    Demultiplexer d = new Demultiplexer();
    RecordingHandler utp = new RecordingHandler("utp", b -> false, SendClass.BULK);
    d.register(DatagramKind.UTP, utp);
    RecentDestinations recent = d.recentDestinations();
    java.net.InetAddress peer = Loopback.v4(9).getAddress();
    assertTrue(recent.unsolicited(peer, 0), "nothing sent yet");
    utp.queue("data");
    assertTrue(d.pollTransmit(Transmit.heap(), 5));
    // a µTP datagram to the peer: its DHT query would pass a NAT's filter now
    assertFalse(recent.unsolicited(peer, 6));
    assertTrue(recent.unsolicited(peer, 6 + RecentDestinations.WINDOW_NANOS));
  }

  @Test
  void aCoreThatThrowsIsCountedAndTracedWithItsKindAndTheDatagramCountsAsConsumed() {
    Demultiplexer d = new Demultiplexer();
    List<String> events = new ArrayList<>();
    d.setTracer(
        new EndpointTracer() {
          @Override
          public void coreFailed(
              Phase phase, DatagramKind kind, DatagramCore core, Throwable cause) {
            events.add(phase + " " + kind + " " + core + " " + cause.getMessage());
          }

          @Override
          public void unclaimed(InetSocketAddress from, int length) {
            events.add("unclaimed " + length);
          }
        });
    RecordingHandler stun =
        new RecordingHandler(
            "stun",
            b -> {
              throw new IllegalStateException("boom");
            });
    d.register(DatagramKind.STUN, stun);
    assertEquals(DatagramKind.STUN, dispatch(d, stun()));
    assertNull(dispatch(d, probe()));
    assertEquals(List.of("DATAGRAM STUN stun boom", "unclaimed 15"), events);
    assertEquals(1, d.failures(DatagramKind.STUN));
    assertEquals(1, d.coreFailures());
  }

  @Test
  void drainedHookAndTimeoutsReachEveryCoreOnce() {
    Demultiplexer d = new Demultiplexer();
    RecordingHandler a = new RecordingHandler("a", b -> true);
    d.register(DatagramKind.KRPC, a);
    d.register(DatagramKind.STUN, a); // one core, two kinds
    d.handleReceiveDrained(5);
    assertEquals(1, a.drained);
    assertEquals(Deadlines.NONE, d.pollTimeout());
  }

  static byte[] channelData(int length) {
    byte[] b = new byte[4 + length];
    b[0] = 0x40; // channel 0x4000 + the low byte
    b[1] = 0x07;
    b[3] = (byte) length;
    return b;
  }

  @Test
  void turnChannelDataIsItsOwnKindTriedBeforeTheProbes() {
    Demultiplexer d = new Demultiplexer();
    RecordingHandler utp = new RecordingHandler("utp", b -> true);
    RecordingHandler turn = new RecordingHandler("turn", b -> b[1] == 0x07);
    RecordingHandler hp = new RecordingHandler("hp", b -> true);
    d.register(DatagramKind.HOLEPUNCH_PROBE, hp);
    d.register(DatagramKind.TURN_CHANNEL, turn);
    d.register(DatagramKind.UTP, utp);
    assertEquals(DatagramKind.TURN_CHANNEL, dispatch(d, channelData(16)));
    assertEquals(DatagramKind.TURN_CHANNEL, dispatch(d, channelData(0)));
    // the TURN client declines ChannelData that is not from its server: the probes get it
    byte[] other = channelData(3);
    other[1] = 0x08;
    assertEquals(DatagramKind.HOLEPUNCH_PROBE, dispatch(d, other));
    assertEquals(DatagramKind.UTP, dispatch(d, utpSyn()));
    assertEquals(2, turn.consumed.size());
    assertEquals(3, turn.offered.size(), "µTP's SYN (0x41) never reached the TURN client");
    assertEquals(
        List.of(
            DatagramKind.UTP,
            DatagramKind.KRPC,
            DatagramKind.STUN,
            DatagramKind.PORT_MAPPING,
            DatagramKind.TURN_CHANNEL,
            DatagramKind.HOLEPUNCH_PROBE),
        List.of(DatagramKind.values()));
  }

  @Test
  void channelDataMatchesOnlyWithTheFirstByte0x40AndALengthThatFits() {
    assertTrue(DatagramKind.TURN_CHANNEL.matches(ByteBuffer.wrap(channelData(5))));
    byte[] padded = new byte[12];
    System.arraycopy(channelData(5), 0, padded, 0, 9);
    assertTrue(DatagramKind.TURN_CHANNEL.matches(ByteBuffer.wrap(padded)), "padding after");
    byte[] tooLong = channelData(5);
    tooLong[3] = 6;
    assertFalse(DatagramKind.TURN_CHANNEL.matches(ByteBuffer.wrap(tooLong)), "length past end");
    assertFalse(DatagramKind.TURN_CHANNEL.matches(ByteBuffer.wrap(new byte[] {0x40, 0, 0})));
    assertFalse(DatagramKind.TURN_CHANNEL.matches(ByteBuffer.wrap(utpSyn())), "µTP ST_SYN");
    assertFalse(DatagramKind.TURN_CHANNEL.matches(ByteBuffer.wrap(stun())));
    assertFalse(DatagramKind.TURN_CHANNEL.matches(ByteBuffer.wrap(krpc())));
    assertFalse(DatagramKind.TURN_CHANNEL.matches(ByteBuffer.wrap(probe())));
    for (DatagramKind k :
        new DatagramKind[] {
          DatagramKind.UTP, DatagramKind.KRPC, DatagramKind.STUN, DatagramKind.PORT_MAPPING
        }) {
      assertFalse(k.matches(ByteBuffer.wrap(channelData(16))), k.name());
    }
  }

  @Test
  void theEgressFilterSeesEveryProducedDatagramAndMayRewriteIt() {
    Demultiplexer d = new Demultiplexer();
    RecordingHandler dht = new RecordingHandler("dht", b -> true);
    RecordingHandler utp = new RecordingHandler("utp", b -> true, SendClass.BULK);
    d.register(DatagramKind.KRPC, dht);
    d.register(DatagramKind.UTP, utp);
    InetSocketAddress relay = Loopback.v4(3478);
    List<String> seen = new ArrayList<>();
    d.setEgressFilter(
        (out, now) -> {
          seen.add(payload(out) + "@" + out.destination().getPort() + "/" + now);
          if (payload(out).startsWith("wrap")) {
            ByteBuffer b = out.buffer();
            int n = b.position();
            for (int i = n - 1; i >= 0; i--) {
              b.put(i + 2, b.get(i));
            }
            b.put(0, (byte) 'T').put(1, (byte) ':').position(n + 2);
            out.setDestination(relay);
          }
        });
    dht.queue("plain");
    utp.queue("wrap me");
    Transmit t = Transmit.heap();
    assertTrue(d.pollTransmit(t, 7));
    assertEquals("plain", payload(t));
    assertEquals(Loopback.v4(9), t.destination());
    assertTrue(d.pollTransmit(t, 8));
    assertEquals("T:wrap me", payload(t));
    assertEquals(relay, t.destination());
    assertEquals(SendClass.BULK, t.sendClass());
    assertFalse(d.pollTransmit(t, 9));
    assertEquals(List.of("plain@9/7", "wrap me@9/8"), seen, "only produced datagrams");
    // counted and remembered as the core wrote them
    assertEquals(1, d.transmitted(SendClass.BULK));
    assertFalse(d.recentDestinations().unsolicited(Loopback.v4(9).getAddress(), 9));
    d.setEgressFilter(null);
    dht.queue("wrap not");
    assertTrue(d.pollTransmit(t, 10));
    assertEquals("wrap not", payload(t));
  }

  @Test
  void aThrowingEgressFilterIsCountedAndTheDatagramLeavesAsTheCoreWroteIt() {
    Demultiplexer d = new Demultiplexer();
    List<String> events = new ArrayList<>();
    d.setTracer(
        new EndpointTracer() {
          @Override
          public void coreFailed(
              Phase phase, DatagramKind kind, DatagramCore core, Throwable cause) {
            events.add(phase + " " + kind + " " + core + " " + cause.getMessage());
          }
        });
    RecordingHandler dht = new RecordingHandler("dht", b -> true);
    d.register(DatagramKind.KRPC, dht);
    d.setEgressFilter(
        (out, now) -> {
          out.buffer().put((byte) '!');
          out.setDestination(Loopback.v4(1));
          throw new IllegalStateException("filter bug");
        });
    dht.queue("ping");
    Transmit t = Transmit.heap();
    assertTrue(d.pollTransmit(t, 0));
    assertEquals("ping", payload(t));
    assertEquals(Loopback.v4(9), t.destination());
    assertEquals(1, d.coreFailures());
    assertEquals(1, d.egressFailures());
    assertEquals(List.of("TRANSMIT null null filter bug"), events);
    assertEquals(1, d.transmitted(SendClass.CONTROL));
  }

  private static String payload(Transmit t) {
    ByteBuffer b = t.buffer().duplicate().flip();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return new String(out, StandardCharsets.ISO_8859_1);
  }
}
