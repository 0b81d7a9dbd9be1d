package io.natswarm.dht;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.net.InetAddresses;
import io.natswarm.dht.krpc.KrpcError;
import io.natswarm.dht.krpc.KrpcMessage;
import io.natswarm.dht.krpc.KrpcMethod;
import io.natswarm.dht.krpc.KrpcParser;
import io.natswarm.dht.krpc.KrpcWriter;
import io.natswarm.dht.routing.NodeId;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Lookup state machine details driven by hand: time-outs, retries, slots, refresh. */
class LookupTest {
  private static final long MS = 1_000_000L;
  private final Random random = new Random(8);
  private final KrpcParser parser = new KrpcParser();
  private final List<InetSocketAddress> dest = new ArrayList<>();

  private List<KrpcMessage> sent(DhtNode n, long now) {
    List<KrpcMessage> out = new ArrayList<>();
    for (byte[] copy : Outbox.drain(n, now, dest)) {
      KrpcMessage x = new KrpcMessage();
      assertThat(parser.parse(copy, 0, copy.length, x)).isEqualTo(KrpcError.NONE);
      out.add(x);
    }
    return out;
  }

  private static InetSocketAddress addr(int i) {
    return new InetSocketAddress(InetAddresses.forString("198.51.100." + i), 6881);
  }

  private static ByteBuffer reply(KrpcMessage q, NodeId id, List<NodeId> ids, int firstAddr) {
    ByteBuffer r = ByteBuffer.allocate(1024);
    KrpcWriter.beginResponse(r, null, id.toBytes());
    if (!ids.isEmpty()) {
      KrpcWriter.nodesHeader(r, ids.size());
      for (int i = 0; i < ids.size(); i++) {
        ids.get(i).write(r);
        KrpcWriter.writeCompact(r, addr(firstAddr + i));
      }
    }
    KrpcWriter.token(r, new byte[] {9, 9, 9, 9}, 0, 4);
    KrpcWriter.valuesBegin(r);
    KrpcWriter.value(r, new byte[] {10, 0, 0, 1, 0, 80}, 0, 6);
    KrpcWriter.end(r);
    KrpcWriter.endResponse(r, q.buf(), q.txOff(), q.txLen());
    return r.flip();
  }

  @Test
  void aTimedOutLookupReturnsWhatItHas() {
    DhtNode n =
        new DhtNode(
            DhtConfig.builder()
                .seed(1)
                .minTimeout(Duration.ofMillis(1900))
                .queryTimeout(Duration.ofSeconds(2))
                .lookupTimeout(Duration.ofSeconds(2))
                .build(),
            DhtPort.NONE,
            0);
    NodeId first = NodeId.random(random);
    List<LookupResult> done = new ArrayList<>();
    NodeId target = NodeId.random(random);
    n.ping(addr(1), 0);
    KrpcMessage ping = sent(n, 0).get(0);
    n.handleDatagram(reply(ping, first, List.of(), 0), addr(1), MS);
    n.getPeers(target, 2 * MS, done::add);
    KrpcMessage q = sent(n, 2 * MS).get(0);
    assertThat(q.method()).isEqualTo(KrpcMethod.GET_PEERS);
    List<NodeId> silent = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      silent.add(NodeId.random(random));
    }
    n.handleDatagram(reply(q, first, silent, 10), addr(1), 3 * MS);
    // alpha = 8 (the default): every one of the k = 8 closest not yet asked gets a get_peers at
    // once, seven besides the node that answered (the eighth, with room in our table, a ping)
    assertThat(sent(n, 3 * MS)).filteredOn(x -> x.method() == KrpcMethod.GET_PEERS).hasSize(7);
    for (long t = 3 * MS; done.isEmpty() && t <= 2100 * MS; t += 10 * MS) {
      n.handleTimeout(t);
      sent(n, t);
    }
    assertThat(done).hasSize(1);
    LookupResult r = done.get(0);
    assertThat(r.timedOut()).isTrue();
    assertThat(r.peers())
        .containsExactly(new InetSocketAddress(InetAddresses.forString("10.0.0.1"), 80));
    assertThat(r.closest()).extracting(LookupResult.NodeRef::id).containsExactly(first);
    assertThat(r.rounds()).isEqualTo(1); // the eight named by the first answer never answered
    assertThat(n.activeLookups()).isZero();
  }

  /**
   * The first answer carries a peer; the eight nodes it names never answer, so the lookup runs to
   * its 2 s deadline. The peer is heard at the answer's time, 2 s before the result.
   */
  @Test
  void peersAreHeardWhenTheirAnswerArrivesNotWhenTheLookupEnds() {
    DhtNode n =
        new DhtNode(
            DhtConfig.builder()
                .seed(1)
                .minTimeout(Duration.ofMillis(1900))
                .queryTimeout(Duration.ofSeconds(2))
                .lookupTimeout(Duration.ofSeconds(2))
                .build(),
            DhtPort.NONE,
            0);
    NodeId first = NodeId.random(random);
    NodeId target = NodeId.random(random);
    n.ping(addr(1), 0);
    n.handleDatagram(reply(sent(n, 0).get(0), first, List.of(), 0), addr(1), MS);
    List<String> events = new ArrayList<>();
    List<InetSocketAddress> heard = new ArrayList<>();
    long[] now = {2 * MS};
    List<LookupResult> done = new ArrayList<>();
    n.getPeers(
        target,
        now[0],
        peers -> {
          events.add("peers at " + now[0] / MS + " ms");
          heard.addAll(peers);
        },
        r -> {
          events.add("done at " + now[0] / MS + " ms");
          done.add(r);
        });
    KrpcMessage q = sent(n, now[0]).get(0);
    List<NodeId> silent = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      silent.add(NodeId.random(random));
    }
    now[0] = 3 * MS;
    n.handleDatagram(reply(q, first, silent, 10), addr(1), now[0]);
    InetSocketAddress peer = new InetSocketAddress(InetAddresses.forString("10.0.0.1"), 80);
    assertThat(heard).containsExactly(peer);
    assertThat(done).isEmpty();
    for (now[0] = 3 * MS; done.isEmpty() && now[0] <= 2100 * MS; now[0] += 10 * MS) {
      n.handleTimeout(now[0]);
      sent(n, now[0]);
    }
    assertThat(events).containsExactly("peers at 3 ms", "done at 2003 ms");
    assertThat(done.get(0).peers()).containsExactlyElementsOf(heard);
    assertThat(done.get(0).firstPeerAt()).isEqualTo(3 * MS);
  }

  @Test
  void aFindNodeLookupAndAGetPeersWithoutPeersHearNothing() {
    DhtNode n = new DhtNode(DhtConfig.builder().seed(3).build(), DhtPort.NONE, 0);
    List<List<InetSocketAddress>> heard = new ArrayList<>();
    List<LookupResult> done = new ArrayList<>();
    // no node known: both lookups end at once, empty
    n.getPeers(NodeId.random(random), MS, heard::add, done::add);
    n.announce(NodeId.random(random), 6881, MS, heard::add, done::add);
    assertThat(done).hasSize(2);
    assertThat(heard).isEmpty();
  }

  @Test
  void aStalledQueryIsAskedOnceMoreAndALateAnswerStillCounts() {
    DhtNode n =
        new DhtNode(
            DhtConfig.builder().seed(2).minTimeout(Duration.ofMillis(200)).build(),
            DhtPort.NONE,
            0);
    NodeId a = NodeId.random(random);
    n.ping(addr(1), 0);
    n.handleDatagram(reply(sent(n, 0).get(0), a, List.of(), 0), addr(1), 50 * MS);
    List<LookupResult> done = new ArrayList<>();
    n.findNode(NodeId.random(random), 100 * MS, done::add);
    KrpcMessage q1 = sent(n, 100 * MS).get(0);
    long stall = n.pollTimeout();
    assertThat(stall).isLessThan(100 * MS + 3000 * MS);
    n.handleTimeout(stall);
    List<KrpcMessage> again = sent(n, stall);
    assertThat(again).hasSize(1);
    assertThat(again.get(0).txAsInt()).isNotEqualTo(q1.txAsInt());
    assertThat(n.counters().stalls()).isEqualTo(1);
    // the first query's answer arrives late: the lookup completes with it
    n.handleDatagram(reply(q1, a, List.of(), 0), addr(1), stall + 10 * MS);
    assertThat(done).hasSize(1);
    assertThat(done.get(0).closest()).hasSize(1);
    assertThat(done.get(0).queries()).isEqualTo(2);
    assertThat(done.get(0).rounds()).isEqualTo(1); // the first query's answer, not the retry's
  }

  /** An id at XOR distance {@code first, 0, ..., 0, last} from {@code target}. */
  private static NodeId atDistance(NodeId target, int first, int last) {
    byte[] b = target.toBytes();
    b[0] ^= (byte) first;
    b[NodeId.LENGTH - 1] ^= (byte) last;
    return NodeId.of(b);
  }

  /** Where the find_node queries of the last {@link #findNodes} call went, in order. */
  private final List<InetSocketAddress> askedAt = new ArrayList<>();

  private List<KrpcMessage> findNodes(DhtNode n, long now) {
    List<InetSocketAddress> to = new ArrayList<>();
    List<byte[]> copies = Outbox.drain(n, now, to);
    List<KrpcMessage> out = new ArrayList<>();
    askedAt.clear();
    for (int i = 0; i < copies.size(); i++) {
      KrpcMessage x = new KrpcMessage();
      assertThat(parser.parse(copies.get(i), 0, copies.get(i).length, x)).isEqualTo(KrpcError.NONE);
      if (x.method() == KrpcMethod.FIND_NODE) {
        out.add(x);
        askedAt.add(to.get(i));
      }
    }
    return out;
  }

  @Test
  void stragglersPushedOutOfTheClosestDoNotKeepTheClosestWaiting() {
    DhtNode n = new DhtNode(DhtConfig.builder().seed(6).build(), DhtPort.NONE, 0);
    NodeId target = NodeId.random(random);
    NodeId a = atDistance(target, 0xff, 0);
    n.ping(addr(1), 0);
    n.handleDatagram(reply(sent(n, 0).get(0), a, List.of(), 0), addr(1), MS);
    List<LookupResult> done = new ArrayList<>();
    n.findNode(target, 2 * MS, done::add);
    KrpcMessage q1 = findNodes(n, 2 * MS).get(0);
    List<NodeId> far = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      far.add(atDistance(target, 0x40, i + 1));
    }
    n.handleDatagram(reply(q1, a, far, 20), addr(1), 10 * MS);
    List<KrpcMessage> farQueries = findNodes(n, 10 * MS);
    assertThat(farQueries).hasSize(8); // alpha 8: all slots taken
    // the first answers with eight much closer nodes; the other seven are now stragglers outside
    // the k closest, still holding seven of the eight slots
    List<NodeId> near = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      near.add(atDistance(target, 0x01, i + 1));
    }
    int i0 = askedAt.indexOf(addr(20));
    n.handleDatagram(reply(farQueries.get(i0), far.get(0), near, 40), addr(20), 20 * MS);
    // seven stragglers in flight: the nearest goes out in the freed slot, the second nearest in
    // an extra one (alpha + 2 for the two nearest), the third waits (alpha + 1 for the others)
    assertThat(Lookup.NEAREST_EXTRA_SLOTS).isEqualTo(2);
    assertThat(findNodes(n, 20 * MS)).hasSize(2);
    assertThat(askedAt).containsExactlyInAnyOrder(addr(40), addr(41));
  }

  @Test
  void roundsCountTheLongestChainOfAnswersTheLookupWaitedOn() {
    DhtNode n = new DhtNode(DhtConfig.builder().seed(4).build(), DhtPort.NONE, 0);
    NodeId a = NodeId.random(random);
    n.ping(addr(1), 0);
    n.handleDatagram(reply(sent(n, 0).get(0), a, List.of(), 0), addr(1), MS);
    NodeId target = NodeId.random(random);
    List<LookupResult> done = new ArrayList<>();
    n.findNode(target, 2 * MS, done::add);
    KrpcMessage q1 = sent(n, 2 * MS).get(0);
    NodeId b = NodeId.random(random);
    // a names b; b (round 2) names c; c (round 3) names nobody
    n.handleDatagram(reply(q1, a, List.of(b), 20), addr(1), 10 * MS);
    KrpcMessage q2 =
        sent(n, 10 * MS).stream()
            .filter(x -> x.method() == KrpcMethod.FIND_NODE)
            .findFirst()
            .orElseThrow();
    NodeId c = NodeId.random(random);
    n.handleDatagram(reply(q2, b, List.of(c), 30), addr(20), 20 * MS);
    KrpcMessage q3 =
        sent(n, 20 * MS).stream()
            .filter(x -> x.method() == KrpcMethod.FIND_NODE)
            .findFirst()
            .orElseThrow();
    n.handleDatagram(reply(q3, c, List.of(), 0), addr(30), 30 * MS);
    assertThat(done).hasSize(1);
    assertThat(done.get(0).queries()).isEqualTo(3);
    assertThat(done.get(0).rounds()).isEqualTo(3);
    assertThat(done.get(0).hops()).isEqualTo(3);
  }

  @Test
  void staleBucketsAreRefreshedWithFindNode() {
    DhtNode n = new DhtNode(DhtConfig.builder().seed(3).build(), DhtPort.NONE, 0);
    n.ping(addr(1), 0);
    n.handleDatagram(reply(sent(n, 0).get(0), NodeId.random(random), List.of(), 0), addr(1), MS);
    long refresh = 15L * 60 * 1000 * MS;
    assertThat(n.pollTimeout()).isLessThanOrEqualTo(refresh + MS);
    n.handleTimeout(refresh + MS);
    List<KrpcMessage> out = sent(n, refresh + MS);
    assertThat(out).extracting(KrpcMessage::method).contains(KrpcMethod.FIND_NODE);
  }
}
