package io.natswarm.node;

import java.time.Duration;

/**
 * The knobs of the BitTorrent engine (Bt 1.10) that decide its speed, kept apart from the node's
 * other settings so that each change can be measured against Bt's own defaults (issue 9: measured
 * stages). {@link #btDefaults()} is Bt's configuration unchanged; {@link #measured()} is what the
 * measurements in {@code io.natswarm.node.bt.EngineConfig} chose.
 *
 * @param maxSimultaneouslyAssignedPieces pieces requested from one peer at a time (Bt's request
 *     pipeline is this many pieces' blocks)
 * @param maxOutstandingRequests requests queued per peer
 * @param maxPieceReceivingTime how long one assigned piece may take before it is given to another
 *     peer
 * @param hashingThreads threads that hash pieces when a torrent is checked at start, and the data
 *     worker's threads that write and hash received pieces
 * @param networkBufferBytes each connection's receive and send buffer
 * @param maxMessageProcessingInterval the longest back-off of Bt's message dispatcher when idle
 */
public record EngineTuning(
    int maxSimultaneouslyAssignedPieces,
    int maxOutstandingRequests,
    Duration maxPieceReceivingTime,
    int hashingThreads,
    int networkBufferBytes,
    Duration maxMessageProcessingInterval) {

  /**
   * Checks every knob: the durations positive, at least one piece, request and hashing thread, and
   * buffers of at least 64 KiB.
   *
   * @throws IllegalArgumentException naming the knob that is out of range
   */
  public EngineTuning {
    positive("maxPieceReceivingTime", maxPieceReceivingTime);
    positive("maxMessageProcessingInterval", maxMessageProcessingInterval);
    atLeast("maxSimultaneouslyAssignedPieces", maxSimultaneouslyAssignedPieces, 1);
    atLeast("maxOutstandingRequests", maxOutstandingRequests, 1);
    atLeast("hashingThreads", hashingThreads, 1);
    atLeast("networkBufferBytes", networkBufferBytes, 64 * 1024);
  }

  /**
   * The first shape of this record, kept so that configuration code written against it compiles:
   * {@code mseWaitBetweenReads} is ignored. It was how long Bt's MSE handshake slept after a read
   * that returned nothing; since stage 2 the node's own transport reads the handshake through a
   * blocking view that waits for bytes, and never naps.
   */
  public EngineTuning(
      Duration mseWaitBetweenReads,
      int maxSimultaneouslyAssignedPieces,
      int maxOutstandingRequests,
      Duration maxPieceReceivingTime,
      int hashingThreads,
      int networkBufferBytes,
      Duration maxMessageProcessingInterval) {
    this(
        maxSimultaneouslyAssignedPieces,
        maxOutstandingRequests,
        maxPieceReceivingTime,
        hashingThreads,
        networkBufferBytes,
        maxMessageProcessingInterval);
  }

  /** Bt 1.10's own values ({@code bt.runtime.Config}'s constructor). */
  public static EngineTuning btDefaults() {
    return new EngineTuning(3, 250, Duration.ofSeconds(5), 1, 1024 * 1024, Duration.ofMillis(100));
  }

  /**
   * The values the stage 0 measurements chose (see {@code io.natswarm.node.bt.EngineConfig} for
   * each value's measurement).
   */
  public static EngineTuning measured() {
    return new EngineTuning(
        32,
        250,
        Duration.ofSeconds(5),
        Math.max(1, Runtime.getRuntime().availableProcessors()),
        1024 * 1024,
        Duration.ofMillis(1));
  }

  private static void positive(String name, Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(
          "engine tuning: " + name + " must be a positive duration, was " + d);
    }
  }

  private static void atLeast(String name, int value, int min) {
    if (value < min) {
      throw new IllegalArgumentException(
          "engine tuning: " + name + " must be at least " + min + ", was " + value);
    }
  }
}
