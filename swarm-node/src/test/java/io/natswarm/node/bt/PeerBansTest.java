package io.natswarm.node.bt;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How {@link PeerBans} judges peers from hashed pieces, and its counters. */
class PeerBansTest {
  static final InetSocketAddress LIAR =
      new InetSocketAddress(InetAddress.getLoopbackAddress(), 7001);
  static final InetSocketAddress HONEST =
      new InetSocketAddress(InetAddress.getLoopbackAddress(), 7002);
  static final InetSocketAddress OTHER =
      new InetSocketAddress(InetAddress.getLoopbackAddress(), 7003);

  @Test
  void aPieceThatFailedFromOnePeerAloneBansIt() {
    PeerBans bans = new PeerBans();
    bans.pieceFailed(3, List.of(LIAR));
    assertThat(bans.isBanned(LIAR)).isTrue();
    assertThat(bans.refuse(LIAR)).isTrue();
    assertThat(bans.refuse(HONEST)).isFalse();
    assertThat(bans.snapshot().piecesFailedVerification()).isEqualTo(1);
    assertThat(bans.snapshot().peersBanned()).isEqualTo(1);
    assertThat(bans.snapshot().bannedConnectionsRefused()).isEqualTo(1);
  }

  @Test
  void sharedFailuresCostTrustThatVerifiedPiecesEarned() {
    PeerBans bans = new PeerBans();
    for (int i = 0; i < 3; i++) {
      bans.pieceVerified(List.of(HONEST));
    }
    // each shared failure costs both 2 points: OTHER (no credit) reaches -8 after 4, HONEST -5
    for (int i = 0; i < 4; i++) {
      bans.pieceFailed(i, List.of(HONEST, OTHER));
    }
    assertThat(bans.isBanned(OTHER)).isTrue();
    assertThat(bans.isBanned(HONEST)).isFalse();
  }

  @Test
  void aFailedPieceABannedPeerContributedToBlamesNobodyElse() {
    PeerBans bans = new PeerBans();
    bans.pieceFailed(1, List.of(LIAR));
    for (int i = 0; i < 10; i++) {
      bans.pieceFailed(2 + i, List.of(LIAR, HONEST));
    }
    assertThat(bans.isBanned(HONEST)).isFalse();
    assertThat(bans.snapshot().piecesFailedVerification()).isEqualTo(11);
    assertThat(bans.snapshot().peersBanned()).isEqualTo(1);
  }
}
