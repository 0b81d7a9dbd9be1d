package io.natswarm.datagram;

/**
 * Deadline arithmetic on {@link NanoClock} readings, the one convention for the whole code base:
 * readings wrap, so two of them are compared by the sign of their difference, and {@link #NONE}
 * ({@link Long#MAX_VALUE}) means "no deadline" and is never due.
 */
public final class Deadlines {
  /** No deadline. */
  public static final long NONE = Long.MAX_VALUE;

  private Deadlines() {}

  /** Whether {@code deadline} has been reached at {@code now}; {@link #NONE} never is. */
  public static boolean isDue(long deadline, long now) {
    return deadline != NONE && deadline - now <= 0;
  }

  /** The earlier of two deadlines; {@link #NONE} loses to any real one. */
  public static long earliest(long a, long b) {
    if (a == NONE) {
      return b;
    }
    if (b == NONE) {
      return a;
    }
    return a - b <= 0 ? a : b;
  }

  /** Whether {@code a} is strictly before {@code b}; {@link #NONE} is after everything. */
  public static boolean isBefore(long a, long b) {
    if (a == NONE) {
      return false;
    }
    return b == NONE || a - b < 0;
  }

  /**
   * Nanoseconds from {@code now} until {@code deadline}: 0 if it is due, {@link Long#MAX_VALUE} for
   * {@link #NONE}.
   */
  public static long remaining(long deadline, long now) {
    if (deadline == NONE) {
      return Long.MAX_VALUE;
    }
    long d = deadline - now;
    return d <= 0 ? 0 : d;
  }
}
