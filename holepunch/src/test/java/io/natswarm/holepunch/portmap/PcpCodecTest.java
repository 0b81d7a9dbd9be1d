package io.natswarm.holepunch.portmap;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class PcpCodecTest {
  private static ByteBuffer hex(String s) {
    return ByteBuffer.wrap(HexFormat.of().parseHex(s.replace(" ", "")));
  }

  @Test
  void aMapRequestIsLaidOutAsRfc6887Says() throws Exception {
    ByteBuffer b = ByteBuffer.allocate(64);
    int n =
        PcpCodec.writeMapRequest(
            b,
            InetAddress.getAllByName("10.0.1.2")[0],
            0x0102030405060708L,
            0x090A0B0C,
            Protocol.TCP,
            6881,
            6881,
            7200);
    assertThat(n).isEqualTo(60);
    assertThat(HexFormat.of().formatHex(b.array(), 0, 60))
        .as("suggested external address: IPv4 all-zeros, any IPv4 address (sections 5 and 11.1)")
        .isEqualTo(
            "02010000"
                + "00001c20"
                + "00000000000000000000ffff0a000102"
                + "0102030405060708090a0b0c"
                + "06000000"
                + "1ae11ae1"
                + "00000000000000000000ffff00000000");
  }

  @Test
  void aMapResponseIsRead() {
    PcpParsed p =
        PcpCodec.parse(
            hex(
                "02810000 00000e10 0000012c 000000000000000000000000"
                    + " 0102030405060708090a0b0c 11000000 1ae1 1ae2"
                    + " 00000000000000000000ffff cb00710b"));
    assertThat(p.error()).isNull();
    PcpResponse r = p.response();
    assertThat(r.result()).isZero();
    assertThat(r.lifetimeSeconds()).isEqualTo(3600);
    assertThat(r.epochSeconds()).isEqualTo(300);
    assertThat(r.nonceHigh()).isEqualTo(0x0102030405060708L);
    assertThat(r.nonceLow()).isEqualTo(0x090A0B0C);
    assertThat(r.protocol()).isEqualTo(17);
    assertThat(r.internalPort()).isEqualTo(6881);
    assertThat(r.external()).isEqualTo(new InetSocketAddress("203.0.113.11", 6882));
  }

  @Test
  void badBytesGetTypedErrors() {
    assertThat(PcpCodec.parse(hex("0081 0001 00000000")).error())
        .as("a NAT-PMP gateway's unsupported-version answer")
        .isEqualTo(PcpError.NAT_PMP_ONLY);
    assertThat(PcpCodec.parse(hex("0281 0000")).error()).isEqualTo(PcpError.TOO_SHORT);
    assertThat(
            PcpCodec.parse(hex("02810000 00000000 00000000 000000000000000000000000 00")).error())
        .isEqualTo(PcpError.BAD_LENGTH);
    assertThat(PcpCodec.parse(hex("01810000 00000000 00000000 000000000000000000000000")).error())
        .isEqualTo(PcpError.UNSUPPORTED_VERSION);
    assertThat(PcpCodec.parse(hex("02010000 00000000 00000000 000000000000000000000000")).error())
        .isEqualTo(PcpError.NOT_A_RESPONSE);
    assertThat(PcpCodec.parse(hex("02820000 00000000 00000000 000000000000000000000000")).error())
        .isEqualTo(PcpError.UNKNOWN_OPCODE);
    assertThat(PcpCodec.parse(hex("02810000 00000000 00000000 000000000000000000000000")).error())
        .as("a MAP response without its body")
        .isEqualTo(PcpError.TOO_SHORT);
    assertThat(
            PcpCodec.parse(hex("02800000 00000000 00000000 000000000000000000000000 01000008"))
                .error())
        .isEqualTo(PcpError.TRUNCATED_OPTION);
    assertThat(PcpCodec.parse(hex("02800000 00000000 0000002a 000000000000000000000000")).ok())
        .as("an ANNOUNCE")
        .isTrue();
  }
}
