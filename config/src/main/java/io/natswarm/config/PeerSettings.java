package io.natswarm.config;

import java.time.Duration;

/**
 * The BitTorrent engine's peer connections.
 *
 * @param encryption whether connections use MSE
 * @param trackers which trackers may be contacted
 * @param discoveryInterval how often every peer source is asked again
 * @param transports how the node dials peers
 * @param pex whether the node exchanges peers with its peers (BEP 11 ut_pex)
 */
public record PeerSettings(
    PeerEncryptionPolicy encryption,
    TrackerAccess trackers,
    Duration discoveryInterval,
    PeerTransportChoice transports,
    boolean pex) {}
