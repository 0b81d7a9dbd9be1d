package io.natswarm.pex;

import static io.natswarm.pex.PexCodecTest.at;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PexReceiverTest {
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
  private final PexCounters counters = new PexCounters();
  private final PexReceiver receiver = new PexReceiver(counters);
  private final byte[] valid =
      PexCodec.encode(
          new PexMessage(
              List.of(new PexPeer(at("10.0.0.1", 80), PexFlags.SEED)),
              List.of(at("10.0.0.2", 80))));

  private PexReceiver.Received receive(byte[] payload, long now) {
    return receiver.onMessage(payload, 0, payload.length, now);
  }

  @Test
  void anAcceptedMessageIsCounted() {
    PexReceiver.Received received = receive(valid, 0);

    assertThat(received.verdict()).isEqualTo(PexReceiver.Verdict.ACCEPTED);
    assertThat(received.message().added()).containsExactly(new PexPeer(at("10.0.0.1", 80), 2));
    PexCounters.Snapshot s = counters.snapshot();
    assertThat(s.messagesReceived()).isEqualTo(1);
    assertThat(s.peersLearned()).isEqualTo(1);
    assertThat(s.dropsLearned()).isEqualTo(1);
  }

  @Test
  void aSeventhMessageWithinAMinuteIsAFlood() {
    for (int i = 0; i < 6; i++) {
      assertThat(receive(valid, i * SECOND).verdict()).isEqualTo(PexReceiver.Verdict.ACCEPTED);
    }

    assertThat(receive(valid, 59 * SECOND).verdict()).isEqualTo(PexReceiver.Verdict.FLOOD);
    assertThat(counters.snapshot().floods()).isEqualTo(1);
    assertThat(counters.snapshot().messagesReceived()).isEqualTo(6);
  }

  @Test
  void sixAMinuteForeverIsNoFlood() {
    for (int i = 0; i < 60; i++) {
      assertThat(receive(valid, i * 10L * SECOND).verdict())
          .as("message %d", i)
          .isEqualTo(PexReceiver.Verdict.ACCEPTED);
    }
    assertThat(counters.snapshot().floods()).isZero();
  }

  @Test
  void aMalformedMessageIsCountedIgnoredAndCountsTowardsTheRate() {
    byte[] broken = "d5:added5:abcdee".getBytes(StandardCharsets.US_ASCII);

    PexReceiver.Received received = receive(broken, 0);

    assertThat(received.verdict()).isEqualTo(PexReceiver.Verdict.IGNORED);
    assertThat(received.decoded().error()).isEqualTo(PexError.BAD_PEER_LIST_LENGTH);
    assertThat(counters.snapshot().malformed()).containsEntry(PexError.BAD_PEER_LIST_LENGTH, 1L);
    assertThat(counters.snapshot().malformedTotal()).isEqualTo(1);
    for (int i = 1; i < 6; i++) {
      receive(broken, i);
    }
    assertThat(receive(valid, 10).verdict()).isEqualTo(PexReceiver.Verdict.FLOOD);
  }
}
