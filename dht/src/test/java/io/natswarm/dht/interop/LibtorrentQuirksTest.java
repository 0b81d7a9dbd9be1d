package io.natswarm.dht.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.net.InetAddresses;
import io.natswarm.dht.DhtConfig;
import io.natswarm.dht.DhtNode;
import io.natswarm.dht.DhtPort;
import io.natswarm.dht.Outbox;
import io.natswarm.dht.krpc.KrpcError;
import io.natswarm.dht.krpc.KrpcKind;
import io.natswarm.dht.krpc.KrpcMessage;
import io.natswarm.dht.krpc.KrpcMethod;
import io.natswarm.dht.krpc.KrpcParser;
import io.natswarm.dht.routing.NodeId;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each KRPC quirk of LAB.md, fed as the exact bytes libtorrent 2.0.8 sent on loopback (recorded by
 * capture_lt.py into test resources): top-level {@code ip}, {@code r.p}, 4-byte tokens, error 203
 * for bad tokens and unknown methods (with an {@code r} dict inside the error), unknown methods
 * with a target answered as find_node, {@code nodes6} and 18-byte values, sample_infohashes.
 */
class LibtorrentQuirksTest {
  private final KrpcParser parser = new KrpcParser();
  private final KrpcMessage msg = new KrpcMessage();

  private static byte[] fixture(String name) throws IOException {
    try (InputStream in =
        LibtorrentQuirksTest.class.getResourceAsStream("libtorrent-2.0.8/" + name + ".bin")) {
      assertThat(in).as("fixture " + name).isNotNull();
      return in.readAllBytes();
    }
  }

  private KrpcMessage parse(byte[] b) {
    assertThat(parser.parse(b, 0, b.length, msg)).isEqualTo(KrpcError.NONE);
    return msg;
  }

  @ParameterizedTest
  @ValueSource(ints = {4, 6})
  void pingResponseCarriesTopLevelIpAndResponsePort(int v) throws IOException {
    KrpcMessage m = parse(fixture("ping-response-v" + v));
    assertThat(m.kind()).isEqualTo(KrpcKind.RESPONSE);
    assertThat(m.ipLen()).isEqualTo(v == 4 ? 6 : 18);
    assertThat(m.responsePort()).isPositive();
    assertThat(m.versionLen()).isEqualTo(4);
    assertThat(m.buf()[m.versionOff()]).isEqualTo((byte) 'L');
  }

  @ParameterizedTest
  @ValueSource(ints = {4, 6})
  void getPeersResponseHasAFourByteTokenNodesAndValues(int v) throws IOException {
    KrpcMessage m = parse(fixture("get-peers-response-v" + v));
    assertThat(m.tokenLen()).isEqualTo(4);
    if (v == 4) {
      assertThat(m.nodesLen()).isPositive().isEqualTo(m.nodesLen() / 26 * 26);
      assertThat(m.valueCount()).isOne();
      assertThat(m.valueLen(0)).isEqualTo(6);
    } else {
      assertThat(m.nodes6Len()).isPositive().isEqualTo(m.nodes6Len() / 38 * 38);
      assertThat(m.valueCount()).isOne();
      assertThat(m.valueLen(0)).isEqualTo(18);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {4, 6})
  void badTokenAndUnknownMethodAreError203WithAnRDictInside(int v) throws IOException {
    KrpcMessage m = parse(fixture("bad-token-error-v" + v));
    assertThat(m.kind()).isEqualTo(KrpcKind.ERROR);
    assertThat(m.errorCode()).isEqualTo(203);
    assertThat(m.errorMessage()).isEqualTo("invalid token");
    m = parse(fixture("unknown-method-error-v" + v));
    assertThat(m.errorCode()).isEqualTo(203);
    assertThat(m.errorMessage()).isEqualTo("unknown message");
  }

  @ParameterizedTest
  @ValueSource(ints = {4, 6})
  void unknownMethodWithTargetIsAnsweredAsFindNode(int v) throws IOException {
    KrpcMessage m = parse(fixture("unknown-method-target-response-v" + v));
    assertThat(m.kind()).isEqualTo(KrpcKind.RESPONSE);
    assertThat(v == 4 ? m.nodesLen() : m.nodes6Len()).isPositive();
  }

  @ParameterizedTest
  @ValueSource(ints = {4, 6})
  void sampleInfohashesResponseIsRead(int v) throws IOException {
    KrpcMessage m = parse(fixture("sample-infohashes-response-v" + v));
    assertThat(m.interval()).isEqualTo(21600);
    assertThat(m.num()).isOne();
    assertThat(m.samplesLen()).isEqualTo(20);
  }

  @Test
  void wantN4N6IsAnsweredWithNodes() throws IOException {
    KrpcMessage m = parse(fixture("find-node-want-n4n6-response-v4"));
    assertThat(m.nodesLen()).isPositive();
  }

  @ParameterizedTest
  @ValueSource(ints = {4, 6})
  void aLibtorrentQueryIsAnsweredByOurNode(int v) throws IOException {
    byte[] q = fixture("query-from-lt-v" + v);
    DhtNode node =
        new DhtNode(DhtConfig.builder().seed(1).loopback().ipv6(v == 6).build(), DhtPort.NONE, 0);
    InetSocketAddress lt =
        new InetSocketAddress(InetAddresses.forString(v == 4 ? "127.0.0.1" : "::1"), 40564);
    node.handleDatagram(ByteBuffer.wrap(q), lt, 1);
    List<byte[]> out = drain(node);
    KrpcMessage r = parse(out.get(0));
    assertThat(r.kind()).isEqualTo(KrpcKind.RESPONSE);
    assertThat(r.tokenLen()).isEqualTo(8);
    assertThat(Arrays.copyOfRange(r.buf(), r.txOff(), r.txOff() + r.txLen()))
        .isEqualTo(Arrays.copyOfRange(q, indexOf(q, "1:t2:") + 5, indexOf(q, "1:t2:") + 7));
    assertThat(node.counters().badDatagrams()).isZero();
  }

  @ParameterizedTest
  @ValueSource(ints = {4, 6})
  void aLibtorrentResponseMatchesOurCallAndItsFourByteTokenIsUsedToAnnounce(int v)
      throws IOException {
    DhtNode node =
        new DhtNode(DhtConfig.builder().seed(2).loopback().ipv6(v == 6).build(), DhtPort.NONE, 0);
    InetSocketAddress lt =
        new InetSocketAddress(InetAddresses.forString(v == 4 ? "127.0.0.1" : "::1"), 40564);
    node.ping(lt, 0);
    KrpcMessage ping = parse(drain(node).get(0));
    int tx = ping.txAsInt();
    byte[] resp = withTx(fixture("ping-response-v" + v), tx);
    node.handleDatagram(ByteBuffer.wrap(resp), lt, 1_000_000);
    assertThat(node.counters().responsesIn()).isOne();
    assertThat(node.routingTable().size()).isOne();

    // a get_peers lookup through libtorrent's recorded reply, then the announce with its token
    NodeId ih =
        NodeId.of(
            new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20});
    List<io.natswarm.dht.LookupResult> done = new ArrayList<>();
    node.announce(ih, 9999, 2_000_000, done::add);
    KrpcMessage gp = parse(drain(node).get(0));
    assertThat(gp.method()).isEqualTo(KrpcMethod.GET_PEERS);
    byte[] reply = withTx(fixture("get-peers-response-v" + v), gp.txAsInt());
    node.handleDatagram(ByteBuffer.wrap(reply), lt, 3_000_000);
    // the other nodes in libtorrent's reply are queried too; let them time out
    for (long t = 3_000_000; done.isEmpty() && t < 30_000_000_000L; t += 100_000_000) {
      node.handleTimeout(t);
      for (byte[] b : drain(node)) {
        KrpcMessage m = parse(b);
        if (m.method() == KrpcMethod.ANNOUNCE_PEER) {
          assertThat(m.tokenLen()).isEqualTo(4);
        }
      }
    }
    assertThat(done).hasSize(1);
    assertThat(done.get(0).announced()).isOne();
    assertThat(done.get(0).peers()).hasSize(1);
    assertThat(node.counters().badDatagrams()).isZero();
  }

  private static byte[] withTx(byte[] fixture, int tx) {
    byte[] b = fixture.clone();
    int i = indexOf(b, "1:t2:") + 5;
    b[i] = (byte) (tx >>> 8);
    b[i + 1] = (byte) tx;
    return b;
  }

  private static int indexOf(byte[] b, String s) {
    byte[] p = s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    outer:
    for (int i = 0; i + p.length <= b.length; i++) {
      for (int j = 0; j < p.length; j++) {
        if (b[i + j] != p[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new AssertionError("no " + s);
  }

  private static List<byte[]> drain(DhtNode node) {
    return Outbox.drain(node, 0);
  }
}
