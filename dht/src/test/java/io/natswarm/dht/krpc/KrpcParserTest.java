package io.natswarm.dht.krpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.net.InetAddresses;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class KrpcParserTest {
  private static final byte[] ID = "abcdefghij0123456789".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] HASH = "mnopqrstuvwxyz123456".getBytes(StandardCharsets.US_ASCII);
  private final KrpcParser parser = new KrpcParser();
  private final KrpcMessage msg = new KrpcMessage();
  private final ByteBuffer out = ByteBuffer.allocate(2048);

  private KrpcError parse(String s) {
    byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
    return parser.parse(b, 0, b.length, msg);
  }

  private KrpcError parseOut() {
    byte[] b = Arrays.copyOf(out.array(), out.position());
    return parser.parse(b, 0, b.length, msg);
  }

  private static String s(byte[] b, int off, int len) {
    return new String(b, off, len, StandardCharsets.ISO_8859_1);
  }

  @Test
  void bep5PingExampleParses() {
    assertThat(parse("d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe"))
        .isEqualTo(KrpcError.NONE);
    assertThat(msg.kind()).isEqualTo(KrpcKind.QUERY);
    assertThat(msg.method()).isEqualTo(KrpcMethod.PING);
    assertThat(s(msg.buf(), msg.txOff(), msg.txLen())).isEqualTo("aa");
    assertThat(s(msg.buf(), msg.idOff(), 20)).isEqualTo("abcdefghij0123456789");
  }

  @Test
  void announceWithImpliedPortAndNoPortIsAccepted() {
    assertThat(
            parse(
                "d1:ad2:id20:abcdefghij012345678912:implied_porti1e9:info_hash20:"
                    + "mnopqrstuvwxyz1234565:token4:\u0001\u0002\u0003\u0004e"
                    + "1:q13:announce_peer1:t2:aa1:y1:qe"))
        .isEqualTo(KrpcError.NONE);
    assertThat(msg.method()).isEqualTo(KrpcMethod.ANNOUNCE_PEER);
    assertThat(msg.impliedPort()).isTrue();
    assertThat(msg.port()).isEqualTo(-1);
    assertThat(msg.tokenLen()).isEqualTo(4);
  }

  @Test
  void announceWithoutPortOrTokenIsRejected() {
    assertThat(
            parse(
                "d1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz1234565:token1:x"
                    + "e1:q13:announce_peer1:t2:aa1:y1:qe"))
        .isEqualTo(KrpcError.BAD_PORT);
    assertThat(
            parse(
                "d1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz1234564:porti9ee"
                    + "1:q13:announce_peer1:t2:aa1:y1:qe"))
        .isEqualTo(KrpcError.BAD_TOKEN);
    assertThat(KrpcError.BAD_TOKEN.hasTransaction()).isTrue();
  }

  @Test
  void unknownMethodWithTargetIsFindNodeLikeAndWithoutIsUnknown() {
    assertThat(
            parse(
                "d1:ad2:id20:abcdefghij01234567896:target20:mnopqrstuvwxyz123456e"
                    + "1:q3:foo1:t2:aa1:y1:qe"))
        .isEqualTo(KrpcError.NONE);
    assertThat(msg.method()).isEqualTo(KrpcMethod.UNKNOWN);
    assertThat(msg.targetOff()).isPositive();
    assertThat(parse("d1:ad2:id20:abcdefghij0123456789e1:q3:foo1:t2:aa1:y1:qe"))
        .isEqualTo(KrpcError.UNKNOWN_METHOD);
  }

  @Test
  void errorMessageCarriesCode() {
    assertThat(parse("d1:eli203e14:Protocol Errore1:t2:aa1:y1:ee")).isEqualTo(KrpcError.NONE);
    assertThat(msg.kind()).isEqualTo(KrpcKind.ERROR);
    assertThat(msg.errorCode()).isEqualTo(203);
    assertThat(msg.errorMessage()).isEqualTo("Protocol Error");
  }

  @Test
  void badTypesAreTypedErrors() {
    assertThat(parse("le")).isEqualTo(KrpcError.NOT_A_DICT);
    assertThat(parse("d1:y1:qe")).isEqualTo(KrpcError.MISSING_TRANSACTION);
    assertThat(parse("d1:t2:aa1:y1:xe")).isEqualTo(KrpcError.BAD_TYPE);
    assertThat(parse("d1:ad2:id3:abce1:q4:ping1:t2:aa1:y1:qe")).isEqualTo(KrpcError.BAD_ID);
    assertThat(parse("d1:rd2:id20:abcdefghij01234567895:nodes3:abce1:t2:aa1:y1:re"))
        .isEqualTo(KrpcError.BAD_NODES);
    assertThat(parse("d2:ip3:abc1:t2:aa1:y1:re")).isEqualTo(KrpcError.BAD_IP);
    assertThat(parse("d1:t2:aa1:y1:q")).isEqualTo(KrpcError.BENCODE);
  }

  @Test
  void queryRoundTripsWithWantAndReadOnly() {
    KrpcWriter.beginQuery(out, ID);
    KrpcWriter.infoHash(out, HASH);
    KrpcWriter.want(out, KrpcMessage.WANT_N4 | KrpcMessage.WANT_N6);
    KrpcWriter.endQuery(out, KrpcMethod.GET_PEERS, true, 0x1234);
    assertThat(parseOut()).isEqualTo(KrpcError.NONE);
    assertThat(msg.method()).isEqualTo(KrpcMethod.GET_PEERS);
    assertThat(msg.txAsInt()).isEqualTo(0x1234);
    assertThat(msg.want()).isEqualTo(KrpcMessage.WANT_N4 | KrpcMessage.WANT_N6);
    assertThat(msg.readOnly()).isTrue();
    assertThat(s(msg.buf(), msg.infoHashOff(), 20)).isEqualTo(s(HASH, 0, 20));
  }

  @Test
  void responseRoundTripsWithIpNodesTokenValuesAndIpv6() throws Exception {
    InetSocketAddress requester =
        new InetSocketAddress(InetAddresses.forString("203.0.113.7"), 6881);
    KrpcWriter.beginResponse(out, requester, ID);
    KrpcWriter.nodesHeader(out, 1);
    out.put(HASH);
    KrpcWriter.writeCompact(
        out, new InetSocketAddress(InetAddresses.forString("198.51.100.1"), 1000));
    KrpcWriter.nodes6Header(out, 1);
    out.put(HASH);
    KrpcWriter.writeCompact(out, new InetSocketAddress(InetAddresses.forString("::1"), 2000));
    KrpcWriter.token(out, new byte[20], 0, 20);
    KrpcWriter.valuesBegin(out);
    KrpcWriter.value(out, new byte[] {1, 2, 3, 4, 0, 80}, 0, 6);
    KrpcWriter.value(out, new byte[18], 0, 18);
    KrpcWriter.end(out);
    KrpcWriter.endResponse(out, new byte[] {'x', 'y'}, 0, 2);
    assertThat(parseOut()).isEqualTo(KrpcError.NONE);
    assertThat(msg.kind()).isEqualTo(KrpcKind.RESPONSE);
    assertThat(msg.ipLen()).isEqualTo(6);
    assertThat(msg.buf()[msg.ipOff()] & 0xff).isEqualTo(203);
    assertThat(msg.nodesLen()).isEqualTo(26);
    assertThat(msg.nodes6Len()).isEqualTo(38);
    assertThat(msg.tokenLen()).isEqualTo(20);
    assertThat(msg.valueCount()).isEqualTo(2);
    assertThat(msg.valueLen(1)).isEqualTo(18);
  }

  @Test
  void writtenErrorParses() {
    KrpcWriter.error(
        out,
        203,
        "Protocol Error".getBytes(StandardCharsets.US_ASCII),
        new InetSocketAddress(InetAddresses.forString("127.0.0.1"), 5),
        new byte[] {'a', 'a'},
        0,
        2);
    assertThat(parseOut()).isEqualTo(KrpcError.NONE);
    assertThat(msg.errorCode()).isEqualTo(203);
    assertThat(msg.ipLen()).isEqualTo(6);
  }

  @Test
  void sampleInfohashesResponseFieldsAreRead() {
    KrpcWriter.beginResponse(out, null, ID);
    KrpcWriter.interval(out, 21600);
    KrpcWriter.num(out, 3);
    KrpcWriter.samplesHeader(out, 2);
    out.put(HASH).put(HASH);
    KrpcWriter.endResponse(out, new byte[] {'x', 'y'}, 0, 2);
    assertThat(parseOut()).isEqualTo(KrpcError.NONE);
    assertThat(msg.interval()).isEqualTo(21600);
    assertThat(msg.num()).isEqualTo(3);
    assertThat(msg.samplesLen()).isEqualTo(40);
  }
}
