package io.natswarm.holepunch.portmap;

import io.natswarm.datagram.Deadlines;
import java.util.random.RandomGenerator;

/**
 * The retransmission timer of one request (RFC 6887 section 8.1.1, which RFC 6886 section 3.1's
 * doubling is a case of): the first timeout is IRT, each next one twice the last, capped at MRT,
 * each randomised by a factor RAND in [-{@link Schedule#rand}, +{@link Schedule#rand}]; the
 * exchange fails once MRC transmissions went unanswered or MRD passed since the first (0: no
 * limit).
 *
 * <p>Owned by its client's thread.
 */
final class Retransmission {

  /**
   * The timer's parameters.
   *
   * @param irtNanos IRT, the first timeout
   * @param mrtNanos MRT, the largest timeout
   * @param rand the randomisation: each timeout is multiplied by 1 + RAND, |RAND| at most this
   * @param mrc MRC, transmissions before the exchange fails; 0 for no limit
   * @param mrdNanos MRD, how long after the first transmission the exchange fails; 0 for no limit
   */
  record Schedule(long irtNanos, long mrtNanos, double rand, int mrc, long mrdNanos) {
    Schedule {
      if (irtNanos <= 0
          || mrtNanos < irtNanos
          || rand < 0
          || rand >= 1
          || mrc < 0
          || mrdNanos < 0) {
        throw new IllegalArgumentException("bad retransmission schedule: " + this);
      }
    }
  }

  private final Schedule schedule;
  private final RandomGenerator random;
  private int sent;
  private long rt;
  private long firstNanos;

  Retransmission(Schedule schedule, RandomGenerator random) {
    this.schedule = schedule;
    this.random = random;
  }

  /** Starts a new exchange: the next transmission is the first. */
  void restart() {
    sent = 0;
    rt = 0;
  }

  /** Transmissions in this exchange so far. */
  int sent() {
    return sent;
  }

  /** When this exchange's first transmission went out ({@code now} before there is one). */
  long firstSentNanos(long now) {
    return sent == 0 ? now : firstNanos;
  }

  /**
   * Records a transmission at {@code now}; returns when to transmit again or, if the exchange is
   * then {@link #exhausted}, to give up.
   */
  long transmitted(long now) {
    if (sent == 0) {
      firstNanos = now;
      rt = randomised(schedule.irtNanos());
    } else {
      rt = 2 * rt + (long) (rt * rand());
      if (rt > schedule.mrtNanos()) {
        rt = randomised(schedule.mrtNanos());
      }
    }
    sent++;
    long next = now + rt;
    if (schedule.mrdNanos() > 0) {
      next = Deadlines.earliest(next, firstNanos + schedule.mrdNanos());
    }
    return next;
  }

  /** Whether the exchange has failed at {@code now}: MRC transmissions made or MRD passed. */
  boolean exhausted(long now) {
    return (schedule.mrc() > 0 && sent >= schedule.mrc())
        || (schedule.mrdNanos() > 0 && sent > 0 && now - firstNanos >= schedule.mrdNanos());
  }

  private long randomised(long t) {
    return t + (long) (t * rand());
  }

  private double rand() {
    return schedule.rand() == 0 ? 0 : random.nextDouble(-schedule.rand(), schedule.rand());
  }
}
