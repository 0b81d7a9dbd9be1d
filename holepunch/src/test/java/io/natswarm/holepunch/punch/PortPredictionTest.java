package io.natswarm.holepunch.punch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.natswarm.holepunch.punch.PortPrediction.Side;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link PortPrediction} against a model of the two NATs: each side's probes, in order, with some
 * foreign flows slipped in between, become mappings (external port → destination port); the punch
 * gets through when one side's mapping is the mirror of the other's.
 */
class PortPredictionTest {
  private static final int A0 = 20_000; // the initiator's port as the rendezvous saw it
  private static final int B0 = 31_000; // the target's

  /** A NAT's flows: external port and destination port of each, in the order made. */
  private record Flows(List<int[]> flows) {
    boolean mirrors(Flows other) {
      for (int[] f : flows) {
        for (int[] g : other.flows) {
          if (f[0] == g[1] && f[1] == g[0]) {
            return true;
          }
        }
      }
      return false;
    }
  }

  /**
   * The flows one side's probes make: a sequential NAT ({@code sequential}) gives each new
   * destination the next port, starting {@code advance} after {@code named}; a NAT that maps one
   * port for all destinations keeps {@code named + advance}. {@code foreignAt} marks the probes
   * before which a flow of other traffic took a port.
   */
  private static Flows flows(
      int[] destinations, int named, int advance, boolean sequential, boolean[] foreignAt) {
    List<int[]> out = new ArrayList<>();
    int port = named + advance;
    for (int i = 0; i < destinations.length; i++) {
      if (sequential && i < foreignAt.length && foreignAt[i]) {
        port++;
      }
      out.add(new int[] {port, destinations[i]});
      if (sequential) {
        port++;
      }
    }
    return new Flows(out);
  }

  private static boolean punched(
      int dA, int dB, boolean aSequential, boolean bSequential, boolean[] aForeign, boolean[] bF) {
    Flows a =
        flows(
            PortPrediction.ports(B0, Side.INITIATOR, PortPrediction.SPAN),
            A0,
            dA,
            aSequential,
            aForeign);
    Flows b =
        flows(PortPrediction.ports(A0, Side.TARGET, PortPrediction.SPAN), B0, dB, bSequential, bF);
    return a.mirrors(b);
  }

  @Test
  void twoSequentialNatsMeetWheneverTheirAdvancesAreWithinTheSpan() {
    int span = PortPrediction.SPAN;
    boolean[] none = new boolean[0];
    int met = 0;
    for (int dA = 0; dA < span; dA++) {
      for (int dB = 0; dB < span; dB++) {
        boolean hit = punched(dA, dB, true, true, none, none);
        if (dA + dB < span && 2 * dA + dB < span) {
          assertThat(hit).as("dA=%d dB=%d", dA, dB).isTrue();
        }
        met += hit ? 1 : 0;
      }
    }
    assertThat(met).as("advance pairs of 0..23 met").isGreaterThanOrEqualTo(span * span / 4);
    // the naive order (both sides probing the next ports in step) meets only when neither NAT
    // handed out a port since the rendezvous saw it: j = i + dA and i = j + dB
    int[] aNaive = PortPrediction.ports(B0, Side.TARGET, span);
    int[] bNaive = PortPrediction.ports(A0, Side.TARGET, span);
    assertThat(flows(aNaive, A0, 0, true, none).mirrors(flows(bNaive, B0, 0, true, none))).isTrue();
    assertThat(flows(aNaive, A0, 1, true, none).mirrors(flows(bNaive, B0, 1, true, none)))
        .isFalse();
    assertThat(punched(1, 1, true, true, none, none)).isTrue();
  }

  @Test
  void foreignFlowsSlippedBetweenTheProbesOnlyMoveTheHit() {
    Random random = new Random(7);
    for (int run = 0; run < 500; run++) {
      int dA = random.nextInt(5);
      int dB = random.nextInt(5);
      boolean[] aForeign = new boolean[2 * PortPrediction.SPAN];
      boolean[] bForeign = new boolean[PortPrediction.SPAN];
      for (int k = 0; k < 2; k++) { // two foreign flows on each side, anywhere in its first probes
        aForeign[random.nextInt(8)] = true;
        bForeign[random.nextInt(8)] = true;
      }
      assertThat(punched(dA, dB, true, true, aForeign, bForeign))
          .as("run %d: dA=%d dB=%d", run, dA, dB)
          .isTrue();
    }
  }

  @Test
  void aSequentialSideMeetsOneThatKeepsItsPortForEveryDestination() {
    // A NAT that keeps one port for all destinations uses for the punch the very port the
    // rendezvous saw (advance 0).
    boolean[] none = new boolean[0];
    for (int d = 0; d < PortPrediction.SPAN; d++) {
      assertThat(punched(d, 0, true, false, none, none))
          .as("sequential initiator, dA=%d", d)
          .isTrue();
    }
    for (int d = 0; d < 2 * PortPrediction.SPAN; d++) {
      assertThat(punched(0, d, false, true, none, none)).as("sequential target, dB=%d", d).isTrue();
    }
    assertThat(punched(PortPrediction.SPAN, 0, true, false, none, none)).isFalse();
    assertThat(punched(0, 2 * PortPrediction.SPAN, false, true, none, none)).isFalse();
  }

  @Test
  void theOrdersAreTheNamedPortFirstThenEvenThenOddOffsetsForTheInitiator() {
    assertThat(PortPrediction.ports(100, Side.TARGET, 4)).containsExactly(100, 101, 102, 103);
    assertThat(PortPrediction.ports(100, Side.INITIATOR, 3))
        .containsExactly(100, 102, 104, 101, 103, 105);
    assertThat(PortPrediction.ports(65534, Side.INITIATOR, 3)).containsExactly(65534, 65535);
    assertThat(PortPrediction.ports(65535, Side.TARGET, 3)).containsExactly(65535);
    assertThatThrownBy(() -> PortPrediction.ports(0, Side.TARGET, 3))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PortPrediction.ports(1, Side.TARGET, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
