package io.natswarm.holepunch.ladder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.natswarm.holepunch.ladder.LadderEvent.Kind;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PathLadderTest {
  private static final InetSocketAddress PEER = new InetSocketAddress("198.51.100.7", 6881);
  private static final InetSocketAddress OTHER = new InetSocketAddress("198.51.100.8", 6881);
  private static final long S = TimeUnit.SECONDS.toNanos(1);

  private final List<LadderEvent> events = new ArrayList<>();
  private final PathLadder ladder = new PathLadder(PathLadder.Settings.DEFAULTS, events::add);

  private List<String> trace() {
    return events.stream().map(e -> e.rung() + " " + e.kind()).toList();
  }

  @Test
  void aFailedDirectDialLeadsToTheHolePunchThenTheRelay() {
    ladder.trying(PEER, Rung.DIRECT, 0);
    assertThat(ladder.failed(PEER, Rung.DIRECT, "µTP timed out", S, r -> true))
        .isEqualTo(Rung.HOLEPUNCH);
    ladder.trying(PEER, Rung.HOLEPUNCH, S);
    assertThat(ladder.failed(PEER, Rung.HOLEPUNCH, "no connect", 6 * S, r -> true))
        .isEqualTo(Rung.PEER_RELAY);
    ladder.trying(PEER, Rung.PEER_RELAY, 6 * S);
    ladder.connected(PEER, Rung.PEER_RELAY, 7 * S);
    assertThat(trace())
        .containsExactly(
            "DIRECT TRYING",
            "DIRECT FAILED",
            "HOLEPUNCH TRYING",
            "HOLEPUNCH FAILED",
            "PEER_RELAY TRYING",
            "PEER_RELAY CONNECTED");
    assertThat(events.get(1).detail()).isEqualTo("µTP timed out; postponed 30 s");
  }

  @Test
  void aRungThatFailedRecentlyIsSkippedUntilItsTimeIsUp() {
    ladder.failed(PEER, Rung.DIRECT, "timeout", 0, r -> true);
    ladder.failed(PEER, Rung.HOLEPUNCH, "no connect", 5 * S, r -> true);
    events.clear();
    // 20 s later the peer is unreachable again: straight to the relay
    assertThat(ladder.failed(PEER, Rung.DIRECT, "timeout", 25 * S, r -> true))
        .isEqualTo(Rung.PEER_RELAY);
    assertThat(trace()).containsExactly("DIRECT FAILED", "HOLEPUNCH SKIPPED");
    assertThat(events.get(1).detail()).isEqualTo("failed recently, postponed for 10 s more");
    // once its 30 s are up, the hole punch is tried again
    assertThat(ladder.postponed(PEER, Rung.HOLEPUNCH, 35 * S)).isFalse();
    assertThat(ladder.failed(PEER, Rung.DIRECT, "timeout", 36 * S, r -> true))
        .isEqualTo(Rung.HOLEPUNCH);
    // other endpoints are not affected
    assertThat(ladder.postponed(OTHER, Rung.HOLEPUNCH, 6 * S)).isFalse();
  }

  @Test
  void thePostponementDoublesWithEachFailureUpToTheMaximum() {
    long now = 0;
    List<Long> seconds = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      ladder.failed(PEER, Rung.HOLEPUNCH, "no connect", now, r -> true);
      long until = now;
      while (ladder.postponed(PEER, Rung.HOLEPUNCH, until)) {
        until += S;
      }
      seconds.add((until - now) / S);
      now = until;
    }
    assertThat(seconds).containsExactly(30L, 60L, 120L, 240L, 480L, 600L, 600L, 600L);
    assertThat(ladder.failures(PEER, Rung.HOLEPUNCH)).isEqualTo(8);
    ladder.connected(PEER, Rung.HOLEPUNCH, now);
    assertThat(ladder.failures(PEER, Rung.HOLEPUNCH)).isZero();
    assertThat(ladder.postponed(PEER, Rung.HOLEPUNCH, now)).isFalse();
    assertThat(ladder.endpoints()).isZero();
  }

  @Test
  void anImpossibleRungIsSkippedWithoutBeingPostponed() {
    assertThat(ladder.failed(PEER, Rung.DIRECT, "timeout", 0, r -> r != Rung.HOLEPUNCH))
        .isEqualTo(Rung.PEER_RELAY);
    assertThat(trace()).containsExactly("DIRECT FAILED", "HOLEPUNCH SKIPPED");
    assertThat(events.get(1).detail()).isEqualTo("not possible now");
    assertThat(ladder.postponed(PEER, Rung.HOLEPUNCH, S)).isFalse();
    events.clear();
    assertThat(ladder.skipped(PEER, Rung.HOLEPUNCH, "no rendezvous peer", S, r -> true))
        .isEqualTo(Rung.PEER_RELAY);
    assertThat(ladder.postponed(PEER, Rung.HOLEPUNCH, 2 * S)).isFalse();
  }

  @Test
  void whenNothingIsLeftTheLadderSaysSo() {
    assertThat(ladder.failed(PEER, Rung.DIRECT, "timeout", 0, r -> false)).isNull();
    assertThat(trace())
        .containsExactly(
            "DIRECT FAILED",
            "HOLEPUNCH SKIPPED",
            "PEER_RELAY SKIPPED",
            "TURN SKIPPED",
            "DIRECT EXHAUSTED");
    events.clear();
    assertThat(ladder.failed(PEER, Rung.PEER_RELAY, "refused", S, r -> true)).isEqualTo(Rung.TURN);
    assertThat(ladder.failed(PEER, Rung.TURN, "no answer", S, r -> true)).isNull();
    assertThat(events.get(events.size() - 1).kind()).isEqualTo(Kind.EXHAUSTED);
  }

  @Test
  void theOrderIsData() {
    PathLadder relayFirst =
        new PathLadder(
            new PathLadder.Settings(
                List.of(Rung.DIRECT, Rung.PEER_RELAY, Rung.HOLEPUNCH),
                Duration.ofSeconds(30),
                Duration.ofMinutes(10),
                16),
            events::add);
    assertThat(relayFirst.failed(PEER, Rung.DIRECT, "timeout", 0, r -> true))
        .isEqualTo(Rung.PEER_RELAY);
    assertThat(relayFirst.failed(PEER, Rung.PEER_RELAY, "refused", 0, r -> true))
        .isEqualTo(Rung.HOLEPUNCH);
    assertThatThrownBy(
            () ->
                new PathLadder.Settings(
                    List.of(Rung.DIRECT, Rung.DIRECT),
                    Duration.ofSeconds(1),
                    Duration.ofSeconds(2),
                    1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theRecordIsBoundedLeastRecentlyUsedFirst() {
    PathLadder small =
        new PathLadder(
            new PathLadder.Settings(
                PathLadder.Settings.DEFAULTS.order(),
                Duration.ofSeconds(30),
                Duration.ofMinutes(10),
                2),
            e -> {});
    InetSocketAddress third = new InetSocketAddress("198.51.100.9", 6881);
    small.failed(PEER, Rung.HOLEPUNCH, "x", 0, r -> true);
    small.failed(OTHER, Rung.HOLEPUNCH, "x", 0, r -> true);
    small.postponed(PEER, Rung.HOLEPUNCH, 0); // PEER used last
    small.failed(third, Rung.HOLEPUNCH, "x", 0, r -> true);
    assertThat(small.endpoints()).isEqualTo(2);
    assertThat(small.postponed(PEER, Rung.HOLEPUNCH, S)).isTrue();
    assertThat(small.postponed(OTHER, Rung.HOLEPUNCH, S)).isFalse();
    assertThat(small.postponed(third, Rung.HOLEPUNCH, S)).isTrue();
  }
}
