package io.natswarm.dht.krpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;

/** Jazzer target: the KRPC parser never throws and its offsets stay inside the input. */
class KrpcFuzzTest {
  private final KrpcParser parser = new KrpcParser();
  private final KrpcMessage msg = new KrpcMessage();

  @FuzzTest(maxDuration = "30s")
  void parse(byte[] data) {
    KrpcError err = parser.parse(data, 0, data.length, msg);
    if (err == KrpcError.NONE) {
      assertThat(msg.kind()).isNotNull();
      assertThat(msg.txOff() + msg.txLen()).isLessThanOrEqualTo(data.length);
      if (msg.idOff() >= 0) {
        assertThat(msg.idOff() + 20).isLessThanOrEqualTo(data.length);
      }
      assertThat(msg.nodesLen() % 26).isZero();
      for (int i = 0; i < msg.valueCount(); i++) {
        assertThat(msg.valueOff(i) + msg.valueLen(i)).isLessThanOrEqualTo(data.length);
      }
    }
  }
}
