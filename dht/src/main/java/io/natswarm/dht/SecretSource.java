package io.natswarm.dht;

import java.security.SecureRandom;

/**
 * Where a node's secrets come from: the BEP 5 write-token secrets, which must be unguessable, or
 * anyone could compute a token for an address they do not own and announce it. Injected through
 * {@link DhtConfig} so that tests may pin it, and kept apart from the seeded {@link
 * java.util.Random} that makes node ids and transaction ids repeatable in tests
 * (docs/ARCHITECTURE.md: secrets come from {@code SecureRandom}, never from the seeded generator).
 * Called on the node's thread.
 */
@FunctionalInterface
public interface SecretSource {
  /**
   * One JDK {@link SecureRandom} (thread-safe), shared by every node that keeps the default;
   * created when this interface is first used.
   */
  SecretSource SECURE_RANDOM = new SecureRandom()::nextBytes;

  /** Fills {@code secret} with fresh unpredictable bytes. */
  void fill(byte[] secret);
}
