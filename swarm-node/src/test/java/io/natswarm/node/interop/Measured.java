package io.natswarm.node.interop;

import io.natswarm.node.Transfer;
import io.natswarm.node.TransferProgress;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * How long a download took: from the call that added it, and from its first payload byte (the rate
 * LAB.md's libtorrent figures use) to every piece verified.
 *
 * @param bytes payload size
 * @param secondsFromStart from adding the torrent to complete
 * @param secondsFromFirstByte from the first payload byte to complete
 */
record Measured(long bytes, double secondsFromStart, double secondsFromFirstByte) {

  double mibPerSecond() {
    return bytes / (1024.0 * 1024.0) / secondsFromFirstByte;
  }

  double mibPerSecondFromStart() {
    return bytes / (1024.0 * 1024.0) / secondsFromStart;
  }

  @Override
  public String toString() {
    return String.format(
        java.util.Locale.ROOT,
        "%.1f MiB/s from the first byte (%.2f s), %.1f MiB/s from the start (%.2f s)",
        mibPerSecond(),
        secondsFromFirstByte,
        mibPerSecondFromStart(),
        secondsFromStart);
  }

  /**
   * Waits for {@code t} to complete, watching its progress for the first payload byte.
   *
   * @param startNanos when the torrent was added ({@link System#nanoTime()})
   */
  static Measured await(Transfer t, long bytes, long startNanos, Duration timeout)
      throws InterruptedException, ExecutionException, TimeoutException {
    long deadline = System.nanoTime() + timeout.toNanos();
    long firstByte = 0;
    while (!t.completion().isDone()) {
      if (firstByte == 0 && t.progress().downloadedBytes() > 0) {
        firstByte = System.nanoTime();
      }
      if (System.nanoTime() - deadline > 0) {
        throw new TimeoutException(
            "transfer " + t.infoHash() + " not complete after " + timeout + ": " + t.progress());
      }
      Thread.sleep(2);
    }
    TransferProgress done = t.completion().get(1, TimeUnit.SECONDS);
    long end = System.nanoTime();
    if (firstByte == 0) {
      firstByte = startNanos;
    }
    if (!done.complete()) {
      throw new IllegalStateException("completed without every piece: " + done);
    }
    return new Measured(bytes, (end - startNanos) / 1e9, (end - firstByte) / 1e9);
  }
}
