package io.natswarm.holepunch.punch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class HolepunchCodecTest {
  private static final InetSocketAddress V4 = at("192.0.2.7", 6881);
  private static final InetSocketAddress V6 = at("2001:db8::1:2", 51413);

  private static InetSocketAddress at(String ip, int port) {
    try {
      return new InetSocketAddress(InetAddress.getByName(ip), port);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static byte[] hex(String s) {
    return HexFormat.of().parseHex(s.replace(" ", ""));
  }

  private static byte[] encode(HolepunchMessage m) {
    ByteBuffer b = ByteBuffer.allocate(40);
    b.position(3); // not at the start: encode writes from the position
    int n = HolepunchCodec.encode(m, b);
    assertThat(b.position()).isEqualTo(3 + n);
    assertThat(n).isEqualTo(m.encodedLength());
    return Arrays.copyOfRange(b.array(), 3, 3 + n);
  }

  @Test
  void theExtensionIsNamedUtHolepunch() {
    assertThat(HolepunchCodec.EXTENSION_NAME).isEqualTo("ut_holepunch");
  }

  @Test
  void ipv4MessagesAreTwelveBytesBigEndianWithTheErrorCodeOnlyInErrors() {
    assertThat(encode(HolepunchMessage.rendezvous(V4)))
        .isEqualTo(hex("00 00 c0000207 1ae1 00000000"));
    assertThat(encode(HolepunchMessage.connect(V4))).isEqualTo(hex("01 00 c0000207 1ae1 00000000"));
    assertThat(encode(HolepunchMessage.error(V4, HolepunchError.NO_SUPPORT)))
        .isEqualTo(hex("02 00 c0000207 1ae1 00000003"));
  }

  @Test
  void ipv6MessagesAreTwentyFourBytes() {
    assertThat(encode(HolepunchMessage.connect(V6)))
        .isEqualTo(hex("01 01 20010db8000000000000000000010002 c8d5 00000000"));
    assertThat(encode(HolepunchMessage.error(V6, HolepunchError.NO_SELF)))
        .isEqualTo(hex("02 01 20010db8000000000000000000010002 c8d5 00000004"));
  }

  @Test
  void everyTypeRoundTripsInBothFamilies() {
    for (InetSocketAddress ep : new InetSocketAddress[] {V4, V6, at("255.255.255.255", 65535)}) {
      for (HolepunchMessage m :
          new HolepunchMessage[] {
            HolepunchMessage.rendezvous(ep),
            HolepunchMessage.connect(ep),
            HolepunchMessage.error(ep, HolepunchError.NO_SUCH_PEER),
            HolepunchMessage.error(ep, HolepunchError.NOT_CONNECTED),
            new HolepunchMessage(MessageType.ERROR, ep, 0xFFFFFFFF)
          }) {
        HolepunchParsed p = HolepunchCodec.parse(encode(m));
        assertThat(p.problem()).as("%s", m).isNull();
        assertThat(p.message()).isEqualTo(m);
        assertThat(p.message().isIpv6()).isEqualTo(ep.equals(V6));
      }
    }
  }

  @Test
  void libtorrentsShortFormsWithoutTheErrorCodeAreAccepted() {
    // libtorrent 2.0.8's write_holepunch_msg: no err_code unless the message is an error
    HolepunchParsed v4 = HolepunchCodec.parse(hex("00 00 c0000207 1ae1"));
    assertThat(v4.message()).isEqualTo(HolepunchMessage.rendezvous(V4));
    HolepunchParsed v6 = HolepunchCodec.parse(hex("01 01 20010db8000000000000000000010002 c8d5"));
    assertThat(v6.message()).isEqualTo(HolepunchMessage.connect(V6));
  }

  @Test
  void bytesAfterTheFullFormAreIgnored() {
    HolepunchParsed p = HolepunchCodec.parse(hex("02 00 c0000207 1ae1 00000002 ffff ee"));
    assertThat(p.message()).isEqualTo(HolepunchMessage.error(V4, HolepunchError.NOT_CONNECTED));
  }

  @Test
  void aNonZeroErrorCodeInAConnectIsNotKept() {
    // BEP 55: 0 in non-error messages; we send 0 and read past anything else
    HolepunchParsed p = HolepunchCodec.parse(hex("01 00 c0000207 1ae1 00000003"));
    assertThat(p.message()).isEqualTo(HolepunchMessage.connect(V4));
    assertThat(p.message().error()).isNull();
  }

  @Test
  void anUndefinedErrorCodeIsStillAnErrorMessageWithItsRawCode() {
    HolepunchParsed p = HolepunchCodec.parse(hex("02 00 c0000207 1ae1 80000009"));
    assertThat(p.message().errorCode()).isEqualTo(0x80000009);
    assertThat(p.message().error()).isEqualTo(HolepunchError.UNKNOWN);
  }

  @Test
  void portZeroAndUselessAddressesParseForTheRelayToAnswer() {
    assertThat(HolepunchCodec.parse(hex("00 00 c0000207 0000")).message().endpoint().getPort())
        .isZero();
    assertThat(HolepunchCodec.parse(hex("00 00 e0000001 1ae1")).message().endpoint())
        .isEqualTo(at("224.0.0.1", 6881));
  }

  @Test
  void anIpv4MappedIpv6AddressReadsAsTheIpv4Address() {
    HolepunchParsed p = HolepunchCodec.parse(hex("01 01 00000000000000000000ffffc0000207 1ae1"));
    assertThat(p.message().endpoint()).isEqualTo(V4);
    assertThat(p.message().endpoint().getAddress()).isInstanceOf(Inet4Address.class);
  }

  @Test
  void parseReadsBetweenPositionAndLimitWithoutMovingThem() {
    ByteBuffer b = ByteBuffer.wrap(hex("ffff 01 00 c0000207 1ae1 00000000 ff"));
    b.position(2).limit(14);
    HolepunchParsed p = HolepunchCodec.parse(b);
    assertThat(p.message()).isEqualTo(HolepunchMessage.connect(V4));
    assertThat(b.position()).isEqualTo(2);
    assertThat(b.limit()).isEqualTo(14);
  }

  static Stream<Arguments> refused() {
    return Stream.of(
        Arguments.of("", HolepunchProblem.TOO_SHORT),
        Arguments.of("00", HolepunchProblem.TOO_SHORT),
        Arguments.of("00 00 c0000207 1a", HolepunchProblem.TOO_SHORT),
        Arguments.of("01 01 20010db8000000000000000000010002 c8", HolepunchProblem.TOO_SHORT),
        Arguments.of("03 00 c0000207 1ae1 00000000", HolepunchProblem.UNKNOWN_TYPE),
        Arguments.of("ff 00", HolepunchProblem.UNKNOWN_TYPE),
        Arguments.of("00 02 c0000207 1ae1 00000000", HolepunchProblem.UNKNOWN_ADDRESS_TYPE),
        Arguments.of("01 04 c0000207 1ae1 00000000", HolepunchProblem.UNKNOWN_ADDRESS_TYPE),
        Arguments.of("02 00 c0000207 1ae1", HolepunchProblem.MISSING_ERROR_CODE),
        Arguments.of("02 00 c0000207 1ae1 000000", HolepunchProblem.MISSING_ERROR_CODE),
        Arguments.of(
            "02 01 20010db8000000000000000000010002 c8d5", HolepunchProblem.MISSING_ERROR_CODE),
        Arguments.of("00 00 c0000207 1ae1 00", HolepunchProblem.TRUNCATED_ERROR_CODE),
        Arguments.of("01 00 c0000207 1ae1 000000", HolepunchProblem.TRUNCATED_ERROR_CODE));
  }

  @ParameterizedTest
  @MethodSource("refused")
  void malformedPayloadsAreTypedProblems(String payload, HolepunchProblem expected) {
    HolepunchParsed p = HolepunchCodec.parse(hex(payload));
    assertThat(p.ok()).isFalse();
    assertThat(p.message()).isNull();
    assertThat(p.problem()).isEqualTo(expected);
  }

  @Test
  void everyProblemIsReachable() {
    Set<HolepunchProblem> seen = EnumSet.noneOf(HolepunchProblem.class);
    refused().forEach(a -> seen.add(HolepunchCodec.parse(hex((String) a.get()[0])).problem()));
    assertThat(seen).isEqualTo(EnumSet.allOf(HolepunchProblem.class));
  }

  @Test
  void encodeIntoTooSmallABufferWritesNothing() {
    ByteBuffer b = ByteBuffer.allocate(23);
    assertThatThrownBy(() -> HolepunchCodec.encode(HolepunchMessage.connect(V6), b))
        .isInstanceOf(BufferOverflowException.class);
    assertThat(b.position()).isZero();
  }

  @Test
  void messagesRefuseWhatTheWireCannotSay() {
    assertThatThrownBy(() -> new HolepunchMessage(MessageType.CONNECT, V4, 2))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> HolepunchMessage.rendezvous(InetSocketAddress.createUnresolved("peer", 1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> HolepunchMessage.error(V4, HolepunchError.UNKNOWN))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void errorCodesAreBep55sWithAnExplanationEach() {
    for (HolepunchError e : HolepunchError.values()) {
      assertThat(HolepunchError.ofCode(e.code())).isEqualTo(e);
      assertThat(e.explanation()).isNotBlank();
    }
    assertThat(HolepunchError.NO_SUCH_PEER.code()).isEqualTo(1);
    assertThat(HolepunchError.NOT_CONNECTED.code()).isEqualTo(2);
    assertThat(HolepunchError.NO_SUPPORT.code()).isEqualTo(3);
    assertThat(HolepunchError.NO_SELF.code()).isEqualTo(4);
    assertThat(HolepunchError.ofCode(0)).isEqualTo(HolepunchError.UNKNOWN);
    assertThat(Arrays.stream(HolepunchError.values()).map(HolepunchError::explanation).distinct())
        .hasSize(HolepunchError.values().length);
  }
}
