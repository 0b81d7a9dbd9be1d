package io.natswarm.node;

import java.net.InetAddress;
import java.time.Duration;

/**
 * What a {@link SwarmNode} needs to start.
 *
 * @param listenAddress the address the node accepts peer connections on and advertises
 * @param listenPort the port peers connect to, over µTP (UDP) and TCP alike; 0 picks a port free
 *     for both when the node starts
 * @param encryption whether peer connections use MSE
 * @param tuning the engine's speed knobs
 * @param peerDiscoveryInterval how often every peer source (trackers, peers given to {@link
 *     Transfer#connect}) is asked again for peers
 * @param trackers which trackers may be contacted
 * @param transports how the node dials peers (it always accepts µTP and TCP on its port)
 * @param dht the DHT as a peer source ({@link DhtSettings#OFF}: none)
 */
public record SwarmNodeSettings(
    InetAddress listenAddress,
    int listenPort,
    PeerEncryption encryption,
    EngineTuning tuning,
    Duration peerDiscoveryInterval,
    TrackerPolicy trackers,
    PeerTransports transports,
    DhtSettings dht) {

  public SwarmNodeSettings {
    if (listenAddress == null) {
      throw new IllegalArgumentException("swarm node: listenAddress must not be null");
    }
    if (listenPort < 0 || listenPort > 65535) {
      throw new IllegalArgumentException(
          "swarm node: listenPort must be 0 (any free port) or 1-65535, was " + listenPort);
    }
    if (encryption == null) {
      throw new IllegalArgumentException("swarm node: encryption must not be null");
    }
    if (tuning == null) {
      throw new IllegalArgumentException("swarm node: tuning must not be null");
    }
    if (peerDiscoveryInterval == null
        || peerDiscoveryInterval.isNegative()
        || peerDiscoveryInterval.isZero()) {
      throw new IllegalArgumentException(
          "swarm node: peerDiscoveryInterval must be a positive duration, was "
              + peerDiscoveryInterval);
    }
    if (trackers == null) {
      throw new IllegalArgumentException("swarm node: trackers must not be null");
    }
    if (transports == null) {
      throw new IllegalArgumentException("swarm node: transports must not be null");
    }
    if (dht == null) {
      throw new IllegalArgumentException("swarm node: dht must not be null (DhtSettings.OFF)");
    }
  }

  /**
   * Settings that dial µTP first, then TCP ({@link PeerTransports#UTP_THEN_TCP}), without a DHT.
   */
  public SwarmNodeSettings(
      InetAddress listenAddress,
      int listenPort,
      PeerEncryption encryption,
      EngineTuning tuning,
      Duration peerDiscoveryInterval,
      TrackerPolicy trackers) {
    this(
        listenAddress,
        listenPort,
        encryption,
        tuning,
        peerDiscoveryInterval,
        trackers,
        PeerTransports.UTP_THEN_TCP,
        DhtSettings.OFF);
  }

  /** Settings without a DHT ({@link DhtSettings#OFF}; add one with {@link #withDht}). */
  public SwarmNodeSettings(
      InetAddress listenAddress,
      int listenPort,
      PeerEncryption encryption,
      EngineTuning tuning,
      Duration peerDiscoveryInterval,
      TrackerPolicy trackers,
      PeerTransports transports) {
    this(
        listenAddress,
        listenPort,
        encryption,
        tuning,
        peerDiscoveryInterval,
        trackers,
        transports,
        DhtSettings.OFF);
  }

  /**
   * A node on the loopback address, on a free port, preferring encryption, with the measured engine
   * tuning and loopback trackers only: what tests and the offline demo use.
   */
  public static SwarmNodeSettings loopback() {
    return new SwarmNodeSettings(
        InetAddress.getLoopbackAddress(),
        0,
        PeerEncryption.PREFER_ENCRYPTED,
        EngineTuning.measured(),
        Duration.ofSeconds(5),
        TrackerPolicy.LOOPBACK_ONLY,
        PeerTransports.UTP_THEN_TCP,
        DhtSettings.OFF);
  }

  /** These settings with {@code value} as the encryption policy. */
  public SwarmNodeSettings withEncryption(PeerEncryption value) {
    return new SwarmNodeSettings(
        listenAddress, listenPort, value, tuning, peerDiscoveryInterval, trackers, transports, dht);
  }

  /** These settings with {@code value} as the engine tuning. */
  public SwarmNodeSettings withTuning(EngineTuning value) {
    return new SwarmNodeSettings(
        listenAddress,
        listenPort,
        encryption,
        value,
        peerDiscoveryInterval,
        trackers,
        transports,
        dht);
  }

  /** These settings dialling peers with {@code value}. */
  public SwarmNodeSettings withTransports(PeerTransports value) {
    return new SwarmNodeSettings(
        listenAddress, listenPort, encryption, tuning, peerDiscoveryInterval, trackers, value, dht);
  }

  /** These settings with {@code value} as the DHT. */
  public SwarmNodeSettings withDht(DhtSettings value) {
    return new SwarmNodeSettings(
        listenAddress,
        listenPort,
        encryption,
        tuning,
        peerDiscoveryInterval,
        trackers,
        transports,
        value);
  }

  /** These settings listening on {@code port} (0: any free port). */
  public SwarmNodeSettings withListenPort(int port) {
    return new SwarmNodeSettings(
        listenAddress, port, encryption, tuning, peerDiscoveryInterval, trackers, transports, dht);
  }
}
