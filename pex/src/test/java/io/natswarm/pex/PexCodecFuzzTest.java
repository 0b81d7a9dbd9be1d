package io.natswarm.pex;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Jazzer target: decoding never throws, a decoded message survives a round trip through the encoder
 * unchanged, and no decoded list is longer than the input allows.
 */
class PexCodecFuzzTest {

  @FuzzTest(maxDuration = "30s")
  void decode(byte[] data) {
    PexDecoded decoded = PexCodec.decode(data);
    if (!decoded.ok()) {
      assertThat(decoded.error()).isNotNull();
      return;
    }
    PexMessage message = decoded.message();
    assertThat((message.added().size() + message.dropped().size()) * 6L)
        .isLessThanOrEqualTo(data.length);
    PexDecoded again = PexCodec.decode(PexCodec.encode(message));
    assertThat(again.message()).isEqualTo(message);
  }
}
