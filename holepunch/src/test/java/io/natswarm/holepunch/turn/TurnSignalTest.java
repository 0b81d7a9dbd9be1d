package io.natswarm.holepunch.turn;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TurnSignalTest {
  private static final InetSocketAddress TARGET = new InetSocketAddress("198.51.100.7", 6881);
  private static final InetSocketAddress RELAYED = new InetSocketAddress("203.0.113.4", 49_152);
  private static final InetSocketAddress V6 = new InetSocketAddress("2001:db8::7", 51_413);

  @Test
  void offersAndDialsRoundTripInBothFamilies() {
    for (TurnSignal s :
        new TurnSignal[] {
          new TurnSignal(TurnSignal.Type.OFFER, TARGET, RELAYED),
          new TurnSignal(TurnSignal.Type.DIAL, V6, RELAYED),
          new TurnSignal(TurnSignal.Type.OFFER, V6, V6)
        }) {
      byte[] bytes = s.toBytes();
      TurnSignal.Parsed p = TurnSignal.parse(bytes);
      assertThat(p.ok()).as("%s", p.problem()).isTrue();
      assertThat(p.signal()).isEqualTo(s);
    }
    assertThat(new TurnSignal(TurnSignal.Type.OFFER, V6, V6).toBytes())
        .hasSize(TurnSignal.MAX_ENCODED_LENGTH);
    assertThat(new TurnSignal(TurnSignal.Type.DIAL, TARGET, RELAYED).toBytes())
        .hasSize(15)
        .startsWith(1, 4, 198, 51, 100, 7, 0x1A, 0xE1, 4);
  }

  @Test
  void badBytesAreTypedProblems() {
    byte[] good = new TurnSignal(TurnSignal.Type.OFFER, TARGET, RELAYED).toBytes();
    assertThat(TurnSignal.parse(new byte[0]).problem()).isEqualTo(TurnSignal.Problem.TRUNCATED);
    for (int n = 1; n < good.length; n++) {
      assertThat(TurnSignal.parse(Arrays.copyOf(good, n)).problem())
          .as("%d bytes", n)
          .isEqualTo(TurnSignal.Problem.TRUNCATED);
    }
    assertThat(TurnSignal.parse(Arrays.copyOf(good, good.length + 1)).problem())
        .isEqualTo(TurnSignal.Problem.TRAILING_BYTES);
    byte[] type = good.clone();
    type[0] = 2;
    assertThat(TurnSignal.parse(type).problem()).isEqualTo(TurnSignal.Problem.UNKNOWN_TYPE);
    byte[] family = good.clone();
    family[1] = 5;
    assertThat(TurnSignal.parse(family).problem()).isEqualTo(TurnSignal.Problem.BAD_FAMILY);
    byte[] port = good.clone();
    port[6] = 0;
    port[7] = 0;
    assertThat(TurnSignal.parse(port).problem()).isEqualTo(TurnSignal.Problem.BAD_ENDPOINT);
    byte[] any = good.clone();
    Arrays.fill(any, 9, 13, (byte) 0);
    assertThat(TurnSignal.parse(any).problem()).isEqualTo(TurnSignal.Problem.BAD_ENDPOINT);
    byte[] multicast = good.clone();
    multicast[2] = (byte) 224;
    assertThat(TurnSignal.parse(multicast).problem()).isEqualTo(TurnSignal.Problem.BAD_ENDPOINT);
  }

  @Test
  void parsingRespectsTheBuffersWindowAndMovesNothing() {
    byte[] good = new TurnSignal(TurnSignal.Type.DIAL, TARGET, RELAYED).toBytes();
    ByteBuffer b = ByteBuffer.allocate(good.length + 6);
    b.position(3);
    b.put(good);
    b.flip().position(3);
    b.limit(3 + good.length);
    assertThat(TurnSignal.parse(b).ok()).isTrue();
    assertThat(b.position()).isEqualTo(3);
  }

  @Test
  void mutatedBytesNeverThrow() {
    Random r = new Random(7);
    byte[] good = new TurnSignal(TurnSignal.Type.OFFER, TARGET, V6).toBytes();
    int ok = 0;
    int bad = 0;
    for (int i = 0; i < 20_000; i++) {
      byte[] b = Arrays.copyOf(good, Math.max(0, good.length + r.nextInt(5) - 2));
      for (int flips = r.nextInt(3); flips > 0 && b.length > 0; flips--) {
        b[r.nextInt(b.length)] = (byte) r.nextInt(256);
      }
      TurnSignal.Parsed p = TurnSignal.parse(b);
      assertThat(p.ok() ^ (p.problem() != null)).isTrue();
      if (p.ok()) {
        ok++;
      } else {
        bad++;
      }
    }
    assertThat(ok).isPositive();
    assertThat(bad).isPositive();
  }
}
