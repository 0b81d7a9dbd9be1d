package io.natswarm.node.bt;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.natswarm.node.PeerEncryption;
import java.nio.ByteBuffer;

/**
 * Jazzer target: an {@link MseReceiver} fed arbitrary bytes in arbitrary pieces under any policy
 * never throws, never consumes more than the spec bounds before failing or finishing, and ends in a
 * consistent state (an error exactly when failed, ciphers only when done with RC4).
 */
class MseReceiverFuzzTest {

  @FuzzTest(maxDuration = "30s")
  void handle(FuzzedDataProvider data) {
    PeerEncryption policy = data.pickValue(PeerEncryption.values());
    MseReceiver r =
        new MseReceiver(policy, MseTranscript.TORRENTS, MseTranscript.seeded(data.consumeLong()));
    long consumed = 0;
    while (data.remainingBytes() > 0 && !r.isDone() && !r.isFailed()) {
      int piece = data.consumeInt(1, 700);
      ByteBuffer in = ByteBuffer.wrap(data.consumeBytes(piece));
      r.handle(in);
      consumed += in.position();
      ByteBuffer out = r.pollOutput();
      if (out != null) {
        assertThat(out.remaining()).isLessThanOrEqualTo(96 + 512);
      }
    }
    assertThat(r.isFailed()).isEqualTo(r.error() != null);
    if (r.isFailed() || r.state() == MseReceiver.State.SYNC_REQ1) {
      // no valid step 3 is reachable without S: everything ends by the req1 horizon
      assertThat(consumed).isLessThanOrEqualTo(MseReceiver.REQ1_HORIZON);
    }
    if (r.isDone()) {
      assertThat(r.plaintextHandshake()).isTrue(); // the fuzzer cannot know S
      assertThat(r.ciphers()).isNull();
      assertThat(consumed).isEqualTo(MseReceiver.PLAINTEXT_PREFIX.length);
    }
  }
}
