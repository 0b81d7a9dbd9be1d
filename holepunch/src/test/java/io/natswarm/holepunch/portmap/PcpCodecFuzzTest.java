package io.natswarm.holepunch.portmap;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;

/** Jazzer target: parsing never throws, never moves the buffer, and a MAP response has a body. */
class PcpCodecFuzzTest {

  @FuzzTest(maxDuration = "30s")
  void parse(byte[] data) {
    ByteBuffer b = ByteBuffer.wrap(data);
    PcpParsed p = PcpCodec.parse(b);
    assertThat(b.position()).isZero();
    assertThat(b.limit()).isEqualTo(data.length);
    assertThat(p.ok()).isEqualTo(p.error() == null);
    if (p.ok() && p.response().opcode() == PcpCodec.OPCODE_MAP) {
      assertThat(data.length).isGreaterThanOrEqualTo(60);
      assertThat(p.response().external()).isNotNull();
    }
  }
}
