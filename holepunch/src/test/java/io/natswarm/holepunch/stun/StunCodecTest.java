package io.natswarm.holepunch.stun;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

class StunCodecTest {
  private static final TransactionId ID = new TransactionId(0x0102030405060708L, 0x090A0B0C);

  private static InetSocketAddress at(String ip, int port) throws Exception {
    return new InetSocketAddress(InetAddress.getAllByName(ip)[0], port);
  }

  private static ByteBuffer hex(String s) {
    return ByteBuffer.wrap(HexFormat.of().parseHex(s.replace(" ", "")));
  }

  @Test
  void rfc5769SampleResponseXorMappedAddress() {
    // RFC 5769 section 2.2 without its MESSAGE-INTEGRITY and FINGERPRINT (length 0x1c)
    ByteBuffer b =
        hex(
            "0101 001c 2112a442 b7e7a701 bc34d686 fa87dfae"
                + " 8022 000b 74657374 20766563 746f7220"
                + " 0020 0008 0001 a147 e112a643");
    StunParsed p = StunCodec.parse(b);
    assertThat(p.error()).isNull();
    assertThat(p.message().isSuccess()).isTrue();
    assertThat(p.message().mapped()).isEqualTo(new InetSocketAddress("192.0.2.1", 32853));
    assertThat(b.position()).isZero();
  }

  @Test
  void aBindingRequestCarriesChangeRequestAndAValidFingerprint() {
    ByteBuffer b = ByteBuffer.allocate(64);
    int n = StunCodec.writeBindingRequest(b, ID, true, true);
    assertThat(n).isEqualTo(36);
    b.flip();
    assertThat(b.getShort(0)).isEqualTo((short) 0x0001);
    assertThat(b.getShort(2)).isEqualTo((short) 16);
    assertThat(b.getInt(20)).isEqualTo(0x00030004); // CHANGE-REQUEST, 4 bytes
    assertThat(b.getInt(24)).isEqualTo(0x06); // change IP and port
    CRC32 crc = new CRC32();
    crc.update(b.array(), 0, 28);
    assertThat(b.getInt(32)).isEqualTo((int) crc.getValue() ^ 0x5354554E);
    StunParsed p = StunCodec.parse(b);
    assertThat(p.ok()).isTrue();
    assertThat(p.message().transactionId()).isEqualTo(ID);
    assertThat(p.message().type()).isEqualTo(StunMessage.BINDING_REQUEST);
  }

  @Test
  void aSuccessResponseRoundTripsForBothFamilies() throws Exception {
    for (String[] ips :
        new String[][] {{"203.0.113.9", "198.51.100.2"}, {"2001:db8::9", "2001:db8::2"}}) {
      ByteBuffer b = ByteBuffer.allocate(128);
      InetSocketAddress mapped = at(ips[0], 40000);
      InetSocketAddress other = at(ips[1], 3479);
      InetSocketAddress origin = at(ips[1], 3478);
      StunCodec.writeBindingSuccess(b, ID, mapped, other, origin);
      b.flip();
      StunParsed p = StunCodec.parse(b);
      assertThat(p.error()).as(ips[0]).isNull();
      assertThat(p.message())
          .isEqualTo(new StunMessage(StunMessage.BINDING_SUCCESS, ID, mapped, other, origin, 0));
    }
  }

  @Test
  void badBytesGetTypedErrors() {
    assertThat(StunCodec.parse(hex("0001 0000 2112a442 0000")).error())
        .isEqualTo(StunError.TOO_SHORT);
    assertThat(StunCodec.parse(hex("c001 0000 2112a442 00000000 00000000 00000000")).error())
        .isEqualTo(StunError.NOT_STUN);
    assertThat(StunCodec.parse(hex("0001 0000 12345678 00000000 00000000 00000000")).error())
        .isEqualTo(StunError.NOT_STUN);
    assertThat(StunCodec.parse(hex("0101 0004 2112a442 00000000 00000000 00000000")).error())
        .as("the header claims 4 more bytes than the datagram has")
        .isEqualTo(StunError.BAD_LENGTH);
    assertThat(
            StunCodec.parse(hex("0101 0004 2112a442 00000000 00000000 00000000 0020 0008")).error())
        .isEqualTo(StunError.TRUNCATED_ATTRIBUTE);
    assertThat(
            StunCodec.parse(
                    hex(
                        "0101 000c 2112a442 00000000 00000000 00000000 0020 0008 0003 a147 e112a643"))
                .error())
        .as("family 3")
        .isEqualTo(StunError.BAD_ADDRESS);
    assertThat(
            StunCodec.parse(hex("0111 0008 2112a442 00000000 00000000 00000000 0009 0004 00000a00"))
                .error())
        .as("error class 0")
        .isEqualTo(StunError.BAD_ERROR_CODE);
    assertThat(
            StunCodec.parse(hex("0101 0008 2112a442 00000000 00000000 00000000 8028 0004 00000000"))
                .error())
        .isEqualTo(StunError.BAD_FINGERPRINT);
  }

  @Test
  void anErrorResponseCarriesItsCode() {
    StunParsed p =
        StunCodec.parse(hex("0111 0008 2112a442 00000000 00000000 00000000 0009 0004 00000401"));
    assertThat(p.ok()).isTrue();
    assertThat(p.message().errorCode()).isEqualTo(401);
    assertThat(p.message().isSuccess()).isFalse();
  }
}
