package io.natswarm.config;

import java.time.Duration;

/**
 * The BitTorrent engine's speed knobs (the node's {@code EngineTuning}; each is explained there).
 *
 * @param maxAssignedPieces pieces requested from one peer at a time
 * @param maxOutstandingRequests block requests queued per peer
 * @param maxPieceReceivingTime how long one piece may take before another peer gets it
 * @param hashingThreads threads that check pieces at start; 0 for one per core
 * @param networkBufferBytes each connection's buffers
 * @param maxMessageProcessingInterval the message loop's longest idle pause
 */
public record EngineSettings(
    int maxAssignedPieces,
    int maxOutstandingRequests,
    Duration maxPieceReceivingTime,
    int hashingThreads,
    int networkBufferBytes,
    Duration maxMessageProcessingInterval) {

  /** {@link #hashingThreads}, with 0 replaced by the number of cores. */
  public int effectiveHashingThreads() {
    return hashingThreads == 0
        ? Math.max(1, Runtime.getRuntime().availableProcessors())
        : hashingThreads;
  }
}
