package io.natswarm.utp;

/**
 * 16-bit sequence and ack number arithmetic with wraparound (BEP 29: seq_nr and ack_nr are uint16).
 * Comparisons are valid while the two numbers are less than 32,768 apart. Stateless.
 */
final class SeqNr {
  static final int MASK = 0xFFFF;

  private SeqNr() {}

  /** {@code a + n} modulo 2^16. */
  static int add(int a, int n) {
    return (a + n) & MASK;
  }

  /**
   * The signed distance from {@code b} to {@code a}: positive when {@code a} is after {@code b}.
   */
  static int diff(int a, int b) {
    return (short) (a - b);
  }

  /** True if {@code a} comes strictly before {@code b}. */
  static boolean before(int a, int b) {
    return diff(a, b) < 0;
  }
}
