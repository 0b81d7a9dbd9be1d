package io.natswarm.node.cli;

import io.natswarm.config.NodeConfig;
import io.natswarm.node.EngineTuning;
import io.natswarm.node.PeerEncryption;
import io.natswarm.node.PeerTransports;
import io.natswarm.node.SwarmNodeSettings;
import io.natswarm.node.TrackerPolicy;

/** Turns the configuration into what {@link io.natswarm.node.SwarmNode#start} takes. */
final class NodeSettings {
  private NodeSettings() {}

  static SwarmNodeSettings of(NodeConfig config) {
    var e = config.engine();
    EngineTuning tuning =
        new EngineTuning(
            e.maxAssignedPieces(),
            e.maxOutstandingRequests(),
            e.maxPieceReceivingTime(),
            e.effectiveHashingThreads(),
            e.networkBufferBytes(),
            e.maxMessageProcessingInterval());
    return new SwarmNodeSettings(
        config.listen().address(),
        config.listen().port(),
        PeerEncryption.valueOf(config.peers().encryption().name()),
        tuning,
        config.peers().discoveryInterval(),
        TrackerPolicy.valueOf(config.peers().trackers().name()),
        PeerTransports.valueOf(config.peers().transports().name()));
  }
}
