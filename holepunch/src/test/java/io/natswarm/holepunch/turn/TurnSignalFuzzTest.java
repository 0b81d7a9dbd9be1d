package io.natswarm.holepunch.turn;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;

/**
 * Jazzer target: any ns_turn payload parses to a signal or a typed problem, never an exception,
 * without moving the buffer; a parsed signal writes back to the same bytes.
 */
class TurnSignalFuzzTest {
  @FuzzTest(maxDuration = "30s")
  void parse(byte[] data) {
    ByteBuffer in = ByteBuffer.wrap(data);
    TurnSignal.Parsed p = TurnSignal.parse(in);
    assertThat(in.position()).isZero();
    assertThat(p.ok()).isEqualTo(p.problem() == null);
    if (p.ok()) {
      assertThat(p.signal().toBytes()).isEqualTo(data);
    }
  }
}
