package io.natswarm.holepunch.stun;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;

/**
 * Jazzer target: parsing never throws and never moves the buffer; a parsed success response with a
 * mapped address survives a round trip through the encoder.
 */
class StunCodecFuzzTest {

  @FuzzTest(maxDuration = "30s")
  void parse(byte[] data) {
    ByteBuffer b = ByteBuffer.wrap(data);
    StunParsed p = StunCodec.parse(b);
    assertThat(b.position()).isZero();
    assertThat(b.limit()).isEqualTo(data.length);
    assertThat(p.ok()).isEqualTo(p.error() == null);
    if (!p.ok() || !p.message().isSuccess() || p.message().mapped() == null) {
      return;
    }
    StunMessage m = p.message();
    ByteBuffer out = ByteBuffer.allocate(160);
    StunCodec.writeBindingSuccess(
        out, m.transactionId(), m.mapped(), m.otherAddress(), m.responseOrigin());
    out.flip();
    StunParsed again = StunCodec.parse(out);
    assertThat(again.message())
        .isEqualTo(
            new StunMessage(
                StunMessage.BINDING_SUCCESS,
                m.transactionId(),
                m.mapped(),
                m.otherAddress(),
                m.responseOrigin(),
                0));
  }
}
