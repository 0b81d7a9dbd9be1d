package io.natswarm.dht;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.net.InetAddresses;
import io.natswarm.datagram.DatagramKind;
import io.natswarm.datagram.Demultiplexer;
import io.natswarm.dht.krpc.KrpcError;
import io.natswarm.dht.krpc.KrpcKind;
import io.natswarm.dht.krpc.KrpcMessage;
import io.natswarm.dht.krpc.KrpcMethod;
import io.natswarm.dht.krpc.KrpcParser;
import io.natswarm.dht.krpc.KrpcWriter;
import io.natswarm.dht.routing.NodeId;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The ban policy of {@link SourceGuard} against forged UDP sources: floods of malformed datagrams
 * and announces with bad tokens cost their named source nothing; only an address that proves itself
 * with valid tokens and then floods announces is banned.
 */
class SpoofedSourceTest {
  private static final long SEC = 1_000_000_000L;
  private static final InetAddress LOOPBACK = InetAddresses.forString("127.0.0.1");
  private final Random random = new Random(17);
  private final KrpcParser parser = new KrpcParser();

  private static ByteBuffer query(NodeId from, KrpcMethod m, int tx, DhtNodeTest.Extra extra) {
    ByteBuffer out = ByteBuffer.allocate(1500);
    KrpcWriter.beginQuery(out, from.toBytes());
    extra.write(out);
    KrpcWriter.endQuery(out, m, false, tx);
    return out.flip();
  }

  private KrpcMessage parse(byte[] b) {
    KrpcMessage m = new KrpcMessage();
    assertThat(parser.parse(b, 0, b.length, m)).isEqualTo(KrpcError.NONE);
    return m;
  }

  /**
   * A datagram the demultiplexer hands to KRPC (starts with d, ends with e) but that is garbage.
   */
  private static byte[] garbage(Random r, int i) {
    return switch (i % 4) {
      case 0 -> {
        byte[] b = new byte[2 + r.nextInt(300)];
        r.nextBytes(b);
        b[0] = 'd';
        b[b.length - 1] = 'e';
        yield b;
      }
      case 1 -> "de".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      case 2 -> "d1:y1:qe".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      default -> "d999999999:xe".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    };
  }

  @Test
  void aHundredThousandMalformedDatagramsFromOneSourceBanNobody() {
    List<String> bans = new ArrayList<>();
    long[] malformed = new long[1];
    DhtTracer tracer =
        new DhtTracer() {
          @Override
          public void malformed(InetSocketAddress from, int length, KrpcError error) {
            malformed[0]++;
          }

          @Override
          public void sourceBanned(InetAddress source, long untilNanos, String reason) {
            bans.add(source + " " + reason);
          }
        };
    DhtNode node = new DhtNode(DhtConfig.builder().seed(1).tracer(tracer).build(), DhtPort.NONE, 0);
    Demultiplexer demux = new Demultiplexer();
    demux.register(DatagramKind.KRPC, node);
    InetSocketAddress spoofed = new InetSocketAddress(LOOPBACK, 40_000);
    int n = 100_000;
    long now = SEC;
    for (int i = 0; i < n; i++) {
      now += 1_000; // 1 µs apart: 100,000 datagrams in a tenth of a second
      assertThat(demux.dispatch(ByteBuffer.wrap(garbage(random, i)), spoofed, now))
          .isEqualTo(DatagramKind.KRPC);
    }
    assertThat(Outbox.drain(demux, now)).as("garbage is never answered").isEmpty();

    InetSocketAddress honest = new InetSocketAddress(LOOPBACK, 40_001);
    NodeId honestId = NodeId.random(random);
    demux.dispatch(query(honestId, KrpcMethod.PING, 0x4242, o -> {}), honest, now);
    List<InetSocketAddress> to = new ArrayList<>();
    List<byte[]> out = Outbox.drain(demux, now, to);
    assertThat(to).first().isEqualTo(honest);
    KrpcMessage reply = parse(out.get(0));
    assertThat(reply.kind()).isEqualTo(KrpcKind.RESPONSE);
    assertThat(reply.txAsInt()).isEqualTo(0x4242);

    DhtCounters c = node.counters();
    assertThat(c.badDatagrams()).isEqualTo(n);
    assertThat(malformed[0]).isEqualTo(n);
    assertThat(c.datagramsIn()).isEqualTo(n + 1L);
    assertThat(c.queriesIn()).isOne();
    assertThat(c.errorsOut()).isZero();
    assertThat(c.bans()).isZero();
    assertThat(c.bannedDrops()).isZero();
    assertThat(bans).isEmpty();
    assertThat(demux.coreFailures()).as("no handler error").isZero();
    assertThat(demux.failures(DatagramKind.KRPC)).isZero();
    assertThat(demux.unclaimed()).isZero();
  }

  @Test
  void forgedAnnouncesWithBadTokensBanNobody() {
    DhtNode node =
        new DhtNode(
            DhtConfig.builder().seed(2).queriesPerSecond(0, 1).maxAnnouncesPerSource(3).build(),
            DhtPort.NONE,
            0);
    InetSocketAddress victim = new InetSocketAddress(InetAddresses.forString("198.51.100.5"), 6881);
    NodeId ih = NodeId.random(random);
    for (int i = 0; i < 1_000; i++) {
      byte[] forged = new byte[8];
      random.nextBytes(forged);
      node.handleDatagram(announce(NodeId.random(random), ih, forged, 6881, i), victim, SEC);
    }
    Outbox.drain(node, SEC);
    node.handleDatagram(query(NodeId.random(random), KrpcMethod.PING, 7, o -> {}), victim, SEC);
    assertThat(Outbox.drain(node, SEC)).isNotEmpty();
    DhtCounters c = node.counters();
    assertThat(c.badTokens()).isEqualTo(1_000);
    assertThat(c.announcesStored()).isZero();
    assertThat(c.bans()).isZero();
    assertThat(c.bannedDrops()).isZero();
  }

  private static ByteBuffer announce(NodeId from, NodeId ih, byte[] token, int port, int tx) {
    return query(
        from,
        KrpcMethod.ANNOUNCE_PEER,
        tx,
        o -> {
          KrpcWriter.infoHash(o, ih.toBytes());
          KrpcWriter.port(o, port);
          KrpcWriter.token(o, token, 0, token.length);
        });
  }

  @Test
  void anAddressThatProvesItselfWithTokensAndFloodsAnnouncesIsBannedAndOnlyIt() {
    List<String> events = new ArrayList<>();
    DhtTracer tracer =
        new DhtTracer() {
          @Override
          public void sourceBanned(InetAddress source, long untilNanos, String reason) {
            events.add("banned " + source.getHostAddress() + " until " + untilNanos / SEC);
          }

          @Override
          public void bannedDropped(InetSocketAddress from) {
            events.add("dropped " + from.getAddress().getHostAddress());
          }
        };
    DhtNode node =
        new DhtNode(
            DhtConfig.builder()
                .seed(3)
                .queriesPerSecond(0, 1)
                .maxAnnouncesPerSource(5)
                .tracer(tracer)
                .build(),
            DhtPort.NONE,
            0);
    InetSocketAddress abuser = new InetSocketAddress(InetAddresses.forString("198.51.100.6"), 6881);
    InetSocketAddress other = new InetSocketAddress(InetAddresses.forString("198.51.100.7"), 6881);
    NodeId abuserId = NodeId.random(random);
    long now = 10 * SEC;
    NodeId ih = NodeId.random(random);
    node.handleDatagram(
        query(abuserId, KrpcMethod.GET_PEERS, 1, o -> KrpcWriter.infoHash(o, ih.toBytes())),
        abuser,
        now);
    KrpcMessage r = parse(Outbox.drain(node, now).get(0));
    byte[] token = Arrays.copyOfRange(r.buf(), r.tokenOff(), r.tokenOff() + r.tokenLen());
    for (int i = 0; i < 5; i++) {
      node.handleDatagram(announce(abuserId, ih, token, 5000 + i, 10 + i), abuser, now);
    }
    assertThat(node.counters().announcesStored()).isEqualTo(5);
    assertThat(node.counters().bans()).isZero();
    Outbox.drain(node, now);

    node.handleDatagram(announce(abuserId, ih, token, 6000, 20), abuser, now);
    assertThat(Outbox.drain(node, now)).as("the announce over the limit is not answered").isEmpty();
    assertThat(node.counters().bans()).isOne();
    assertThat(node.counters().announcesStored()).isEqualTo(5);

    // every datagram of the banned address is dropped, from any port; others are served
    InetSocketAddress abuserOtherPort = new InetSocketAddress(abuser.getAddress(), 7000);
    node.handleDatagram(query(abuserId, KrpcMethod.PING, 21, o -> {}), abuserOtherPort, now);
    assertThat(Outbox.drain(node, now)).isEmpty();
    node.handleDatagram(query(NodeId.random(random), KrpcMethod.PING, 22, o -> {}), other, now);
    assertThat(Outbox.drain(node, now)).isNotEmpty();
    assertThat(node.counters().bannedDrops()).isOne();
    assertThat(events).containsExactly("banned 198.51.100.6 until 610", "dropped 198.51.100.6");

    // the ban runs out
    now += SourceGuard.BAN_NANOS;
    node.handleDatagram(query(abuserId, KrpcMethod.PING, 23, o -> {}), abuser, now);
    assertThat(Outbox.drain(node, now)).isNotEmpty();
    assertThat(node.counters().bannedDrops()).isOne();
  }

  @Test
  void loopbackSettingsNeverBan() {
    DhtNode node =
        new DhtNode(
            DhtConfig.builder().seed(4).loopback().queriesPerSecond(0, 1).build(), DhtPort.NONE, 0);
    InetSocketAddress peer = new InetSocketAddress(LOOPBACK, 7000);
    NodeId ih = NodeId.random(random);
    NodeId id = NodeId.random(random);
    node.handleDatagram(
        query(id, KrpcMethod.GET_PEERS, 1, o -> KrpcWriter.infoHash(o, ih.toBytes())), peer, SEC);
    KrpcMessage r = parse(Outbox.drain(node, SEC).get(0));
    byte[] token = Arrays.copyOfRange(r.buf(), r.tokenOff(), r.tokenOff() + r.tokenLen());
    for (int i = 0; i < 500; i++) {
      node.handleDatagram(announce(id, NodeId.random(random), token, 5000, i), peer, SEC);
    }
    assertThat(node.counters().announcesStored()).isEqualTo(500);
    assertThat(node.counters().bans()).isZero();
  }
}
