package io.natswarm.pex;

import static io.natswarm.pex.PexCodecTest.at;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PexSenderTest {
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
  private final InetSocketAddress recipient = at("10.0.0.99", 6881);
  private final PexCounters counters = new PexCounters();
  private final PexSender sender = new PexSender(recipient, counters);

  private static PexPeer peer(int i) {
    return new PexPeer(at("10.1." + (i / 250) + "." + (i % 250 + 1), 6881), PexFlags.UTP);
  }

  private static List<PexPeer> peers(int from, int to) {
    List<PexPeer> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      out.add(peer(i));
    }
    return out;
  }

  @Test
  void theFirstMessageGoesAtOnceThenOneAMinute() {
    long t0 = 5 * SECOND;
    assertThat(sender.nextDeadlineNanos(t0)).isEqualTo(t0);
    PexMessage first = sender.poll(peers(0, 2), t0);
    assertThat(first.added()).containsExactlyElementsOf(peers(0, 2));

    assertThat(sender.poll(peers(0, 3), t0 + 59 * SECOND)).isNull();
    assertThat(sender.nextDeadlineNanos(t0 + 59 * SECOND)).isEqualTo(t0 + 60 * SECOND);

    PexMessage second = sender.poll(peers(1, 3), t0 + 60 * SECOND);
    assertThat(second.added()).containsExactly(peer(2));
    assertThat(second.dropped()).containsExactly(peer(0).endpoint());
    assertThat(counters.snapshot().messagesSent()).isEqualTo(2);
    assertThat(counters.snapshot().peersAdvertised()).isEqualTo(3);
    assertThat(counters.snapshot().dropsAdvertised()).isEqualTo(1);
  }

  @Test
  void nothingNewSendsNothingAndKeepsTheSlot() {
    sender.poll(peers(0, 2), 0);
    assertThat(sender.poll(peers(0, 2), 61 * SECOND)).isNull();
    assertThat(counters.snapshot().messagesSent()).isEqualTo(1);

    assertThat(sender.poll(peers(0, 3), 62 * SECOND).added()).containsExactly(peer(2));
  }

  @Test
  void nothingToSayBeforeTheFirstMessageIsNotAMessage() {
    assertThat(sender.poll(List.of(), 0)).isNull();
    assertThat(sender.poll(List.of(new PexPeer(recipient, 0)), 0)).isNull();
    assertThat(sender.poll(peers(0, 1), 1).added()).containsExactly(peer(0));
  }

  @Test
  void theRecipientIsNeverToldAboutItself() {
    PexMessage message = sender.poll(List.of(new PexPeer(recipient, 0), peer(1)), 0);

    assertThat(message.added()).containsExactly(peer(1));
  }

  @Test
  void atMostFiftyAddedPerMessageReachableFirstTheRestLater() {
    List<PexPeer> many = new ArrayList<>(peers(0, 70));
    PexPeer reachable = new PexPeer(at("10.9.9.9", 1000), PexFlags.REACHABLE);
    many.add(reachable);

    PexMessage first = sender.poll(many, 0);
    assertThat(first.added()).hasSize(PexSender.MAX_ADDED);
    assertThat(first.added().get(0)).isEqualTo(reachable);

    PexMessage second = sender.poll(many, 60 * SECOND);
    assertThat(second.added()).hasSize(71 - PexSender.MAX_ADDED);
    assertThat(sender.toldCount()).isEqualTo(71);
    assertThat(sender.poll(many, 120 * SECOND)).isNull();
  }

  @Test
  void atMostFiftyDroppedPerMessage() {
    sender.poll(peers(0, 50), 0);
    sender.poll(peers(0, 80), 60 * SECOND);

    PexMessage drops = sender.poll(List.of(), 120 * SECOND);
    assertThat(drops.dropped()).hasSize(PexSender.MAX_DROPPED);
    assertThat(drops.added()).isEmpty();
    assertThat(sender.poll(List.of(), 180 * SECOND).dropped()).hasSize(30);
    assertThat(sender.toldCount()).isZero();
  }

  @Test
  void aPeerThatCameBackIsAddedAgain() {
    sender.poll(peers(0, 1), 0);
    sender.poll(List.of(), 60 * SECOND);

    assertThat(sender.poll(peers(0, 1), 120 * SECOND).added()).containsExactly(peer(0));
  }

  @Test
  void theMessagesItSendsNeverFloodAReceiver() {
    PexReceiver receiver = new PexReceiver(new PexCounters());
    long now = 0;
    for (int round = 0; round < 20; round++) {
      PexMessage message = sender.poll(peers(round, round + 2), now);
      if (message != null) {
        byte[] payload = PexCodec.encode(message);
        assertThat(receiver.onMessage(payload, 0, payload.length, now).verdict())
            .isEqualTo(PexReceiver.Verdict.ACCEPTED);
      }
      now += 20 * SECOND;
    }
  }
}
