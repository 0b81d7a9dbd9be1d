package io.natswarm.dht.bencode;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;

/** Jazzer target: the decoder never throws, and what it accepts has consistent token bounds. */
class BencodeFuzzTest {
  private final BencodeTape tape = new BencodeTape(256, 8, 65_536, true);

  @FuzzTest(maxDuration = "30s")
  void decode(byte[] data) {
    BencodeError err = tape.decode(data, 0, data.length);
    if (err == BencodeError.NONE) {
      assertThat(tape.count()).isPositive();
      assertThat(tape.next(0)).isEqualTo(tape.count());
      for (int i = 0; i < tape.count(); i++) {
        if (tape.type(i) == BencodeTape.STRING) {
          assertThat(tape.start(i) + tape.length(i)).isLessThanOrEqualTo(data.length);
        }
        assertThat(tape.next(i)).isGreaterThan(i);
      }
    }
  }
}
