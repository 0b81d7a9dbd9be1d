package io.natswarm.utp;

import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/** A random generator whose first {@code nextInt(bound)} answers are scripted (test seam). */
final class ScriptedRandom implements RandomGenerator {
  private final int[] script;
  private int next;
  private final SplittableRandom rest = new SplittableRandom(99);

  ScriptedRandom(int... script) {
    this.script = script;
  }

  @Override
  public int nextInt(int bound) {
    if (next < script.length) {
      return script[next++] % bound;
    }
    return rest.nextInt(bound);
  }

  @Override
  public long nextLong() {
    return rest.nextLong();
  }
}
