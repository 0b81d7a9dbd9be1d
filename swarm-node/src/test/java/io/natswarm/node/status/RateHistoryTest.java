package io.natswarm.node.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.natswarm.node.TransferProgress;
import java.util.List;
import org.junit.jupiter.api.Test;

class RateHistoryTest {
  private static TorrentView torrent(long downloaded) {
    return new TorrentView(
        "ab".repeat(20), "t", "active", new TransferProgress(4, 0, downloaded, 0, 1), List.of());
  }

  private static TorrentView withPeer(long peerDown, long peerUp) {
    PeerView p =
        new PeerView("127.0.0.1", 6881, "utp", "ipv4", "direct", true, "x", peerDown, peerUp, null);
    return new TorrentView(
        "ab".repeat(20), "t", "active", new TransferProgress(4, 0, 0, 0, 1), List.of(p));
  }

  @Test
  void aPeerConnectionHasItsOwnRatesFromItsFirstTick() {
    RateHistory h = new RateHistory();
    PeerView p = withPeer(0, 0).peers().get(0);
    h.record(List.of(), 1_000);
    assertThat(h.peerRates("ab".repeat(20), p)).isEqualTo(RateHistory.Rates.ZERO);
    h.record(List.of(withPeer(2_000, 500)), 2_000);
    assertThat(h.peerRates("ab".repeat(20), p)).isEqualTo(new RateHistory.Rates(2_000, 500));
    h.record(List.of(withPeer(6_000, 500)), 4_000);
    assertThat(h.peerRates("ab".repeat(20), p)).isEqualTo(new RateHistory.Rates(2_000, 0));
    h.record(List.of(torrent(0)), 5_000);
    assertThat(h.peerRates("ab".repeat(20), p))
        .as("a closed connection is forgotten")
        .isEqualTo(RateHistory.Rates.ZERO);
  }

  @Test
  void aTransferThatStartsAndEndsBetweenTwoTicksStillShowsItsRate() {
    RateHistory h = new RateHistory();
    h.record(List.of(), 1_000);
    h.record(List.of(torrent(3_000_000)), 2_000);

    assertThat(h.downloadRates("ab".repeat(20))).containsExactly(3_000_000.0);
    assertThat(h.rates("ab".repeat(20)).downloadPerSecond()).isEqualTo(3_000_000.0);
  }

  @Test
  void aTorrentPresentAtTheFirstTickHasNoRateUntilTheSecond() {
    RateHistory h = new RateHistory();
    h.record(List.of(torrent(5_000)), 1_000);
    assertThat(h.downloadRates("ab".repeat(20))).isEmpty();
    h.record(List.of(torrent(7_000)), 3_000);
    assertThat(h.downloadRates("ab".repeat(20))).containsExactly(1_000.0);
  }

  @Test
  void aRemovedTorrentIsForgottenAndStartsAgainFromZero() {
    RateHistory h = new RateHistory();
    h.record(List.of(torrent(1_000)), 1_000);
    h.record(List.of(), 2_000);
    assertThat(h.downloadRates("ab".repeat(20))).isEmpty();
    h.record(List.of(torrent(500)), 3_000);
    assertThat(h.downloadRates("ab".repeat(20))).containsExactly(500.0);
  }
}
