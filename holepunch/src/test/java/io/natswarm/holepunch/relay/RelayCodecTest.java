package io.natswarm.holepunch.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class RelayCodecTest {
  static final InetSocketAddress V4 = at("192.0.2.7", 6881);
  static final InetSocketAddress V6 = at("2001:db8::1:2", 51413);
  static final byte[] KEY = filled(32, 0x11);
  static final byte[] PEER_ID = filled(20, 0x22);

  static InetSocketAddress at(String ip, int port) {
    try {
      return new InetSocketAddress(InetAddress.getByName(ip), port);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static byte[] filled(int n, int b) {
    byte[] a = new byte[n];
    Arrays.fill(a, (byte) b);
    return a;
  }

  static byte[] hex(String s) {
    return HexFormat.of().parseHex(s.replace(" ", ""));
  }

  /** One valid message of each type and family, with extreme circuit ids and values. */
  static List<RelayMessage> samples() {
    byte[] full = new byte[RelayCodec.MAX_DATA];
    new Random(1).nextBytes(full);
    return List.of(
        RelayMessage.connect(1, KEY, V4),
        RelayMessage.connect(0xFFFFFFFF, KEY, V6),
        RelayMessage.incoming(0x80000000, KEY, PEER_ID, V4),
        RelayMessage.incoming(0, KEY, PEER_ID, V6),
        RelayMessage.accept(42, KEY, PEER_ID),
        RelayMessage.refuse(7, RelayReason.NOT_CONNECTED),
        new RelayMessage(RelayMessageType.REFUSE, 7, null, null, null, 255, null),
        RelayMessage.data(3, ByteBuffer.wrap(new byte[] {9})),
        RelayMessage.data(3, ByteBuffer.wrap(full)),
        RelayMessage.window(5, 1),
        RelayMessage.window(5, Integer.MAX_VALUE),
        RelayMessage.close(6, RelayReason.NORMAL),
        RelayMessage.close(6, RelayReason.PROTOCOL));
  }

  static Stream<RelayMessage> sampleStream() {
    return samples().stream();
  }

  private static byte[] encode(RelayMessage m) {
    ByteBuffer b = ByteBuffer.allocate(RelayCodec.MAX_ENCODED_LENGTH + 10);
    b.order(ByteOrder.LITTLE_ENDIAN); // the codec is big-endian whatever the buffer's order
    b.position(3);
    int n = RelayCodec.encode(m, b);
    assertThat(b.position()).isEqualTo(3 + n);
    assertThat(n).isEqualTo(m.encodedLength());
    byte[] bytes = Arrays.copyOfRange(b.array(), 3, 3 + n);
    assertThat(RelayCodec.encode(m)).isEqualTo(bytes);
    return bytes;
  }

  @Test
  void theExtensionIsNamedNsRelayAndAFullDataMessageIsTheLongest() {
    assertThat(RelayCodec.EXTENSION_NAME).isEqualTo("ns_relay");
    assertThat(RelayCodec.MAX_DATA).isEqualTo(16384 + 16);
    assertThat(RelayCodec.MAX_ENCODED_LENGTH).isEqualTo(1 + 4 + 16400);
    assertThat(samples().stream().mapToInt(RelayMessage::encodedLength).max().orElseThrow())
        .isEqualTo(RelayCodec.MAX_ENCODED_LENGTH);
  }

  @Test
  void messagesAreLaidOutBigEndianAsSpecified() {
    String key = "11".repeat(32);
    String id = "22".repeat(20);
    assertThat(encode(RelayMessage.connect(0x01020304, KEY, V4)))
        .isEqualTo(hex("01 01020304" + key + "04 c0000207 1ae1"));
    assertThat(encode(RelayMessage.incoming(0x80000001, KEY, PEER_ID, V6)))
        .isEqualTo(hex("02 80000001" + key + id + "06 20010db8000000000000000000010002 c8d5"));
    assertThat(encode(RelayMessage.accept(2, KEY, PEER_ID)))
        .isEqualTo(hex("03 00000002" + key + id));
    assertThat(encode(RelayMessage.refuse(3, RelayReason.NO_SUPPORT)))
        .isEqualTo(hex("04 00000003 02"));
    assertThat(encode(RelayMessage.data(4, ByteBuffer.wrap(hex("abcdef")))))
        .isEqualTo(hex("05 00000004 abcdef"));
    assertThat(encode(RelayMessage.window(5, 0x00040000))).isEqualTo(hex("06 00000005 00040000"));
    assertThat(encode(RelayMessage.close(6, RelayReason.PEER_GONE)))
        .isEqualTo(hex("07 00000006 09"));
  }

  @ParameterizedTest
  @MethodSource("sampleStream")
  void everyTypeAndFamilyRoundTrips(RelayMessage m) {
    byte[] bytes = encode(m);
    RelayParsed p = RelayCodec.parse(bytes);
    assertThat(p.problem()).isNull();
    assertThat(p.ok()).isTrue();
    assertThat(p.message()).isEqualTo(m).hasSameHashCodeAs(m);
    assertThat(p.message().toString()).startsWith("RelayMessage[" + m.type());
  }

  @ParameterizedTest
  @MethodSource("sampleStream")
  void parsingReadsFromThePositionToTheLimitWithoutMovingEither(RelayMessage m) {
    byte[] bytes = encode(m);
    byte[] array = new byte[bytes.length + 7];
    Arrays.fill(array, (byte) 0x7F); // bytes outside the payload
    System.arraycopy(bytes, 0, array, 4, bytes.length);
    ByteBuffer b = ByteBuffer.wrap(array, 4, bytes.length).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(RelayCodec.parse(b).message()).isEqualTo(m);
    assertThat(b.position()).isEqualTo(4);
    assertThat(b.limit()).isEqualTo(4 + bytes.length);
  }

  @ParameterizedTest
  @MethodSource("sampleStream")
  void everyTruncationOfAValidMessageIsAProblemOrAShorterDataMessage(RelayMessage m) {
    byte[] bytes = encode(m);
    for (int n = 0; n < bytes.length; n++) {
      RelayParsed p = RelayCodec.parse(Arrays.copyOf(bytes, n));
      if (m.type() == RelayMessageType.DATA && n > RelayCodec.HEADER) {
        assertThat(p.message().data().remaining()).isEqualTo(n - RelayCodec.HEADER);
      } else {
        assertThat(p.ok()).as("prefix of %s bytes", n).isFalse();
        assertThat(p.problem()).isNotNull();
      }
    }
  }

  @Test
  void eachProblemIsTyped() {
    String key = "11".repeat(32);
    String id = "22".repeat(20);
    assertThat(problem("")).isEqualTo(RelayProblem.EMPTY);
    assertThat(problem("00 00000001")).isEqualTo(RelayProblem.UNKNOWN_TYPE);
    assertThat(problem("08 00000001 00")).isEqualTo(RelayProblem.UNKNOWN_TYPE);
    assertThat(problem("ff")).isEqualTo(RelayProblem.UNKNOWN_TYPE);
    assertThat(problem("07 000000")).isEqualTo(RelayProblem.TRUNCATED);
    assertThat(problem("07 00000001")).isEqualTo(RelayProblem.TRUNCATED);
    assertThat(problem("01 00000001" + key)).isEqualTo(RelayProblem.TRUNCATED);
    assertThat(problem("01 00000001" + key + "04 c0000207 1a")).isEqualTo(RelayProblem.TRUNCATED);
    assertThat(problem("02 00000001" + key + id + "06 20010db8")).isEqualTo(RelayProblem.TRUNCATED);
    assertThat(problem("06 00000001 000001")).isEqualTo(RelayProblem.TRUNCATED);
    assertThat(problem("07 00000001 0a 00")).isEqualTo(RelayProblem.TRAILING_BYTES);
    assertThat(problem("04 00000001 0a 00")).isEqualTo(RelayProblem.TRAILING_BYTES);
    assertThat(problem("06 00000001 00000001 00")).isEqualTo(RelayProblem.TRAILING_BYTES);
    assertThat(problem("03 00000001" + key + id + "00")).isEqualTo(RelayProblem.TRAILING_BYTES);
    assertThat(problem("01 00000001" + key + "04 c0000207 1ae1 00"))
        .isEqualTo(RelayProblem.TRAILING_BYTES);
    assertThat(problem("01 00000001" + key + "05 c0000207 1ae1"))
        .isEqualTo(RelayProblem.BAD_FAMILY);
    assertThat(problem("02 00000001" + key + id + "00 c0000207 1ae1"))
        .isEqualTo(RelayProblem.BAD_FAMILY);
    assertThat(problem("01 00000001" + key + "04 c0000207 0000")).isEqualTo(RelayProblem.ZERO_PORT);
    assertThat(problem("02 00000001" + key + id + "06 20010db8000000000000000000010002 0000"))
        .isEqualTo(RelayProblem.ZERO_PORT);
    assertThat(problem("05 00000001")).isEqualTo(RelayProblem.EMPTY_DATA);
    byte[] tooLong = new byte[RelayCodec.MAX_ENCODED_LENGTH + 1];
    tooLong[0] = 5;
    assertThat(RelayCodec.parse(tooLong).problem()).isEqualTo(RelayProblem.DATA_TOO_LONG);
    assertThat(problem("06 00000001 00000000")).isEqualTo(RelayProblem.BAD_CREDIT);
    assertThat(problem("06 00000001 80000000")).isEqualTo(RelayProblem.BAD_CREDIT);
    assertThat(problem("06 00000001 ffffffff")).isEqualTo(RelayProblem.BAD_CREDIT);
  }

  private static RelayProblem problem(String hex) {
    RelayParsed p = RelayCodec.parse(hex(hex));
    assertThat(p.ok()).isFalse();
    assertThat(p.message()).isNull();
    return p.problem();
  }

  @Test
  void anIpv4MappedIpv6AddressReadsAndWritesAsTheIpv4Address() throws Exception {
    String key = "11".repeat(32);
    RelayParsed p =
        RelayCodec.parse(hex("01 00000001" + key + "06 00000000000000000000ffffc0000207 1ae1"));
    assertThat(p.message().endpoint()).isEqualTo(V4);
    assertThat(p.message().endpoint().getAddress()).isInstanceOf(Inet4Address.class);
    assertThat(RelayCodec.encode(p.message()))
        .isEqualTo(hex("01 00000001" + key + "04 c0000207 1ae1"));

    // a mapped address the JDK keeps as an Inet6Address is made the IPv4 address too
    byte[] mapped = hex("00000000000000000000ffffc0000207");
    Inet6Address v6 = Inet6Address.getByAddress(null, mapped, -1);
    RelayMessage m = RelayMessage.connect(1, KEY, new InetSocketAddress(v6, 6881));
    assertThat(m.endpoint()).isEqualTo(V4);
    assertThat(RelayCodec.encode(m)).isEqualTo(hex("01 00000001" + key + "04 c0000207 1ae1"));
  }

  @Test
  void aReasonByteNsRelayDoesNotDefineParsesAsUnknownKeepingTheRawByte() {
    RelayMessage m = RelayCodec.parse(hex("07 00000001 c8")).message();
    assertThat(m.reason()).isEqualTo(RelayReason.UNKNOWN);
    assertThat(m.code()).isEqualTo(200);
    assertThat(RelayCodec.encode(m)).isEqualTo(hex("07 00000001 c8"));
    assertThat(RelayCodec.parse(hex("04 00000001 00")).message().reason())
        .isEqualTo(RelayReason.UNKNOWN);
    for (RelayReason r : RelayReason.values()) {
      assertThat(RelayReason.of(r.code())).isEqualTo(r);
    }
    assertThat(RelayReason.of(13)).isEqualTo(RelayReason.UNKNOWN);
    assertThat(RelayReason.of(-1)).isEqualTo(RelayReason.UNKNOWN);
  }

  @Test
  void dataParsesAsAReadOnlyViewOfThePayloadAndReadingItMovesNothingTheMessageHolds() {
    byte[] payload = hex("05 00000009 010203");
    RelayMessage m = RelayCodec.parse(payload).message();
    ByteBuffer d = m.data();
    assertThat(d.isReadOnly()).isTrue();
    assertThat(d.get()).isEqualTo((byte) 1);
    assertThat(m.data().remaining()).isEqualTo(3);
    payload[5] = 7; // a view, documented: the payload's bytes are the message's
    assertThat(m.data().get(0)).isEqualTo((byte) 7);
    assertThat(m).isEqualTo(RelayMessage.data(9, ByteBuffer.wrap(hex("070203"))));
  }

  @Test
  void encodeIntoTooSmallABufferThrowsAndWritesNothing() {
    RelayMessage m = RelayMessage.accept(1, KEY, PEER_ID);
    ByteBuffer b = ByteBuffer.allocate(m.encodedLength() - 1);
    assertThatThrownBy(() -> RelayCodec.encode(m, b)).isInstanceOf(BufferOverflowException.class);
    assertThat(b.position()).isZero();
    assertThat(b.array()).containsOnly(0);
  }

  @Test
  void messagesAreEqualByContentNotByArrayIdentity() {
    RelayMessage a = RelayMessage.accept(1, KEY.clone(), PEER_ID.clone());
    assertThat(a).isEqualTo(RelayMessage.accept(1, KEY.clone(), PEER_ID.clone()));
    assertThat(a.hashCode()).isEqualTo(RelayMessage.accept(1, KEY, PEER_ID).hashCode());
    assertThat(a).isNotEqualTo(RelayMessage.accept(1, KEY, filled(20, 0x23)));
    assertThat(a).isNotEqualTo(RelayMessage.accept(2, KEY, PEER_ID));
    assertThat(RelayMessage.data(1, ByteBuffer.wrap(hex("01"))))
        .isNotEqualTo(RelayMessage.data(1, ByteBuffer.wrap(hex("02"))));
  }

  @Test
  void factoriesAndTheConstructorRefuseWhatTheWireCannotCarry() {
    assertThatThrownBy(() -> RelayMessage.refuse(1, RelayReason.UNKNOWN))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RelayMessage.close(1, RelayReason.UNKNOWN))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RelayMessage.window(1, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RelayMessage.data(1, ByteBuffer.allocate(0)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RelayMessage.data(1, ByteBuffer.allocate(RelayCodec.MAX_DATA + 1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RelayMessage.connect(1, new byte[31], V4))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RelayMessage.accept(1, KEY, new byte[19]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RelayMessage.connect(1, KEY, at("192.0.2.1", 0)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RelayMessage(RelayMessageType.CLOSE, 1, KEY, null, null, 10, null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> new RelayMessage(RelayMessageType.REFUSE, 1, null, null, null, 256, null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void factoriesCopyTheirArrays() {
    byte[] key = KEY.clone();
    RelayMessage m = RelayMessage.connect(1, key, V4);
    key[0] = 0;
    assertThat(m.key()).isEqualTo(KEY);
  }

  @Test
  void typeCodesAreOneToSeven() {
    for (RelayMessageType t : RelayMessageType.values()) {
      assertThat(RelayMessageType.ofCode(t.code())).isEqualTo(t);
      assertThat(t.code()).isBetween(1, 7);
    }
    assertThat(RelayMessageType.ofCode(0)).isNull();
    assertThat(RelayMessageType.ofCode(8)).isNull();
  }

  @Test
  void randomBytesNeverThrow() {
    Random random = new Random(7);
    for (int k = 0; k < 20_000; k++) {
      byte[] b = new byte[random.nextInt(90)];
      random.nextBytes(b);
      if (b.length > 0 && random.nextBoolean()) {
        b[0] = (byte) (1 + random.nextInt(7));
      }
      RelayParsed p = RelayCodec.parse(b);
      assertThat(p.ok()).isEqualTo(p.problem() == null);
      if (p.ok()) {
        assertThat(RelayCodec.parse(RelayCodec.encode(p.message())).message())
            .isEqualTo(p.message());
      }
    }
  }
}
