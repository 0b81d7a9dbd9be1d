package io.natswarm.config;

import static io.natswarm.config.ValueTypes.bool;
import static io.natswarm.config.ValueTypes.bytes;
import static io.natswarm.config.ValueTypes.choice;
import static io.natswarm.config.ValueTypes.duration;
import static io.natswarm.config.ValueTypes.hiddenText;
import static io.natswarm.config.ValueTypes.hostPorts;
import static io.natswarm.config.ValueTypes.integer;
import static io.natswarm.config.ValueTypes.ipAddress;
import static io.natswarm.config.ValueTypes.optionalHostPort;
import static io.natswarm.config.ValueTypes.path;
import static io.natswarm.config.ValueTypes.secret;
import static io.natswarm.config.ValueTypes.text;

import io.natswarm.dht.DhtConfig;
import io.natswarm.utp.UtpSettings;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Every setting of a node, in the order of the reference ({@code config/README.md}, generated from
 * this list by {@link Reference}). Defaults of µTP and the DHT are those modules' own defaults
 * ({@link UtpSettings#defaults()}, {@link DhtConfig#builder()}), read from them, not copied.
 */
public final class ConfigKeys {
  private ConfigKeys() {}

  private static final UtpSettings UTP = UtpSettings.defaults();
  private static final DhtConfig DHT = DhtConfig.builder().build();
  private static final List<Setting<?>> ALL = new ArrayList<>();
  private static final Map<String, String> SECTIONS = new LinkedHashMap<>();

  private static <T> Setting<T> add(String key, ValueType<T> type, T def, String description) {
    Setting<T> s = new Setting<>(key, type, def, description);
    ALL.add(s);
    return s;
  }

  private static Duration ms(long v) {
    return Duration.ofMillis(v);
  }

  // ---------------------------------------------------------------- listen
  static {
    SECTIONS.put("listen", "Where the node listens: one UDP socket and one TCP port, same number.");
  }

  public static final Setting<InetAddress> LISTEN_ADDRESS =
      add(
          "listen.address",
          ipAddress(),
          anyAddress(),
          "The address the node's UDP socket and TCP port are bound to; \"::\" (the default)"
              + " takes both IPv4 and IPv6 and lets a connection made over IPv4 move to IPv6"
              + " when both ends have a global IPv6 address; \"0.0.0.0\" for IPv4 only.");
  public static final Setting<Integer> LISTEN_PORT =
      add(
          "listen.port",
          integer(0, 65535, "0: any free port"),
          6881,
          "The port of the node's one UDP socket (µTP, DHT) and of its TCP listening port.");

  // ---------------------------------------------------------------- udp
  static {
    SECTIONS.put("udp", "The one UDP socket.");
  }

  public static final Setting<Integer> UDP_RECEIVE_BUFFER =
      add(
          "udp.receive_buffer",
          bytes(64 << 10, 64 << 20),
          4 << 20,
          "The socket's kernel receive buffer (the kernel may cap it: net.core.rmem_max).");
  public static final Setting<Integer> UDP_SEND_BUFFER =
      add(
          "udp.send_buffer",
          bytes(64 << 10, 64 << 20),
          4 << 20,
          "The socket's kernel send buffer (the kernel may cap it: net.core.wmem_max).");

  // ---------------------------------------------------------------- utp
  static {
    SECTIONS.put("utp", "µTP (BEP 29) connections.");
  }

  public static final Setting<Integer> UTP_MAX_CONNECTIONS =
      add(
          "utp.max_connections",
          integer(1, 1 << 20),
          UTP.maxConnections(),
          "Connections of all states the node holds at most; SYNs beyond are dropped.");
  public static final Setting<Integer> UTP_MAX_HALF_OPEN =
      add(
          "utp.max_half_open",
          integer(1, 1 << 20),
          UTP.maxHalfOpen(),
          "Accepted connections that have seen nothing but their SYN (at most"
              + " utp.max_connections).");
  public static final Setting<Integer> UTP_ACCEPT_BACKLOG =
      add(
          "utp.accept_backlog",
          integer(1, 1 << 20),
          UTP.acceptBacklog(),
          "Accepted connections waiting to be taken by the node.");
  public static final Setting<Integer> UTP_RECEIVE_BUFFER =
      add(
          "utp.receive_buffer",
          bytes(4096, 1 << 28),
          UTP.receiveBufferBytes(),
          "Each connection's receive buffer; the advertised window never exceeds it.");
  public static final Setting<Integer> UTP_SEND_BUFFER =
      add(
          "utp.send_buffer",
          bytes(4096, 1 << 28),
          UTP.sendBufferBytes(),
          "Each connection's send buffer (unsent plus unacknowledged bytes).");
  public static final Setting<Integer> UTP_PACKET_SIZE =
      add(
          "utp.packet_size",
          integer(150, 65_507),
          UTP.packetSize(),
          "UDP payload of a full µTP packet, header included (1472 fits a 1500-byte IPv4 MTU).");
  public static final Setting<Integer> UTP_MIN_PACKET_SIZE =
      add(
          "utp.min_packet_size",
          integer(150, 65_507),
          UTP.minPacketSize(),
          "The floor of path-MTU discovery (at most utp.packet_size).");
  public static final Setting<Integer> UTP_MAX_PACKET_SIZE =
      add(
          "utp.max_packet_size",
          integer(150, 65_507),
          UTP.maxPacketSize(),
          "The ceiling of path-MTU probing (at least utp.packet_size); above it, larger packets"
              + " are probed.");
  public static final Setting<Duration> UTP_CONNECT_TIMEOUT =
      add(
          "utp.connect_timeout",
          duration(ms(1), Duration.ofMinutes(10)),
          UTP.connectTimeout(),
          "How long a dialled connection waits for its SYN to be answered.");
  public static final Setting<Integer> UTP_SYN_RETRIES =
      add(
          "utp.syn_retries",
          integer(0, 10),
          UTP.synRetries(),
          "How often a SYN is resent before the connection fails.");
  public static final Setting<Duration> UTP_MIN_TIMEOUT =
      add(
          "utp.min_timeout",
          duration(ms(1), Duration.ofMinutes(1)),
          UTP.minTimeout(),
          "The floor of the retransmission timeout (BEP 29: 500 ms).");
  public static final Setting<Integer> UTP_MAX_CONSECUTIVE_TIMEOUTS =
      add(
          "utp.max_consecutive_timeouts",
          integer(1, 30),
          UTP.maxConsecutiveTimeouts(),
          "Retransmission timeouts in a row after which the peer is taken for dead.");
  public static final Setting<Duration> UTP_IDLE_TIMEOUT =
      add(
          "utp.idle_timeout",
          duration(Duration.ofSeconds(1), Duration.ofHours(24)),
          UTP.idleTimeout(),
          "A connection that receives nothing for this long fails.");
  public static final Setting<Duration> UTP_KEEP_ALIVE_INTERVAL =
      add(
          "utp.keep_alive_interval",
          duration(ms(100), Duration.ofHours(24)),
          UTP.keepAliveInterval(),
          "An idle connection sends a keep-alive this often, to keep NAT mappings (shorter than"
              + " utp.idle_timeout).");
  public static final Setting<Duration> UTP_TARGET_DELAY =
      add(
          "utp.target_delay",
          duration(ms(1), Duration.ofSeconds(1)),
          UTP.targetDelay(),
          "LEDBAT's queuing-delay target.");
  public static final Setting<Integer> UTP_GAIN_BYTES_PER_RTT =
      add(
          "utp.gain_bytes_per_rtt",
          integer(1, 1 << 20),
          UTP.gainBytesPerRtt(),
          "LEDBAT's largest window growth per round trip, in bytes.");
  public static final Setting<Duration> UTP_LINGER_TIME =
      add(
          "utp.linger_time",
          duration(ms(1), Duration.ofMinutes(10)),
          UTP.lingerTime(),
          "How long a closed connection still answers retransmitted FINs.");

  // ---------------------------------------------------------------- dht
  static {
    SECTIONS.put("dht", "The mainline DHT (BEP 5) on the node's UDP socket.");
  }

  public static final Setting<Boolean> DHT_IPV4 =
      add("dht.ipv4", bool(), true, "Run an IPv4 DHT node.");
  public static final Setting<Boolean> DHT_IPV6 =
      add(
          "dht.ipv6",
          bool(),
          false,
          "Run an IPv6 DHT node (BEP 32); needs listen.address \"::\" or an IPv6 address.");
  public static final Setting<List<HostPort>> DHT_BOOTSTRAP_NODES =
      add(
          "dht.bootstrap_nodes",
          hostPorts(),
          DhtConfig.PUBLIC_ROUTERS.stream().map(HostPort::parse).toList(),
          "Nodes to join the DHT through (host names are looked up when the node starts). The"
              + " default is the public routers; tests always give their own.");
  public static final Setting<String> DHT_TABLE_FILE =
      add(
          "dht.table_file",
          path(),
          "dht-routing-table",
          "Where the routing table is kept across restarts (relative: in storage.state_dir); the"
              + " IPv6 node's file has \"-v6\" appended.");
  public static final Setting<Integer> DHT_K =
      add("dht.k", integer(1, 64), DHT.k(), "Bucket size and lookup result size.");
  public static final Setting<Integer> DHT_ALPHA =
      add("dht.alpha", integer(1, 16), DHT.alpha(), "Parallel requests per lookup.");
  public static final Setting<Boolean> DHT_READ_ONLY =
      add(
          "dht.read_only",
          bool(),
          DHT.readOnly(),
          "BEP 43: ask others not to add us, answer no queries.");
  public static final Setting<Boolean> DHT_ENFORCE_BEP42 =
      add(
          "dht.enforce_bep42",
          bool(),
          DHT.enforceBep42(),
          "Reject routing-table entries whose id does not match their address (BEP 42).");
  public static final Setting<Integer> DHT_MAX_PER_SUBNET =
      add(
          "dht.max_per_subnet",
          integer(0, 1024, "0: no limit"),
          DHT.maxPerSubnet(),
          "Most nodes of one /24 (IPv4) or /64 (IPv6) per bucket.");
  public static final Setting<Boolean> DHT_UNIQUE_IPS =
      add(
          "dht.unique_ips",
          bool(),
          DHT.uniqueIps(),
          "At most one routing-table entry per IP address (turn off for nodes on loopback).");
  public static final Setting<Boolean> DHT_EXTENDED_BUCKETS =
      add(
          "dht.extended_buckets",
          bool(),
          DHT.extendedBuckets(),
          "Larger far buckets for shorter lookups.");
  public static final Setting<Duration> DHT_MIN_TIMEOUT =
      add(
          "dht.min_timeout",
          duration(Duration.ZERO, Duration.ofMinutes(1)),
          DHT.minTimeout(),
          "Lower bound of a query's adaptive (stall) timeout (at most dht.query_timeout).");
  public static final Setting<Duration> DHT_QUERY_TIMEOUT =
      add(
          "dht.query_timeout",
          duration(ms(10), Duration.ofMinutes(1)),
          DHT.queryTimeout(),
          "A query not answered within this has failed.");
  public static final Setting<Duration> DHT_LOOKUP_TIMEOUT =
      add(
          "dht.lookup_timeout",
          duration(ms(10), Duration.ofMinutes(10)),
          DHT.lookupTimeout(),
          "A lookup ends with what it has after this long (at least dht.query_timeout).");
  public static final Setting<Integer> DHT_QUERIES_PER_SECOND =
      add(
          "dht.queries_per_second",
          integer(0, 1_000_000, "0: no limit"),
          DHT.queriesPerSecond(),
          "Queries answered per second from one IP address.");
  public static final Setting<Integer> DHT_QUERY_BURST =
      add(
          "dht.query_burst",
          integer(1, 1_000_000),
          DHT.queryBurst(),
          "Queries one IP address may send in a burst.");
  public static final Setting<Integer> DHT_MAX_ANNOUNCES_PER_SOURCE =
      add(
          "dht.max_announces_per_source",
          integer(0, 1_000_000, "0: never ban"),
          DHT.maxAnnouncesPerSource(),
          "Valid announces one address may send within five minutes before it is banned.");
  public static final Setting<Integer> DHT_MAX_VALUES =
      add(
          "dht.max_values",
          integer(0, 200),
          DHT.maxValues(),
          "Most peers returned in one get_peers answer.");
  public static final Setting<Integer> DHT_AMPLIFICATION =
      add(
          "dht.amplification",
          integer(1, 100),
          DHT.amplification(),
          "An answer is at most this many times the size of its query.");
  public static final Setting<Duration> DHT_PEER_TTL =
      add(
          "dht.peer_ttl",
          duration(Duration.ofSeconds(1), Duration.ofHours(24)),
          DHT.peerTtl(),
          "How long an announced peer is kept.");
  public static final Setting<Duration> DHT_TOKEN_ROTATION =
      add(
          "dht.token_rotation",
          duration(Duration.ofSeconds(1), Duration.ofHours(24)),
          DHT.tokenRotation(),
          "How often the announce-token secret changes (tokens stay valid for two periods).");

  // ---------------------------------------------------------------- peers
  static {
    SECTIONS.put("peers", "Peer connections of the BitTorrent engine.");
  }

  public static final Setting<PeerEncryptionPolicy> PEERS_ENCRYPTION =
      add(
          "peers.encryption",
          choice(PeerEncryptionPolicy.class),
          PeerEncryptionPolicy.PREFER_ENCRYPTED,
          "Message Stream Encryption of peer connections.");
  public static final Setting<TrackerAccess> PEERS_TRACKERS =
      add(
          "peers.trackers",
          choice(TrackerAccess.class),
          TrackerAccess.ANY,
          "Which trackers named by a torrent may be contacted.");
  public static final Setting<Duration> PEERS_DISCOVERY_INTERVAL =
      add(
          "peers.discovery_interval",
          duration(Duration.ofSeconds(1), Duration.ofHours(1)),
          Duration.ofSeconds(5),
          "How often every peer source is asked again for peers.");

  public static final Setting<PeerTransportChoice> PEERS_TRANSPORTS =
      add(
          "peers.transports",
          choice(PeerTransportChoice.class),
          PeerTransportChoice.UTP_THEN_TCP,
          "How the node dials peers; it always accepts µTP and TCP on its port.");

  public static final Setting<Boolean> PEERS_PEX =
      add(
          "peers.pex",
          bool(),
          true,
          "Exchange peers with peers (BEP 11 ut_pex); private torrents never do.");

  // ---------------------------------------------------------------- engine
  static {
    SECTIONS.put("engine", "Speed knobs of the BitTorrent engine (Bt).");
  }

  public static final Setting<Integer> ENGINE_MAX_ASSIGNED_PIECES =
      add(
          "engine.max_assigned_pieces",
          integer(1, 1024),
          32,
          "Pieces requested from one peer at a time.");
  public static final Setting<Integer> ENGINE_MAX_OUTSTANDING_REQUESTS =
      add(
          "engine.max_outstanding_requests",
          integer(1, 100_000),
          250,
          "Block requests queued per peer.");
  public static final Setting<Duration> ENGINE_MAX_PIECE_RECEIVING_TIME =
      add(
          "engine.max_piece_receiving_time",
          duration(ms(100), Duration.ofMinutes(10)),
          Duration.ofSeconds(5),
          "How long one assigned piece may take before it is given to another peer.");
  public static final Setting<Integer> ENGINE_HASHING_THREADS =
      add(
          "engine.hashing_threads",
          integer(0, 256, "0: one per core"),
          0,
          "Threads that check pieces when a torrent starts.");
  public static final Setting<Integer> ENGINE_NETWORK_BUFFER =
      add(
          "engine.network_buffer",
          bytes(64 << 10, 64 << 20),
          1 << 20,
          "Each peer connection's receive and send buffer.");
  public static final Setting<Duration> ENGINE_MAX_MESSAGE_PROCESSING_INTERVAL =
      add(
          "engine.max_message_processing_interval",
          duration(ms(1), Duration.ofSeconds(10)),
          ms(1),
          "The longest pause of the engine's message loop when idle.");

  // ---------------------------------------------------------------- storage
  static {
    SECTIONS.put("storage", "Where files and state live.");
  }

  public static final Setting<String> STORAGE_DOWNLOAD_DIR =
      add(
          "storage.download_dir",
          path(),
          ".",
          "Where downloads go unless the command names a directory (natswarm get --to).");
  public static final Setting<String> STORAGE_STATE_DIR =
      add(
          "storage.state_dir",
          path(),
          "~/.local/state/natswarm",
          "Where the node keeps its state (the DHT routing table).");

  // ---------------------------------------------------------------- log
  static {
    SECTIONS.put("log", "Logging (to standard error).");
  }

  public static final Setting<LogLevel> LOG_LEVEL =
      add("log.level", choice(LogLevel.class), LogLevel.WARN, "The least severe level logged.");

  // ---------------------------------------------------------------- status
  static {
    SECTIONS.put(
        "status", "The status server: JSON status, Prometheus metrics and a web page (issue 10).");
  }

  public static final Setting<Optional<HostPort>> STATUS_LISTEN =
      add(
          "status.listen",
          optionalHostPort(),
          Optional.empty(),
          "Where the status server listens (natswarm --status), e.g. \"127.0.0.1:8080\"; empty:"
              + " no status server. An address that is not loopback needs status.token.");
  public static final Setting<String> STATUS_TOKEN =
      add(
          "status.token",
          secret(),
          "",
          "The secret every state-changing request to the status server carries (header"
              + " X-Natswarm-Token); empty: a random one made at start, given only to a page served"
              + " on loopback.");

  // ---------------------------------------------------------------- nat
  static {
    SECTIONS.put("nat", "Reachability and NAT traversal (issue 11).");
  }

  public static final Setting<Boolean> NAT_PORT_MAPPING =
      add(
          "nat.port_mapping",
          bool(),
          true,
          "Ask the gateway to map the node's port for UDP and TCP (PCP, then NAT-PMP, then"
              + " UPnP-IGD), renew it while the node runs and delete it when it stops. Not on a"
              + " loopback listen address.");
  public static final Setting<Integer> NAT_PORT_MAPPING_LIFETIME =
      add(
          "nat.port_mapping_lifetime",
          integer(120, 86_400),
          7200,
          "The lifetime, in seconds, asked of the gateway for each port mapping (PCP and NAT-PMP);"
              + " the node renews a mapping at 1/2 to 5/8 of the lifetime granted, so a gateway"
              + " that restarted or lost the mapping gets it back within that time. 120 is the"
              + " minimum lifetime RFC 6887 (section 15) has servers allow; 7200 is what RFC 6886"
              + " recommends.");
  public static final Setting<Boolean> NAT_PEER_RELAY =
      add(
          "nat.peer_relay",
          bool(),
          true,
          "Relay connections between two peers of a torrent that cannot reach each other, and ask"
              + " peers to relay the node's own when neither a direct dial nor a hole punch gets"
              + " through (ns_relay, end-to-end encrypted; at most 4 circuits per peer and 32 in"
              + " all, 256 MiB and 15 minutes each). false: neither.");
  public static final Setting<Optional<HostPort>> NAT_STUN_SERVER =
      add(
          "nat.stun_server",
          optionalHostPort(),
          Optional.empty(),
          "A STUN server to measure the NAT with from the node's own port, e.g."
              + " \"stun.example.net:3478\" (one with two addresses, such as coturn's RFC 5780"
              + " mode, also tells the NAT's behaviour); empty: none, the peers' and the DHT's"
              + " address votes still tell the external address.");

  public static final Setting<Optional<HostPort>> NAT_TURN_SERVER =
      add(
          "nat.turn_server",
          optionalHostPort(),
          Optional.empty(),
          "A TURN server the operator runs (RFC 8656, UDP, long-term credentials), the ladder's"
              + " last rung: when neither a direct dial, a hole punch nor a peer relay reaches a"
              + " peer, the node takes a relayed address there and asks a peer connected to both"
              + " (ns_turn) to have the other side dial it, e.g. \"turn.example.net:3478\"; empty:"
              + " none.");
  public static final Setting<String> NAT_TURN_USERNAME =
      add(
          "nat.turn_username",
          text(),
          "",
          "The user name of the TURN server's long-term credentials (needed with"
              + " nat.turn_server).");
  public static final Setting<String> NAT_TURN_PASSWORD =
      add(
          "nat.turn_password",
          hiddenText(),
          "",
          "The password of the TURN server's long-term credentials (needed with"
              + " nat.turn_server); prefer the environment variable NATSWARM_NAT_TURN_PASSWORD to"
              + " a file.");

  /** Every setting, in reference order. */
  public static List<Setting<?>> all() {
    return Collections.unmodifiableList(ALL);
  }

  /** The tables of the file, in reference order, with what each holds. */
  public static Map<String, String> sections() {
    return Collections.unmodifiableMap(SECTIONS);
  }

  /** The setting with {@code key}, or null. */
  public static Setting<?> byKey(String key) {
    for (Setting<?> s : ALL) {
      if (s.key().equals(key)) {
        return s;
      }
    }
    return null;
  }

  /** The keys of {@code section}. */
  static Set<String> keysOf(String section) {
    Set<String> keys = new LinkedHashSet<>();
    for (Setting<?> s : ALL) {
      if (s.section().equals(section)) {
        keys.add(s.key());
      }
    }
    return keys;
  }

  private static InetAddress anyAddress() {
    return ValueTypes.ipAddress().parse("::").value();
  }
}
