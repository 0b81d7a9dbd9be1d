package io.natswarm.config;

import java.time.Duration;

/**
 * The BitTorrent engine's peer connections.
 *
 * @param encryption whether connections use MSE
 * @param trackers which trackers may be contacted
 * @param discoveryInterval how often every peer source is asked again
 * @param transports how the node dials peers
 */
public record PeerSettings(
    PeerEncryptionPolicy encryption,
    TrackerAccess trackers,
    Duration discoveryInterval,
    PeerTransportChoice transports) {}
