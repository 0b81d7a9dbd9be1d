package io.natswarm.config;

import io.natswarm.utp.UtpSettings;

/**
 * A node's whole configuration: one immutable record per module, as read by {@link ConfigLoader}
 * from the TOML file, the environment and the command line. Every value in it has been validated.
 *
 * @param listen where the node listens
 * @param udp the UDP socket
 * @param utp µTP, the utp module's own settings
 * @param dht the DHT
 * @param peers the BitTorrent engine's peer connections
 * @param engine the BitTorrent engine's speed knobs
 * @param storage where files and state live
 * @param log logging
 * @param status the status server (JSON, metrics, web page)
 * @param nat reachability and NAT traversal
 */
public record NodeConfig(
    ListenSettings listen,
    UdpSocketSettings udp,
    UtpSettings utp,
    DhtSettings dht,
    PeerSettings peers,
    EngineSettings engine,
    StorageSettings storage,
    LogSettings log,
    StatusSettings status,
    NatSettings nat) {}
