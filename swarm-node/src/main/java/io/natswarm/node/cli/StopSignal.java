package io.natswarm.node.cli;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Asks a running command to stop, and lets the asker wait until it has: SIGTERM (a JVM shutdown
 * hook) trips it and waits for {@link #finished()} so that storage is flushed and the DHT table
 * saved before the process ends. Thread-safe.
 */
public final class StopSignal {
  private final CountDownLatch stop = new CountDownLatch(1);
  private final CountDownLatch done = new CountDownLatch(1);

  /** Asks the command to stop. Idempotent. */
  public void trip() {
    stop.countDown();
  }

  /** Whether a stop was asked for. */
  public boolean tripped() {
    return stop.getCount() == 0;
  }

  /** Waits up to {@code timeout} for a stop; true if one was asked for. */
  public boolean await(Duration timeout) throws InterruptedException {
    return stop.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** The command has cleaned up (or never started anything). */
  public void finished() {
    done.countDown();
  }

  /** Waits up to {@code timeout} for {@link #finished()}; true if it came. */
  public boolean awaitFinished(Duration timeout) throws InterruptedException {
    return done.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }
}
