package io.natswarm.dht;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.net.InetAddresses;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** One node driven directly with hand-made datagrams; replies are parsed back. */
class DhtNodeTest {
  private static final long SEC = 1_000_000_000L;
  private final Random random = new Random(3);
  private final NodeId peerId = NodeId.random(random);
  private final InetSocketAddress peer =
      new InetSocketAddress(InetAddresses.forString("198.51.100.20"), 7000);
  private final KrpcParser parser = new KrpcParser();
  private final KrpcMessage reply = new KrpcMessage();
  private long now = 1000 * SEC;

  private DhtNode node(DhtConfig.Builder b) {
    return new DhtNode(b.seed(9).build(), DhtPort.NONE, now);
  }

  private static ByteBuffer query(NodeId from, KrpcMethod m, int tx, Extra extra) {
    ByteBuffer out = ByteBuffer.allocate(1500);
    KrpcWriter.beginQuery(out, from.toBytes());
    extra.write(out);
    KrpcWriter.endQuery(out, m, false, tx);
    out.flip();
    return out;
  }

  interface Extra {
    void write(ByteBuffer out);
  }

  /** Drains the node's output, returning (destination, bytes) pairs. */
  private List<byte[]> drain(DhtNode n, List<InetSocketAddress> to) {
    return Outbox.drain(n, now, to);
  }

  /** Drains the node's output and keeps only replies (responses and errors), not its own pings. */
  private List<byte[]> replies(DhtNode n) {
    List<byte[]> out = new ArrayList<>();
    KrpcMessage m = new KrpcMessage();
    for (byte[] b : drain(n, null)) {
      if (parser.parse(b, 0, b.length, m) == KrpcError.NONE && m.kind() != KrpcKind.QUERY) {
        out.add(b);
      }
    }
    return out;
  }

  private KrpcMessage parse(byte[] b) {
    assertThat(parser.parse(b, 0, b.length, reply)).isEqualTo(KrpcError.NONE);
    return reply;
  }

  @Test
  void pingIsAnsweredWithOurIdAndTheRequesterAddress() {
    DhtNode n = node(DhtConfig.builder());
    n.handleDatagram(query(peerId, KrpcMethod.PING, 0x0102, o -> {}), peer, now);
    List<InetSocketAddress> to = new ArrayList<>();
    List<byte[]> out = drain(n, to);
    // the reply, then a ping that checks the new node answers before it counts as good
    assertThat(out).hasSize(2);
    assertThat(to).containsExactly(peer, peer);
    assertThat(parse(out.get(1)).method()).isEqualTo(KrpcMethod.PING);
    KrpcMessage r = parse(out.get(0));
    assertThat(r.kind()).isEqualTo(KrpcKind.RESPONSE);
    assertThat(r.txAsInt()).isEqualTo(0x0102);
    assertThat(n.selfId().matches(r.buf(), r.idOff())).isTrue();
    assertThat(r.ipLen()).isEqualTo(6);
    assertThat(Arrays.copyOfRange(r.buf(), r.ipOff(), r.ipOff() + 6))
        .containsExactly(198, 51, 100, 20, 0x1b, 0x58);
    assertThat(n.routingTable().find(peerId)).isNotNull();
    assertThat(n.counters().queriesIn()).isEqualTo(1);
  }

  @Test
  void onlyQueriesFromAddressesWeHaveNotSentToLatelyCountAsUnsolicited() {
    DhtNode n = node(DhtConfig.builder());
    n.handleDatagram(query(peerId, KrpcMethod.PING, 1, o -> {}), peer, now);
    assertThat(n.counters().unsolicitedQueries()).as("a stranger came in unasked").isEqualTo(1);
    drain(n, null); // our reply and our ping go to the peer: a NAT would now let it in
    InetSocketAddress otherPort = new InetSocketAddress(peer.getAddress(), 7001);
    n.handleDatagram(query(peerId, KrpcMethod.PING, 2, o -> {}), otherPort, now + SEC);
    assertThat(n.counters().unsolicitedQueries()).as("we had just sent to it").isEqualTo(1);
    long later = now + io.natswarm.datagram.RecentDestinations.WINDOW_NANOS + SEC;
    n.handleDatagram(query(peerId, KrpcMethod.PING, 3, o -> {}), peer, later);
    assertThat(n.counters().unsolicitedQueries())
        .as("silent for longer than any NAT keeps a mapping")
        .isEqualTo(2);
    assertThat(n.counters().queriesIn()).isEqualTo(3);
  }

  @Test
  void unknownMethodWithTargetIsAnsweredAsFindNodeAndWithoutWithError203() {
    DhtNode n = node(DhtConfig.builder());
    n.handleDatagram(query(NodeId.random(random), KrpcMethod.PING, 1, o -> {}), peer, now);
    drain(n, null);
    byte[] odd =
        ("d1:ad2:id20:"
                + "x".repeat(20)
                + "6:target20:"
                + "y".repeat(20)
                + "e1:q9:vote_node1:t2:ab1:y1:qe")
            .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    n.handleDatagram(ByteBuffer.wrap(odd), peer, now);
    KrpcMessage r = parse(drain(n, null).get(0));
    assertThat(r.kind()).isEqualTo(KrpcKind.RESPONSE);
    assertThat(r.nodesLen()).isEqualTo(26);
    byte[] bare =
        ("d1:ad2:id20:" + "x".repeat(20) + "e1:q9:vote_node1:t2:ab1:y1:qe")
            .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    n.handleDatagram(ByteBuffer.wrap(bare), peer, now);
    r = parse(drain(n, null).get(0));
    assertThat(r.kind()).isEqualTo(KrpcKind.ERROR);
    assertThat(r.errorCode()).isEqualTo(203);
    assertThat(n.counters().unknownMethods()).isEqualTo(2);
  }

  @Test
  void announceNeedsAValidTokenWhichLastsTwoRotations() {
    DhtNode n = node(DhtConfig.builder().tokenRotation(Duration.ofMinutes(5)));
    NodeId ih = NodeId.random(random);
    n.handleDatagram(
        query(peerId, KrpcMethod.GET_PEERS, 1, o -> KrpcWriter.infoHash(o, ih.toBytes())),
        peer,
        now);
    KrpcMessage r = parse(drain(n, null).get(0));
    byte[] token = Arrays.copyOfRange(r.buf(), r.tokenOff(), r.tokenOff() + r.tokenLen());
    assertThat(token).hasSize(8);

    // a wrong token: error 203, nothing stored
    n.handleDatagram(announce(ih, new byte[] {1, 2, 3, 4}, 6000, false), peer, now);
    assertThat(parse(drain(n, null).get(0)).errorCode()).isEqualTo(203);
    assertThat(n.counters().badTokens()).isEqualTo(1);

    // valid after one rotation
    now += 6 * 60 * SEC;
    n.handleTimeout(now);
    n.handleDatagram(announce(ih, token, 6000, false), peer, now);
    assertThat(parse(drain(n, null).get(0)).kind()).isEqualTo(KrpcKind.RESPONSE);
    assertThat(n.counters().announcesStored()).isEqualTo(1);

    // implied_port stores the source port
    InetSocketAddress other = new InetSocketAddress(peer.getAddress(), 7001);
    n.handleDatagram(announce(ih, token, 1, true), other, now);
    drain(n, null);

    // the stored peers come back in values
    n.handleDatagram(
        query(
            NodeId.random(random),
            KrpcMethod.GET_PEERS,
            2,
            o -> KrpcWriter.infoHash(o, ih.toBytes())),
        new InetSocketAddress(InetAddresses.forString("198.51.100.99"), 1),
        now);
    r = parse(drain(n, null).get(0));
    assertThat(r.valueCount()).isEqualTo(2);

    // invalid after two rotations
    now += 6 * 60 * SEC;
    n.handleTimeout(now);
    n.handleDatagram(announce(ih, token, 6000, false), peer, now);
    assertThat(parse(drain(n, null).get(0)).errorCode()).isEqualTo(203);
    assertThat(n.counters().badTokens()).isEqualTo(2);
  }

  private ByteBuffer announce(NodeId ih, byte[] token, int port, boolean implied) {
    return query(
        peerId,
        KrpcMethod.ANNOUNCE_PEER,
        3,
        o -> {
          if (implied) {
            KrpcWriter.impliedPort(o);
          }
          KrpcWriter.infoHash(o, ih.toBytes());
          KrpcWriter.port(o, port);
          KrpcWriter.token(o, token, 0, token.length);
        });
  }

  @Test
  void announceWithPortZeroIsRejected() {
    DhtNode n = node(DhtConfig.builder());
    NodeId ih = NodeId.random(random);
    n.handleDatagram(
        query(peerId, KrpcMethod.GET_PEERS, 1, o -> KrpcWriter.infoHash(o, ih.toBytes())),
        peer,
        now);
    KrpcMessage r = parse(drain(n, null).get(0));
    byte[] token = Arrays.copyOfRange(r.buf(), r.tokenOff(), r.tokenOff() + r.tokenLen());
    n.handleDatagram(announce(ih, token, 0, false), peer, now);
    assertThat(parse(drain(n, null).get(0)).errorCode()).isEqualTo(203);
    assertThat(n.counters().announcesStored()).isZero();
    assertThat(n.counters().selfOrPortZero()).isEqualTo(1);
  }

  @Test
  void valuesAreCappedSoRepliesDoNotAmplify() {
    DhtNode n = node(DhtConfig.builder().queriesPerSecond(0, 1));
    NodeId ih = NodeId.random(random);
    for (int i = 0; i < 150; i++) {
      InetSocketAddress src =
          new InetSocketAddress(
              InetAddresses.forString("198.51." + (i / 200) + "." + (i % 200 + 1)), 4000);
      n.handleDatagram(
          query(
              NodeId.random(random),
              KrpcMethod.GET_PEERS,
              i,
              o -> KrpcWriter.infoHash(o, ih.toBytes())),
          src,
          now);
      KrpcMessage r = parse(drain(n, null).get(0));
      byte[] token = Arrays.copyOfRange(r.buf(), r.tokenOff(), r.tokenOff() + r.tokenLen());
      n.handleDatagram(
          query(
              NodeId.random(random),
              KrpcMethod.ANNOUNCE_PEER,
              i,
              o -> {
                KrpcWriter.infoHash(o, ih.toBytes());
                KrpcWriter.port(o, 5000);
                KrpcWriter.token(o, token, 0, token.length);
              }),
          src,
          now);
      drain(n, null);
    }
    assertThat(n.counters().announcesStored()).isEqualTo(150);
    ByteBuffer q =
        query(
            NodeId.random(random),
            KrpcMethod.GET_PEERS,
            9,
            o -> KrpcWriter.infoHash(o, ih.toBytes()));
    int qlen = q.remaining();
    n.handleDatagram(q, peer, now);
    byte[] out = drain(n, null).get(0);
    KrpcMessage r = parse(out);
    assertThat(r.valueCount()).isBetween(1, 50);
    assertThat(out.length).isLessThanOrEqualTo(Math.max(512, Math.min(1400, qlen * 10)));
  }

  @Test
  void perSourceRateLimitDropsTheExcess() {
    DhtNode n = node(DhtConfig.builder().queriesPerSecond(10, 20));
    for (int i = 0; i < 100; i++) {
      n.handleDatagram(query(peerId, KrpcMethod.PING, i, o -> {}), peer, now);
    }
    assertThat(replies(n)).hasSize(20);
    assertThat(n.counters().rateLimited()).isEqualTo(80);
    now += SEC;
    for (int i = 0; i < 100; i++) {
      n.handleDatagram(query(peerId, KrpcMethod.PING, i, o -> {}), peer, now);
    }
    assertThat(replies(n)).hasSize(10);
  }

  @Test
  void ourOwnIdIsIgnored() {
    DhtNode n = node(DhtConfig.builder());
    n.handleDatagram(query(n.selfId(), KrpcMethod.PING, 1, o -> {}), peer, now);
    assertThat(drain(n, null)).isEmpty();
    assertThat(n.counters().selfOrPortZero()).isEqualTo(1);
    assertThat(n.routingTable().size()).isZero();
  }

  @Test
  void readOnlyNodeAnswersNothingAndMarksItsQueries() {
    DhtNode n = node(DhtConfig.builder().readOnly(true).bootstrapNodes(List.of(peer)));
    n.handleDatagram(query(peerId, KrpcMethod.PING, 1, o -> {}), peer, now);
    assertThat(drain(n, null)).isEmpty();
    n.bootstrap(now, r -> {});
    KrpcMessage q = parse(drain(n, null).get(0));
    assertThat(q.method()).isEqualTo(KrpcMethod.FIND_NODE);
    assertThat(q.readOnly()).isTrue();
  }

  @Test
  void queriesFromReadOnlyNodesDoNotEnterTheTable() {
    DhtNode n = node(DhtConfig.builder());
    ByteBuffer out = ByteBuffer.allocate(256);
    KrpcWriter.beginQuery(out, peerId.toBytes());
    KrpcWriter.endQuery(out, KrpcMethod.PING, true, 1);
    n.handleDatagram(out.flip(), peer, now);
    assertThat(drain(n, null)).hasSize(1);
    assertThat(n.routingTable().size()).isZero();
  }

  @Test
  void externalAddressVotesReachThePort() {
    List<InetAddress> voted = new ArrayList<>();
    DhtNode n =
        new DhtNode(
            DhtConfig.builder().seed(1).loopback().build(),
            new DhtPort() {
              @Override
              public void externalAddressVoted(InetAddress address, int port, int votes) {
                voted.add(address);
              }
            },
            now);
    InetSocketAddress me = new InetSocketAddress(InetAddresses.forString("203.0.113.77"), 6881);
    for (int i = 0; i < 3; i++) {
      InetSocketAddress p =
          new InetSocketAddress(InetAddresses.forString("198.51.100." + (i + 1)), 6881);
      n.ping(p, now);
      KrpcMessage q = parse(drain(n, null).get(0));
      int tx = q.txAsInt();
      ByteBuffer r = ByteBuffer.allocate(512);
      KrpcWriter.beginResponse(r, me, NodeId.random(random).toBytes());
      KrpcWriter.endResponse(r, new byte[] {(byte) (tx >>> 8), (byte) tx}, 0, 2);
      n.handleDatagram(r.flip(), p, now + 1000);
    }
    assertThat(voted).containsExactly(me.getAddress());
    assertThat(n.externalAddress()).isEqualTo(me);
    assertThat(n.counters().responsesIn()).isEqualTo(3);
    assertThat(n.routingTable().size()).isEqualTo(3);
  }

  /**
   * Three voters in three /24s (a bucket takes two of one subnet), each with a BEP 42 id of its
   * own, answer a ping saying they see {@code me}.
   */
  private void votesFor(DhtNode n, InetSocketAddress me) {
    for (int i = 0; i < 3; i++) {
      InetSocketAddress p =
          new InetSocketAddress(InetAddresses.forString("198.51." + (100 + i) + ".1"), 6881);
      n.ping(p, now);
      KrpcMessage q = parse(drain(n, null).get(0));
      int tx = q.txAsInt();
      ByteBuffer r = ByteBuffer.allocate(512);
      KrpcWriter.beginResponse(
          r, me, io.natswarm.dht.routing.Bep42.generate(p.getAddress(), i, random).toBytes());
      KrpcWriter.endResponse(r, new byte[] {(byte) (tx >>> 8), (byte) tx}, 0, 2);
      n.handleDatagram(r.flip(), p, now + 1000);
    }
  }

  @Test
  void settledVotesForAnAddressOurIdIsNotValidForGiveUsANewBep42IdAndKeepTheTable() {
    DhtNode n = node(DhtConfig.builder());
    NodeId old = n.selfId();
    InetSocketAddress me = new InetSocketAddress(InetAddresses.forString("203.0.113.77"), 6881);
    assertThat(io.natswarm.dht.routing.Bep42.isValid(old, me.getAddress())).isFalse();
    votesFor(n, me);
    assertThat(n.selfId()).isNotEqualTo(old);
    assertThat(io.natswarm.dht.routing.Bep42.isValid(n.selfId(), me.getAddress())).isTrue();
    assertThat(n.counters().nodeIdChanges()).isEqualTo(1);
    assertThat(n.routingTable().size()).as("the voters moved to the new table").isEqualTo(3);
    assertThat(n.routingTable().self()).isEqualTo(n.selfId());
    // and it looks its new neighbourhood up: find_node for the new id
    KrpcMessage q = parse(drain(n, null).get(0));
    assertThat(q.method()).isEqualTo(KrpcMethod.FIND_NODE);
    assertThat(n.activeLookups()).isEqualTo(1);
    votesFor(n, me);
    assertThat(n.counters().nodeIdChanges()).as("already valid: kept").isEqualTo(1);
  }

  @Test
  void aConfiguredIdIsKeptWhateverTheVotesSay() {
    NodeId fixed = NodeId.random(random);
    DhtNode n = node(DhtConfig.builder().nodeId(fixed));
    votesFor(n, new InetSocketAddress(InetAddresses.forString("203.0.113.77"), 6881));
    assertThat(n.selfId()).isEqualTo(fixed);
    assertThat(n.counters().nodeIdChanges()).isZero();
  }

  @Test
  void unansweredQueriesStallThenTimeOutAndAResponseFromTheWrongAddressIsIgnored() {
    DhtNode n = node(DhtConfig.builder().queryTimeout(Duration.ofSeconds(2)));
    n.ping(peer, now);
    KrpcMessage q = parse(drain(n, null).get(0));
    int tx = q.txAsInt();
    ByteBuffer r = ByteBuffer.allocate(512);
    KrpcWriter.beginResponse(r, null, peerId.toBytes());
    KrpcWriter.endResponse(r, new byte[] {(byte) (tx >>> 8), (byte) tx}, 0, 2);
    n.handleDatagram(
        r.flip(), new InetSocketAddress(InetAddresses.forString("198.51.100.21"), 7000), now);
    assertThat(n.counters().unmatchedResponses()).isEqualTo(1);
    long deadline = n.pollTimeout();
    assertThat(deadline).isGreaterThan(now).isLessThanOrEqualTo(now + 2 * SEC);
    n.handleTimeout(now + 2 * SEC);
    assertThat(n.counters().timeouts()).isEqualTo(1);
    assertThat(n.pendingQueries()).isZero();
  }

  @Test
  void sampleInfohashesIsAnswered() {
    DhtNode n = node(DhtConfig.builder());
    n.handleDatagram(
        query(peerId, KrpcMethod.SAMPLE_INFOHASHES, 1, o -> KrpcWriter.target(o, new byte[20])),
        peer,
        now);
    KrpcMessage r = parse(drain(n, null).get(0));
    assertThat(r.interval()).isPositive();
    assertThat(r.num()).isZero();
    assertThat(r.samplesLen()).isZero();
  }

  @Test
  void routingTableSurvivesARestartAsBytes() {
    DhtNode n = node(DhtConfig.builder());
    for (int i = 0; i < 20; i++) {
      n.handleDatagram(
          query(NodeId.random(random), KrpcMethod.PING, i, o -> {}),
          new InetSocketAddress(InetAddresses.forString("198.51." + i + ".1"), 6881),
          now);
    }
    drain(n, null);
    byte[] saved = n.routingTableBytes();
    DhtNode again = node(DhtConfig.builder());
    assertThat(again.restoreRoutingTable(saved).problem()).isEmpty();
    again.bootstrap(now, r -> {});
    assertThat(drain(again, null)).hasSize(n.routingTable().size());
    DhtNode third = node(DhtConfig.builder());
    assertThat(
            third
                .restoreRoutingTable("garbage".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                .problem())
        .get()
        .asString()
        .contains("corrupt");
    // an IPv6 node ignores the IPv4 nodes of a saved table
    DhtNode v6 = node(DhtConfig.builder().ipv6(true));
    assertThat(v6.restoreRoutingTable(saved).nodes()).hasSize(n.routingTable().size());
    v6.bootstrap(now, r -> {});
    assertThat(drain(v6, null)).isEmpty();
  }

  @Test
  void theOtherAddressFamilyIsDeclinedAndNotCounted() {
    DhtNode v4 = node(DhtConfig.builder());
    DhtNode v6 = node(DhtConfig.builder().ipv6(true));
    InetSocketAddress peer6 = new InetSocketAddress(InetAddresses.forString("2001:db8::20"), 7000);
    assertThat(v4.handleDatagram(query(peerId, KrpcMethod.PING, 1, o -> {}), peer6, now)).isFalse();
    assertThat(v6.handleDatagram(query(peerId, KrpcMethod.PING, 1, o -> {}), peer, now)).isFalse();
    assertThat(v4.counters().datagramsIn()).isZero();
    assertThat(v6.counters().datagramsIn()).isZero();
    assertThat(drain(v4, null)).isEmpty();
    assertThat(drain(v6, null)).isEmpty();
    assertThat(v4.handleDatagram(query(peerId, KrpcMethod.PING, 1, o -> {}), peer, now)).isTrue();
    assertThat(v6.handleDatagram(query(peerId, KrpcMethod.PING, 1, o -> {}), peer6, now)).isTrue();
    assertThat(v4.counters().queriesIn()).isOne();
    assertThat(v6.counters().queriesIn()).isOne();
  }
}
