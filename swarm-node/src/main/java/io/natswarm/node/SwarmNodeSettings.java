package io.natswarm.node;

import io.natswarm.datagram.UdpEndpoint;
import io.natswarm.utp.UtpSettings;
import java.net.InetAddress;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * What a {@link SwarmNode} needs to start. Immutable; start from {@link #loopback()} (or the
 * command line's configuration) and change what you need with the {@code with...} methods.
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
 * @param utp µTP's settings (BEP 29, LEDBAT), the utp module's own ({@link UtpSettings#defaults()})
 * @param udpReceiveBufferBytes the kernel receive buffer asked for the node's one UDP socket
 *     ({@link UdpEndpoint#DEFAULT_SOCKET_BUFFER_BYTES}; the kernel may grant less)
 * @param udpSendBufferBytes the kernel send buffer asked for the node's one UDP socket
 * @param advertisedIpv6 the IPv6 address the node tells peers (BEP 10 {@code ipv6}) when it listens
 *     on {@code ::}, or null for the first global IPv6 address of its interfaces
 * @param nat port mapping and STUN ({@link NatTraversal#OFF}: neither)
 * @param peerExchange whether the node speaks ut_pex (BEP 11): tells peers about its other peers
 *     and learns theirs
 */
public record SwarmNodeSettings(
    InetAddress listenAddress,
    int listenPort,
    PeerEncryption encryption,
    EngineTuning tuning,
    Duration peerDiscoveryInterval,
    TrackerPolicy trackers,
    PeerTransports transports,
    DhtSettings dht,
    UtpSettings utp,
    int udpReceiveBufferBytes,
    int udpSendBufferBytes,
    InetAddress advertisedIpv6,
    NatTraversal nat,
    boolean peerExchange) {

  /**
   * Checks every setting: none null, a port of 0-65535, a positive discovery interval and positive
   * UDP buffer sizes.
   *
   * @throws IllegalArgumentException naming the setting that is missing or out of range
   */
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
    if (utp == null) {
      throw new IllegalArgumentException(
          "swarm node: utp must not be null (UtpSettings.defaults())");
    }
    if (udpReceiveBufferBytes <= 0 || udpSendBufferBytes <= 0) {
      throw new IllegalArgumentException(
          "swarm node: UDP socket buffers must be positive, were "
              + udpReceiveBufferBytes
              + " (receive) and "
              + udpSendBufferBytes
              + " (send)");
    }
    if (advertisedIpv6 != null && !(advertisedIpv6 instanceof java.net.Inet6Address)) {
      throw new IllegalArgumentException(
          "swarm node: advertisedIpv6 must be an IPv6 address, was " + advertisedIpv6);
    }
    if (nat == null) {
      throw new IllegalArgumentException("swarm node: nat must not be null (NatTraversal.OFF)");
    }
  }

  /** Settings with peer exchange (BEP 11) on. */
  public SwarmNodeSettings(
      InetAddress listenAddress,
      int listenPort,
      PeerEncryption encryption,
      EngineTuning tuning,
      Duration peerDiscoveryInterval,
      TrackerPolicy trackers,
      PeerTransports transports,
      DhtSettings dht,
      UtpSettings utp,
      int udpReceiveBufferBytes,
      int udpSendBufferBytes,
      InetAddress advertisedIpv6,
      NatTraversal nat) {
    this(
        listenAddress,
        listenPort,
        encryption,
        tuning,
        peerDiscoveryInterval,
        trackers,
        transports,
        dht,
        utp,
        udpReceiveBufferBytes,
        udpSendBufferBytes,
        advertisedIpv6,
        nat,
        true);
  }

  /** Settings without port mapping or STUN ({@link NatTraversal#OFF}). */
  public SwarmNodeSettings(
      InetAddress listenAddress,
      int listenPort,
      PeerEncryption encryption,
      EngineTuning tuning,
      Duration peerDiscoveryInterval,
      TrackerPolicy trackers,
      PeerTransports transports,
      DhtSettings dht,
      UtpSettings utp,
      int udpReceiveBufferBytes,
      int udpSendBufferBytes,
      InetAddress advertisedIpv6) {
    this(
        listenAddress,
        listenPort,
        encryption,
        tuning,
        peerDiscoveryInterval,
        trackers,
        transports,
        dht,
        utp,
        udpReceiveBufferBytes,
        udpSendBufferBytes,
        advertisedIpv6,
        NatTraversal.OFF);
  }

  /** Settings that advertise the interfaces' first global IPv6 address (on {@code ::}). */
  public SwarmNodeSettings(
      InetAddress listenAddress,
      int listenPort,
      PeerEncryption encryption,
      EngineTuning tuning,
      Duration peerDiscoveryInterval,
      TrackerPolicy trackers,
      PeerTransports transports,
      DhtSettings dht,
      UtpSettings utp,
      int udpReceiveBufferBytes,
      int udpSendBufferBytes) {
    this(
        listenAddress,
        listenPort,
        encryption,
        tuning,
        peerDiscoveryInterval,
        trackers,
        transports,
        dht,
        utp,
        udpReceiveBufferBytes,
        udpSendBufferBytes,
        null);
  }

  /**
   * Settings with µTP's and the UDP socket's defaults ({@link UtpSettings#defaults()}, {@link
   * UdpEndpoint#DEFAULT_SOCKET_BUFFER_BYTES}).
   */
  public SwarmNodeSettings(
      InetAddress listenAddress,
      int listenPort,
      PeerEncryption encryption,
      EngineTuning tuning,
      Duration peerDiscoveryInterval,
      TrackerPolicy trackers,
      PeerTransports transports,
      DhtSettings dht) {
    this(
        listenAddress,
        listenPort,
        encryption,
        tuning,
        peerDiscoveryInterval,
        trackers,
        transports,
        dht,
        UtpSettings.defaults(),
        UdpEndpoint.DEFAULT_SOCKET_BUFFER_BYTES,
        UdpEndpoint.DEFAULT_SOCKET_BUFFER_BYTES);
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
    return with(c -> c.encryption = value);
  }

  /** These settings with {@code value} as the engine tuning. */
  public SwarmNodeSettings withTuning(EngineTuning value) {
    return with(c -> c.tuning = value);
  }

  /** These settings dialling peers with {@code value}. */
  public SwarmNodeSettings withTransports(PeerTransports value) {
    return with(c -> c.transports = value);
  }

  /** These settings with {@code value} as the DHT. */
  public SwarmNodeSettings withDht(DhtSettings value) {
    return with(c -> c.dht = value);
  }

  /** These settings listening on {@code port} (0: any free port). */
  public SwarmNodeSettings withListenPort(int port) {
    return with(c -> c.listenPort = port);
  }

  /** These settings listening on {@code address}. */
  public SwarmNodeSettings withListenAddress(InetAddress address) {
    return with(c -> c.listenAddress = address);
  }

  /**
   * These settings telling peers {@code address} as this node's IPv6 address (null: the first
   * global IPv6 address of an interface); used when the node listens on {@code ::}.
   */
  public SwarmNodeSettings withAdvertisedIpv6(InetAddress address) {
    return with(c -> c.advertisedIpv6 = address);
  }

  /** These settings with {@code value} as what the node does about NATs. */
  public SwarmNodeSettings withNat(NatTraversal value) {
    return with(c -> c.nat = value);
  }

  /** These settings with peer exchange (BEP 11 ut_pex) on or off. */
  public SwarmNodeSettings withPeerExchange(boolean value) {
    return with(c -> c.peerExchange = value);
  }

  /** These settings with {@code value} as the tracker policy. */
  public SwarmNodeSettings withTrackers(TrackerPolicy value) {
    return with(c -> c.trackers = value);
  }

  /** These settings asking every peer source again every {@code value}. */
  public SwarmNodeSettings withPeerDiscoveryInterval(Duration value) {
    return with(c -> c.peerDiscoveryInterval = value);
  }

  /** These settings with {@code value} as µTP's settings. */
  public SwarmNodeSettings withUtp(UtpSettings value) {
    return with(c -> c.utp = value);
  }

  /** These settings asking the kernel for these UDP socket buffers (bytes). */
  public SwarmNodeSettings withUdpBuffers(int receiveBytes, int sendBytes) {
    return with(
        c -> {
          c.udpReceiveBufferBytes = receiveBytes;
          c.udpSendBufferBytes = sendBytes;
        });
  }

  /** These settings with {@code change} applied to a copy, validated as any new settings. */
  private SwarmNodeSettings with(Consumer<Copy> change) {
    Copy c = new Copy(this);
    change.accept(c);
    return c.build();
  }

  /** A mutable copy of the settings for the {@code with...} methods. */
  private static final class Copy {
    InetAddress listenAddress;
    int listenPort;
    PeerEncryption encryption;
    EngineTuning tuning;
    Duration peerDiscoveryInterval;
    TrackerPolicy trackers;
    PeerTransports transports;
    DhtSettings dht;
    UtpSettings utp;
    int udpReceiveBufferBytes;
    int udpSendBufferBytes;
    InetAddress advertisedIpv6;
    NatTraversal nat;
    boolean peerExchange;

    Copy(SwarmNodeSettings s) {
      listenAddress = s.listenAddress;
      listenPort = s.listenPort;
      encryption = s.encryption;
      tuning = s.tuning;
      peerDiscoveryInterval = s.peerDiscoveryInterval;
      trackers = s.trackers;
      transports = s.transports;
      dht = s.dht;
      utp = s.utp;
      udpReceiveBufferBytes = s.udpReceiveBufferBytes;
      udpSendBufferBytes = s.udpSendBufferBytes;
      advertisedIpv6 = s.advertisedIpv6;
      nat = s.nat;
      peerExchange = s.peerExchange;
    }

    SwarmNodeSettings build() {
      return new SwarmNodeSettings(
          listenAddress,
          listenPort,
          encryption,
          tuning,
          peerDiscoveryInterval,
          trackers,
          transports,
          dht,
          utp,
          udpReceiveBufferBytes,
          udpSendBufferBytes,
          advertisedIpv6,
          nat,
          peerExchange);
    }
  }
}
