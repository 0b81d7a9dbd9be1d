package io.natswarm.utp.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.EnumSet;
import org.junit.jupiter.api.Test;

/** The application-side state table of a {@link UtpChannel}. */
class ChannelStateTest {
  @Test
  void legalMovesAreExactlyTheDocumentedOnes() {
    moves(
        ChannelState.OPEN,
        EnumSet.of(
            ChannelState.OUTPUT_SHUT,
            ChannelState.INPUT_ENDED,
            ChannelState.ENDED,
            ChannelState.CLOSED,
            ChannelState.ABORTED));
    EnumSet<ChannelState> halfShut =
        EnumSet.of(
            ChannelState.BOTH_SHUT, ChannelState.ENDED, ChannelState.CLOSED, ChannelState.ABORTED);
    moves(ChannelState.OUTPUT_SHUT, halfShut);
    moves(ChannelState.INPUT_ENDED, halfShut);
    moves(
        ChannelState.BOTH_SHUT,
        EnumSet.of(ChannelState.ENDED, ChannelState.CLOSED, ChannelState.ABORTED));
    moves(ChannelState.ENDED, EnumSet.of(ChannelState.CLOSED, ChannelState.ABORTED));
    moves(ChannelState.CLOSED, EnumSet.of(ChannelState.ABORTED));
    moves(ChannelState.ABORTED, EnumSet.noneOf(ChannelState.class));
  }

  private static void moves(ChannelState from, EnumSet<ChannelState> legal) {
    for (ChannelState to : ChannelState.values()) {
      assertEquals(legal.contains(to), from.canMoveTo(to), from + " -> " + to);
    }
  }
}
