package io.natswarm.utp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.natswarm.datagram.DatagramCore;
import io.natswarm.datagram.DatagramKind;
import io.natswarm.datagram.Demultiplexer;
import io.natswarm.datagram.SendClass;
import io.natswarm.datagram.Transmit;
import io.natswarm.netsim.Binding;
import io.natswarm.netsim.Host;
import io.natswarm.netsim.LinkConfig;
import io.natswarm.netsim.Network;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Send classes through a real bottleneck (docs/ARCHITECTURE.md "Send classes"; DESIGN.md "One event
 * loop per UDP socket": control traffic never waits behind bulk µTP). Two netsim hosts, each one
 * socket composed as the node composes it: a {@link Demultiplexer} holding a {@link UtpStack}
 * ({@link SendClass#BULK}) and a KRPC core ({@link SendClass#CONTROL}; a BEP 5 {@code ping}
 * stand-in, since utp may not depend on dht). Host a's link is a 20 Mbit/s bottleneck with 10 ms of
 * delay; b's the same. A seeds b the way a BitTorrent seed does, a 256 KiB piece every 200 ms, so
 * each piece leaves as a burst of a window of µTP packets.
 *
 * <p>Mid-transfer, in one instant, a writes the next piece and queues a KRPC ping to b: the ping
 * must be the first datagram of that instant's drain, reach b before every packet of the burst, and
 * see no more than the path's own delay; the counters of the demultiplexer must say one control
 * datagram left a. The second test is the control experiment: a ping queued just after the burst (a
 * separate event) waits behind it in the bottleneck's FIFO, which is what the ordering saves.
 */
class SendClassOrderTest {
  private static final int PIECE = 256 * 1024;
  private static final long PIECE_EVERY_NANOS = 200_000_000L;
  private static final long ONE_WAY_NANOS = 20_000_000L; // 10 ms on each host's link
  private static final long MBIT20_NANOS_PER_BYTE = 400; // 8 bits / 20 Mbit/s
  private static final int PIECES = 16;
  private static final int PING_WITH_PIECE = 10;

  @Test
  void controlDatagramQueuedMidTransferLeavesBeforeTheBulkBacklog() {
    Scenario s = new Scenario(0);
    s.run();

    // Order at a: the ping leads its instant's drain, followed by the piece's burst.
    List<Sent> drain = s.sentAt(s.pingQueuedAt);
    assertTrue(drain.size() >= 21, () -> "a burst left with the ping: " + drain.size());
    assertEquals(SendClass.CONTROL, drain.get(0).cls, () -> "drain starts " + drain.subList(0, 3));
    assertEquals(-1, drain.get(0).utpSeq, "the first datagram is the KRPC ping");
    for (int i = 1; i < drain.size(); i++) {
      assertEquals(SendClass.BULK, drain.get(i).cls, "then only µTP");
      assertTrue(drain.get(i).utpSeq >= 0);
    }
    int burst = drain.size() - 1;

    // Order and latency at b: the ping arrives before any packet of the burst, after the path's
    // propagation delay plus its own serialization, not after the burst's ~burst * 0.6 ms.
    long pingOneWay = s.pingB.queryArrivedAt - s.pingQueuedAt;
    long firstBurst = Long.MAX_VALUE;
    long lastBurst = Long.MIN_VALUE;
    for (int i = 1; i < drain.size(); i++) {
      long at = s.arrivedAtB.get(drain.get(i).utpSeq);
      firstBurst = Math.min(firstBurst, at);
      lastBurst = Math.max(lastBurst, at);
    }
    assertTrue(
        s.pingB.queryArrivedAt < firstBurst,
        "the ping reached b before the burst: " + s.pingB.queryArrivedAt + " < " + firstBurst);
    assertTrue(
        pingOneWay <= ONE_WAY_NANOS + 2_000_000L,
        "ping one-way " + pingOneWay / 1e6 + " ms on a 20 ms path");
    long burstTail = lastBurst - s.pingQueuedAt;
    assertTrue(
        burstTail >= ONE_WAY_NANOS + (long) burst * 1400 * MBIT20_NANOS_PER_BYTE,
        "the burst of " + burst + " packets drained through 20 Mbit/s: " + burstTail / 1e6 + " ms");
    assertTrue(s.pingA.rttNanos > 0, "the ping was answered");
    assertTrue(
        s.pingA.rttNanos <= 2 * ONE_WAY_NANOS + 3_000_000L,
        "ping round trip " + s.pingA.rttNanos / 1e6 + " ms beside " + burst + " µTP packets");

    // Counters: one control datagram left a (the ping), everything else was µTP; b answered once.
    assertEquals(1, s.demuxA.transmitted(SendClass.CONTROL));
    assertEquals(s.utpA.counters().datagramsOut(), s.demuxA.transmitted(SendClass.BULK));
    assertEquals(1, s.demuxB.transmitted(SendClass.CONTROL));
    assertEquals(1, s.demuxB.consumed(DatagramKind.KRPC));
    s.assertTransferComplete();
  }

  @Test
  void aControlDatagramQueuedBehindTheBurstWaitsForIt() {
    // The same instant plus 1 µs: the burst already sits in the bottleneck's queue.
    Scenario s = new Scenario(1_000);
    s.run();
    int burst = s.sentAt(s.pieceWrittenAt).size();
    assertTrue(burst >= 20, "a burst of " + burst);
    long pingOneWay = s.pingB.queryArrivedAt - s.pingQueuedAt;
    assertTrue(
        pingOneWay >= ONE_WAY_NANOS + (long) (burst - 3) * 1400 * MBIT20_NANOS_PER_BYTE,
        "behind " + burst + " packets the ping took " + pingOneWay / 1e6 + " ms");
    s.assertTransferComplete();
  }

  // ------------------------------------------------------------------------------------------

  /** One transmit of host a: when, its class, and its µTP sequence number (-1: not µTP DATA). */
  private record Sent(long atNanos, SendClass cls, int utpSeq) {}

  private static final class Scenario {
    final Network net = Network.withSeed(29);
    final Host hostA = net.addHost("a", net.internet(), "203.0.113.1");
    final Host hostB = net.addHost("b", net.internet(), "203.0.113.2");
    final UtpStack utpA = new UtpStack(UtpSettings.defaults(), new SplittableRandom(1));
    final UtpStack utpB = new UtpStack(UtpSettings.defaults(), new SplittableRandom(2));
    final KrpcPing pingA = new KrpcPing();
    final KrpcPing pingB = new KrpcPing();
    final Demultiplexer demuxA = new Demultiplexer();
    final Demultiplexer demuxB = new Demultiplexer();
    final List<Sent> sentByA = new ArrayList<>();
    final Map<Integer, Long> arrivedAtB = new HashMap<>();
    final Binding bindA;
    final Binding bindB;
    final long pingDelayNanos;
    final ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
    final ByteBuffer readBuf = ByteBuffer.allocate(64 * 1024);
    UtpConnection client;
    UtpConnection server;
    long owed;
    long written;
    long received;
    long mismatches;
    long pieceWrittenAt = -1;
    long pingQueuedAt = -1;

    Scenario(long pingDelayNanos) {
      this.pingDelayNanos = pingDelayNanos;
      LinkConfig bottleneck =
          LinkConfig.builder()
              .bandwidthMbps(20)
              .delayMillis(10)
              .queueBytes(250_000) // 100 ms at 20 Mbit/s
              .build();
      hostA.link(bottleneck);
      hostB.link(bottleneck);
      demuxA.register(DatagramKind.UTP, utpA);
      demuxA.register(DatagramKind.KRPC, pingA);
      demuxB.register(DatagramKind.UTP, utpB);
      demuxB.register(DatagramKind.KRPC, pingB);
      utpB.setListening(true);
      bindA = hostA.bind(6881, new Recorder(demuxA, true));
      bindB = hostB.bind(6881, new Recorder(demuxB, false));
    }

    void run() {
      utpB.setAcceptListener(
          () -> {
            UtpConnection c = utpB.pollAccepted();
            if (c != null) {
              server = c;
              c.setListener(
                  new UtpConnectionListener() {
                    @Override
                    public void onReadable(UtpConnection conn) {
                      drain(conn);
                    }
                  });
            }
          });
      client = utpA.connect(bindB.localAddress(), net.nowNanos());
      client.setListener(
          new UtpConnectionListener() {
            @Override
            public void onWritable(UtpConnection conn) {
              fill();
            }

            @Override
            public void onConnected(UtpConnection conn) {
              fill();
            }
          });
      net.wake(bindA);
      assertTrue(net.runUntil(() -> server != null, Duration.ofSeconds(5)), "connected");
      for (int i = 0; i < PIECES; i++) {
        int piece = i;
        net.schedule(
            Duration.ofNanos(piece * PIECE_EVERY_NANOS),
            () -> {
              owed += PIECE;
              fill();
              if (piece == PING_WITH_PIECE) {
                pieceWrittenAt = net.nowNanos();
                if (pingDelayNanos == 0) {
                  queuePing();
                }
              }
              net.wake(bindA);
            });
      }
      if (pingDelayNanos > 0) {
        net.schedule(
            Duration.ofNanos(PING_WITH_PIECE * PIECE_EVERY_NANOS + pingDelayNanos),
            () -> {
              queuePing();
              net.wake(bindA);
            });
      }
      assertTrue(
          net.runUntil(() -> received == (long) PIECES * PIECE, Duration.ofSeconds(20)),
          () -> "received " + received + " of " + (long) PIECES * PIECE);
      assertTrue(net.runUntil(() -> pingA.rttNanos > 0, Duration.ofSeconds(1)), "ping answered");
    }

    void queuePing() {
      pingQueuedAt = net.nowNanos();
      pingA.query(bindB.localAddress(), pingQueuedAt);
    }

    List<Sent> sentAt(long nanos) {
      List<Sent> out = new ArrayList<>();
      for (Sent s : sentByA) {
        if (s.atNanos == nanos) {
          out.add(s);
        }
      }
      return out;
    }

    void fill() {
      while (owed > 0) {
        chunk.clear();
        int n = (int) Math.min(chunk.capacity(), owed);
        for (int i = 0; i < n; i++) {
          chunk.put(SimPair.pattern(written + i));
        }
        chunk.flip();
        int w = client.write(chunk, net.nowNanos());
        if (w <= 0) {
          return;
        }
        written += w;
        owed -= w;
      }
    }

    void drain(UtpConnection c) {
      while (true) {
        readBuf.clear();
        int n = c.read(readBuf, net.nowNanos());
        if (n <= 0) {
          return;
        }
        for (int i = 0; i < n; i++) {
          if (readBuf.get(i) != SimPair.pattern(received + i)) {
            mismatches++;
          }
        }
        received += n;
      }
    }

    void assertTransferComplete() {
      assertEquals((long) PIECES * PIECE, received);
      assertEquals(0, mismatches, "every byte as written");
    }

    /** Wraps a host's demultiplexer: a's transmits and b's µTP DATA arrivals, with their time. */
    private final class Recorder implements DatagramCore {
      private final Demultiplexer inner;
      private final boolean recordSends;

      Recorder(Demultiplexer inner, boolean recordSends) {
        this.inner = inner;
        this.recordSends = recordSends;
      }

      @Override
      public boolean handleDatagram(ByteBuffer packet, InetSocketAddress from, long nowNanos) {
        int p = packet.position();
        if (!recordSends && isUtpData(packet, p, packet.remaining())) {
          arrivedAtB.putIfAbsent(packet.getShort(p + 16) & 0xFFFF, nowNanos);
        }
        return inner.handleDatagram(packet, from, nowNanos);
      }

      @Override
      public void handleReceiveDrained(long nowNanos) {
        inner.handleReceiveDrained(nowNanos);
      }

      @Override
      public boolean pollTransmit(Transmit out, long nowNanos) {
        if (!inner.pollTransmit(out, nowNanos)) {
          return false;
        }
        if (recordSends) {
          ByteBuffer b = out.buffer();
          int seq = isUtpData(b, 0, out.length()) ? b.getShort(16) & 0xFFFF : -1;
          sentByA.add(new Sent(nowNanos, out.sendClass(), seq));
        }
        return true;
      }

      @Override
      public long pollTimeout() {
        return inner.pollTimeout();
      }

      @Override
      public void handleTimeout(long nowNanos) {
        inner.handleTimeout(nowNanos);
      }

      private boolean isUtpData(ByteBuffer b, int at, int len) {
        return len > UtpHeader.SIZE
            && DatagramKind.UTP.matches(b.duplicate().position(at).limit(at + len))
            && (b.get(at) & 0xFF) >>> 4 == UtpHeader.ST_DATA;
      }
    }
  }

  /**
   * A BEP 5 {@code ping} in its wire form, as a control core: {@link #query} queues one query; a
   * query that arrives is answered; an answer that arrives records the round trip. Test stand-in
   * for the DHT node (the real one lives in {@code dht}, which utp may not depend on).
   */
  private static final class KrpcPing implements DatagramCore {
    private static final byte[] QUERY_HEAD = ascii("d1:ad2:id20:");
    private static final byte[] QUERY_TAIL = ascii("e1:q4:ping1:t2:aa1:y1:qe");
    private static final byte[] ANSWER_TAIL = ascii("e1:t2:aa1:y1:re");
    private static final byte[] ANSWER_HEAD = ascii("d1:rd2:id20:");

    private InetSocketAddress queryTo;
    private InetSocketAddress answerTo;
    private long queriedAt = -1;
    long queryArrivedAt = -1;
    long rttNanos = -1;

    void query(InetSocketAddress to, long nowNanos) {
      queryTo = to;
      queriedAt = nowNanos;
    }

    @Override
    public boolean handleDatagram(ByteBuffer packet, InetSocketAddress from, long nowNanos) {
      byte y = packet.get(packet.limit() - 2);
      if (y == 'q') {
        queryArrivedAt = nowNanos;
        answerTo = from;
      } else if (y == 'r' && queriedAt >= 0) {
        rttNanos = nowNanos - queriedAt;
      }
      return true;
    }

    @Override
    public boolean pollTransmit(Transmit out, long nowNanos) {
      InetSocketAddress to = queryTo != null ? queryTo : answerTo;
      if (to == null) {
        return false;
      }
      boolean query = queryTo != null;
      out.buffer().put(query ? QUERY_HEAD : ANSWER_HEAD).put(new byte[20]);
      out.buffer().put(query ? QUERY_TAIL : ANSWER_TAIL);
      out.setDestination(to);
      if (query) {
        queryTo = null;
      } else {
        answerTo = null;
      }
      return true;
    }

    @Override
    public long pollTimeout() {
      return Long.MAX_VALUE;
    }

    @Override
    public void handleTimeout(long nowNanos) {}

    private static byte[] ascii(String s) {
      return s.getBytes(StandardCharsets.US_ASCII);
    }
  }
}
