package io.natswarm.holepunch.turn;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;

/**
 * Jazzer target: parsing a STUN/TURN message or checking ChannelData never throws and never moves
 * the buffer; a parsed message survives a round trip through the encoder (without its
 * MESSAGE-INTEGRITY, which needs the key).
 */
class TurnMessageFuzzTest {

  @FuzzTest(maxDuration = "30s")
  void parse(byte[] data) {
    ByteBuffer b = ByteBuffer.wrap(data);
    TurnError channelData = TurnCodec.checkChannelData(b);
    if (channelData == null) {
      assertThat(TurnCodec.channelDataLength(b)).isLessThanOrEqualTo(data.length - 4);
    }
    TurnParsed p = TurnCodec.parse(b);
    assertThat(b.position()).isZero();
    assertThat(b.limit()).isEqualTo(data.length);
    assertThat(p.ok()).isEqualTo(p.error() == null);
    if (!p.ok()) {
      return;
    }
    TurnMessage m = p.message();
    ByteBuffer out = ByteBuffer.allocate(data.length + 64);
    TurnCodec.write(out, m, null);
    out.flip();
    TurnParsed again = TurnCodec.parse(out);
    assertThat(again.error()).isNull();
    assertThat(again.message()).isEqualTo(m.withIntegrityAt(-1));
  }
}
