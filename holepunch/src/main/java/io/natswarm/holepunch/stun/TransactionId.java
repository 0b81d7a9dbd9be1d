package io.natswarm.holepunch.stun;

import java.nio.ByteBuffer;
import java.util.random.RandomGenerator;

/**
 * A STUN transaction id: 96 random bits (RFC 8489 section 5), kept as two primitives so that
 * matching a response to its request allocates nothing.
 *
 * @param high the first 8 bytes, big-endian
 * @param low the last 4 bytes, big-endian
 */
public record TransactionId(long high, int low) {

  /** A fresh random id. */
  public static TransactionId random(RandomGenerator random) {
    return new TransactionId(random.nextLong(), random.nextInt());
  }

  /** Reads 12 bytes at {@code index} of {@code b} (absolute; the buffer is unchanged). */
  static TransactionId read(ByteBuffer b, int index) {
    return new TransactionId(b.getLong(index), b.getInt(index + 8));
  }

  /** True when the 12 bytes at {@code index} of {@code b} are this id. */
  boolean matches(ByteBuffer b, int index) {
    return b.getLong(index) == high && b.getInt(index + 8) == low;
  }

  void write(ByteBuffer b) {
    b.putLong(high).putInt(low);
  }
}
