package io.natswarm.holepunch.turn;

import static org.assertj.core.api.Assertions.assertThat;

import io.natswarm.holepunch.stun.TransactionId;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class TurnCodecTest {
  private static final TransactionId ID = new TransactionId(0x0102030405060708L, 0x090A0B0C);

  /**
   * RFC 5769 section 2.4, "Sample request with long-term authentication": a Binding request with
   * USERNAME, NONCE, REALM and MESSAGE-INTEGRITY. The username is "マトリックス" (U+30DE U+30C8 U+30EA
   * U+30C3 U+30AF U+30B9), the password "The<U+00AD>M<U+00AA>tr<U+2168>", "TheMatrIX" after
   * SASLprep (which the client does not implement: the test gives the prepared password).
   */
  private static final String RFC5769_LONG_TERM =
      "00010060 2112a442 78ad3433 c6ad72c0 29da412e"
          + " 00060012 e3839ee3 8388e383 aae38383 e382afe3 82b90000"
          + " 0015001c 662f2f34 39396b39 35346436 4f4c3334 6f4c3946 53547679 36347341"
          + " 0014000b 6578616d 706c652e 6f726700"
          + " 00080014 f6702465 6dd64a3e 02b8e071 2e85c9a2 8ca89666";

  private static InetSocketAddress at(String ip, int port) throws Exception {
    return new InetSocketAddress(InetAddress.getByName(ip), port);
  }

  private static ByteBuffer hex(String s) {
    return ByteBuffer.wrap(HexFormat.of().parseHex(s.replace(" ", "")));
  }

  private static Mac mac(String user, String realm, String password) throws Exception {
    byte[] key = TurnCodec.longTermKey(MessageDigest.getInstance("MD5"), user, realm, password);
    Mac mac = Mac.getInstance("HmacSHA1");
    mac.init(new SecretKeySpec(key, "HmacSHA1"));
    return mac;
  }

  private static ByteBuffer written(TurnMessage m, Mac mac) {
    ByteBuffer b = ByteBuffer.allocate(2048);
    int n = TurnCodec.write(b, m, mac);
    assertThat(n).isEqualTo(b.position());
    return b.flip();
  }

  @Test
  void rfc5769LongTermAuthenticationVectorVerifies() throws Exception {
    ByteBuffer b = hex(RFC5769_LONG_TERM);
    TurnParsed p = TurnCodec.parse(b);
    assertThat(p.error()).isNull();
    TurnMessage m = p.message();
    String user = "\u30DE\u30C8\u30EA\u30C3\u30AF\u30B9";
    assertThat(m.username()).isEqualTo(user);
    assertThat(m.realm()).isEqualTo("example.org");
    assertThat(m.nonce()).isEqualTo("f//499k954d6OL34oL9FSTvy64sA");
    assertThat(m.integrityAt()).isEqualTo(92); // 20 + USERNAME 24 + NONCE 32 + REALM 16
    assertThat(TurnCodec.verifyIntegrity(b, m, mac(user, "example.org", "TheMatrIX"))).isTrue();
    assertThat(TurnCodec.verifyIntegrity(b, m, mac(user, "example.org", "thematrix"))).isFalse();
    // the key is MD5("マトリックス:example.org:TheMatrIX") in UTF-8
    byte[] key =
        TurnCodec.longTermKey(MessageDigest.getInstance("MD5"), user, "example.org", "TheMatrIX");
    assertThat(key)
        .isEqualTo(
            MessageDigest.getInstance("MD5")
                .digest((user + ":example.org:TheMatrIX").getBytes(StandardCharsets.UTF_8)));
    // one changed byte before the attribute breaks it; the buffer was never moved
    b.put(30, (byte) (b.get(30) ^ 1));
    assertThat(
            TurnCodec.verifyIntegrity(
                b, TurnCodec.parse(b).message(), mac(user, "example.org", "TheMatrIX")))
        .isFalse();
    assertThat(b.position()).isZero();
  }

  @Test
  void integrityCountsTheLengthUpToItselfEvenWithAFingerprintAfter() throws Exception {
    Mac mac = mac("alice", "natswarm", "secret");
    TurnMessage m =
        TurnMessage.of(TurnMessage.ALLOCATE_REQUEST, ID)
            .withRequestedTransport(TurnMessage.UDP)
            .withCredentials("alice", "natswarm", "nonce-1");
    ByteBuffer b = ByteBuffer.allocate(256);
    TurnCodec.write(b, m, mac);
    int integrityEnd = b.position();
    assertThat(TurnCodec.appendFingerprint(b, 0)).isEqualTo(8);
    b.flip();
    assertThat(b.getShort(2) & 0xFFFF).isEqualTo(integrityEnd - 20 + 8);
    TurnParsed p = TurnCodec.parse(b);
    assertThat(p.error()).isNull();
    assertThat(p.message().integrityAt()).isEqualTo(integrityEnd - 24);
    assertThat(TurnCodec.verifyIntegrity(b, p.message(), mac)).isTrue();
    assertThat(TurnCodec.verifyIntegrity(b, p.message(), mac("alice", "natswarm", "wrong")))
        .isFalse();
    // a broken fingerprint is a typed error
    b.put(b.limit() - 1, (byte) (b.get(b.limit() - 1) ^ 1));
    assertThat(TurnCodec.parse(b).error()).isEqualTo(TurnError.BAD_FINGERPRINT);
  }

  @Test
  void everyMessageRoundTrips() throws Exception {
    Mac mac = mac("alice", "natswarm", "secret");
    InetSocketAddress v4 = at("198.51.100.7", 6881);
    InetSocketAddress v6 = at("2001:db8::7", 6882);
    InetSocketAddress relayed = at("203.0.113.1", 49152);
    InetSocketAddress mapped = at("192.0.2.10", 40000);
    ByteBuffer payload = ByteBuffer.wrap("µTP SYN or anything".getBytes(StandardCharsets.UTF_8));
    List<TurnMessage> messages =
        List.of(
            TurnMessage.of(TurnMessage.ALLOCATE_REQUEST, ID)
                .withRequestedTransport(TurnMessage.UDP),
            TurnMessage.of(TurnMessage.ALLOCATE_REQUEST, ID)
                .withRequestedTransport(TurnMessage.UDP)
                .withCredentials("alice", "natswarm", "n0nce"),
            TurnMessage.of(TurnMessage.ALLOCATE_ERROR, ID)
                .withError(401, "Unauthorized")
                .withCredentials(null, "natswarm", "n0nce"),
            TurnMessage.of(TurnMessage.ALLOCATE_SUCCESS, ID)
                .withRelayed(relayed)
                .withMapped(mapped)
                .withLifetime(600),
            TurnMessage.of(TurnMessage.ALLOCATE_SUCCESS, ID)
                .withRelayed(at("2001:db8::1", 49153))
                .withMapped(at("2001:db8::10", 40001))
                .withLifetime(3600),
            TurnMessage.of(TurnMessage.ALLOCATE_ERROR, ID).withError(486, "Allocation Quota"),
            TurnMessage.of(TurnMessage.REFRESH_REQUEST, ID)
                .withLifetime(0)
                .withCredentials("alice", "natswarm", "n0nce"),
            TurnMessage.of(TurnMessage.REFRESH_SUCCESS, ID).withLifetime(600),
            TurnMessage.of(TurnMessage.REFRESH_ERROR, ID)
                .withError(438, "Stale Nonce")
                .withCredentials(null, "natswarm", "n1nce"),
            TurnMessage.of(TurnMessage.CREATE_PERMISSION_REQUEST, ID)
                .withPeer(at("198.51.100.7", 0))
                .withCredentials("alice", "natswarm", "n0nce"),
            TurnMessage.of(TurnMessage.CREATE_PERMISSION_SUCCESS, ID),
            TurnMessage.of(TurnMessage.CREATE_PERMISSION_ERROR, ID).withError(403, "Forbidden IP"),
            TurnMessage.of(TurnMessage.CHANNEL_BIND_REQUEST, ID)
                .withChannel(0x4000)
                .withPeer(v6)
                .withCredentials("alice", "natswarm", "n0nce"),
            TurnMessage.of(TurnMessage.CHANNEL_BIND_SUCCESS, ID),
            TurnMessage.of(TurnMessage.CHANNEL_BIND_ERROR, ID).withError(400, "Bad Request"),
            TurnMessage.of(TurnMessage.SEND_INDICATION, ID).withPeer(v4).withData(payload),
            TurnMessage.of(TurnMessage.DATA_INDICATION, ID).withPeer(v6).withData(payload));
    for (TurnMessage m : messages) {
      for (Mac integrity : new Mac[] {null, mac}) {
        ByteBuffer b = written(m, integrity);
        TurnParsed p = TurnCodec.parse(b);
        assertThat(p.error()).as("%s", m).isNull();
        int integrityAt = integrity == null ? -1 : b.limit() - 24;
        assertThat(p.message()).as("%s", m).isEqualTo(m.withIntegrityAt(integrityAt));
        assertThat(TurnCodec.verifyIntegrity(b, p.message(), mac)).isEqualTo(integrity != null);
        assertThat(b.position()).isZero();
      }
    }
  }

  @Test
  void methodsAndClassesComeFromTheType() {
    TurnMessage error = TurnMessage.of(TurnMessage.CHANNEL_BIND_ERROR, ID);
    assertThat(error.method()).isEqualTo(0x009);
    assertThat(error.isError()).isTrue();
    assertThat(error.isResponse()).isTrue();
    assertThat(error.isSuccess()).isFalse();
    TurnMessage data = TurnMessage.of(TurnMessage.DATA_INDICATION, ID);
    assertThat(data.method()).isEqualTo(0x007);
    assertThat(data.isIndication()).isTrue();
    assertThat(data.isResponse()).isFalse();
    assertThat(TurnMessage.of(TurnMessage.REFRESH_SUCCESS, ID).isSuccess()).isTrue();
  }

  @Test
  void aSendIndicationIsWrappedInPlaceAroundTheDatagram() throws Exception {
    for (String ip : new String[] {"198.51.100.7", "2001:db8::7"}) {
      InetSocketAddress peer = at(ip, 6881);
      byte[] datagram = "hello, relayed world".getBytes(StandardCharsets.US_ASCII); // 20 bytes
      for (ByteBuffer b :
          new ByteBuffer[] {ByteBuffer.allocate(256), ByteBuffer.allocateDirect(256)}) {
        b.put(datagram);
        byte[] datagram3 = new byte[] {1, 2, 3};
        int n =
            TurnCodec.wrapSendIndication(
                b, datagram.length, 0x1122334455667788L, 42, peer.getAddress().getAddress(), 6881);
        int overhead = TurnCodec.sendIndicationOverhead(peer.getAddress().getAddress().length);
        assertThat(n).isEqualTo(overhead + 20);
        b.limit(n).position(0);
        TurnParsed p = TurnCodec.parse(b);
        assertThat(p.error()).isNull();
        assertThat(p.message())
            .isEqualTo(
                TurnMessage.of(
                        TurnMessage.SEND_INDICATION, new TransactionId(0x1122334455667788L, 42))
                    .withPeer(peer)
                    .withData(ByteBuffer.wrap(datagram)));
        // an odd length is padded with zeros
        b.clear();
        b.put(datagram3);
        n = TurnCodec.wrapSendIndication(b, 3, 1, 2, peer.getAddress().getAddress(), 1);
        assertThat(n).isEqualTo(overhead + 4);
        assertThat(b.get(n - 1)).isZero();
        b.limit(n).position(0);
        assertThat(TurnCodec.parse(b).message().data()).isEqualTo(ByteBuffer.wrap(datagram3));
      }
    }
  }

  @Test
  void wrappingThatWouldNotFitChangesNothing() {
    ByteBuffer b = ByteBuffer.allocate(40);
    b.put(new byte[30]).put(29, (byte) 7);
    assertThat(TurnCodec.wrapSendIndication(b, 30, 1, 2, new byte[] {1, 2, 3, 4}, 9)).isEqualTo(-1);
    assertThat(TurnCodec.wrapChannelData(b, 37, 0x4000)).isEqualTo(-1);
    assertThat(b.get(29)).isEqualTo((byte) 7);
    assertThat(b.get(0)).isZero();
  }

  @Test
  void channelDataFramingWithAndWithoutPadding() {
    ByteBuffer payload = ByteBuffer.wrap(new byte[] {9, 8, 7, 6, 5});
    ByteBuffer b = ByteBuffer.allocate(64);
    assertThat(TurnCodec.writeChannelData(b, 0x4001, payload, false)).isEqualTo(9);
    b.flip();
    assertThat(TurnCodec.checkChannelData(b)).isNull();
    assertThat(TurnCodec.channelNumber(b)).isEqualTo(0x4001);
    assertThat(TurnCodec.channelDataLength(b)).isEqualTo(5);
    // padded to 12 bytes (as over TCP, or a server that pads over UDP): accepted
    ByteBuffer padded = ByteBuffer.allocate(64);
    assertThat(TurnCodec.writeChannelData(padded, 0x4001, payload, true)).isEqualTo(12);
    padded.flip();
    assertThat(TurnCodec.checkChannelData(padded)).isNull();
    assertThat(TurnCodec.channelDataLength(padded)).isEqualTo(5);
    // in place: the header goes before the datagram
    ByteBuffer inPlace = ByteBuffer.allocate(64);
    inPlace.put(new byte[] {9, 8, 7, 6, 5});
    assertThat(TurnCodec.wrapChannelData(inPlace, 5, 0x4001)).isEqualTo(9);
    inPlace.limit(9).position(0);
    assertThat(inPlace).isEqualTo(b);
    // more than the padding after the data, a length past the end, a channel outside the range
    assertThat(TurnCodec.checkChannelData(hex("4001 0001 aa000000 00")))
        .isEqualTo(TurnError.BAD_CHANNEL_DATA_LENGTH);
    assertThat(TurnCodec.checkChannelData(hex("4001 0005 aabbcc")))
        .isEqualTo(TurnError.BAD_CHANNEL_DATA_LENGTH);
    assertThat(TurnCodec.checkChannelData(hex("5001 0000"))).isEqualTo(TurnError.NOT_CHANNEL_DATA);
    assertThat(TurnCodec.checkChannelData(hex("4001 00"))).isEqualTo(TurnError.TOO_SHORT);
    assertThat(TurnCodec.checkChannelData(hex("4000 0000"))).isNull();
  }

  @Test
  void badBytesGetTypedErrorsNeverExceptions() {
    String header = "0113 %04x 2112a442 01020304 05060708 090a0b0c";
    assertThat(TurnCodec.parse(hex("0001 0000 2112a442 0000")).error())
        .isEqualTo(TurnError.TOO_SHORT);
    assertThat(TurnCodec.parse(hex("4001 0000 2112a442 00000000 00000000 00000000")).error())
        .isEqualTo(TurnError.NOT_STUN);
    assertThat(TurnCodec.parse(hex("0003 0000 12345678 00000000 00000000 00000000")).error())
        .isEqualTo(TurnError.NOT_STUN);
    // a length past the datagram, and one that is not a multiple of 4
    assertThat(TurnCodec.parse(hex(String.format(header, 0xfffc))).error())
        .isEqualTo(TurnError.BAD_LENGTH);
    assertThat(TurnCodec.parse(hex(String.format(header, 2) + "0000")).error())
        .isEqualTo(TurnError.BAD_LENGTH);
    // an attribute that runs past the end
    assertThat(TurnCodec.parse(hex(String.format(header, 8) + "000d 0008 00000258")).error())
        .isEqualTo(TurnError.TRUNCATED_ATTRIBUTE);
    // LIFETIME of 2 bytes, CHANNEL-NUMBER outside the range, an address of family 3
    assertThat(TurnCodec.parse(hex(String.format(header, 8) + "000d 0002 0258 0000")).error())
        .isEqualTo(TurnError.BAD_SIZE);
    assertThat(TurnCodec.parse(hex(String.format(header, 8) + "000c 0004 3fff 0000")).error())
        .isEqualTo(TurnError.BAD_CHANNEL);
    assertThat(
            TurnCodec.parse(hex(String.format(header, 12) + "0016 0008 0003 1234 01020304"))
                .error())
        .isEqualTo(TurnError.BAD_ADDRESS);
    // ERROR-CODE of class 7, of 2 bytes; a REALM that is not UTF-8
    assertThat(TurnCodec.parse(hex(String.format(header, 8) + "0009 0004 0000 0701")).error())
        .isEqualTo(TurnError.BAD_ERROR_CODE);
    assertThat(TurnCodec.parse(hex(String.format(header, 8) + "0009 0002 0000 0000")).error())
        .isEqualTo(TurnError.BAD_ERROR_CODE);
    assertThat(TurnCodec.parse(hex(String.format(header, 8) + "0014 0002 c328 0000")).error())
        .isEqualTo(TurnError.BAD_TEXT);
    // MESSAGE-INTEGRITY of 4 bytes
    assertThat(TurnCodec.parse(hex(String.format(header, 8) + "0008 0004 00000000")).error())
        .isEqualTo(TurnError.BAD_INTEGRITY);
    // unknown attributes are skipped; what follows MESSAGE-INTEGRITY is ignored
    TurnParsed p =
        TurnCodec.parse(
            hex(
                String.format(header, 40)
                    + "8022 0003 61626300"
                    + "0008 0014 00000000 00000000 00000000 00000000 00000000"
                    + "000d 0004 00000258"));
    assertThat(p.error()).isNull();
    assertThat(p.message().lifetime()).isEqualTo(-1);
    assertThat(p.message().integrityAt()).isEqualTo(28);
    // the first of a repeated attribute counts
    p = TurnCodec.parse(hex(String.format(header, 16) + "000d 0004 00000258 000d 0004 00000001"));
    assertThat(p.message().lifetime()).isEqualTo(600);
  }

  @Test
  void anErrorResponseCarriesItsCodeAndReason() {
    TurnParsed p =
        TurnCodec.parse(
            hex(
                "0113 0018 2112a442 01020304 05060708 090a0b0c"
                    + " 0009 0010 0000 0401 556e6175 74686f72 697a6564"
                    + " 0000 0000"));
    assertThat(p.error()).isNull();
    assertThat(p.message().errorCode()).isEqualTo(401);
    assertThat(p.message().reason()).isEqualTo("Unauthorized");
    assertThat(p.message().isError()).isTrue();
    assertThat(p.message().method()).isEqualTo(3);
  }
}
