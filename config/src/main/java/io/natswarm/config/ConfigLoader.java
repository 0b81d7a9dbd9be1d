package io.natswarm.config;

import static io.natswarm.config.ConfigKeys.*;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import io.natswarm.dht.DhtConfig;
import io.natswarm.utp.UtpSettings;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Reads a node's settings from the defaults, a TOML file, the environment and the command line,
 * each overriding the one before, and validates them. Every problem is collected and reported
 * together in a {@link ConfigException} whose lines name the source, the key, the value and what is
 * allowed; nothing else is thrown.
 *
 * <p>Unknown keys are errors (a misspelt key must not silently keep its default), in the file, in
 * options, and in environment variables that name a table of the file ({@code NATSWARM_DHT_*});
 * other {@code NATSWARM_*} variables belong to the scripts and are left alone.
 */
public final class ConfigLoader {
  /** A configuration file larger than this is refused unread. */
  static final long MAX_FILE_BYTES = 1 << 20;

  private static final Optional<Path> NO_FILE = Optional.empty();

  private final Map<String, Object> values = new LinkedHashMap<>();
  private final Map<String, String> origins = new HashMap<>();
  private final List<ConfigProblem> problems = new ArrayList<>();

  private ConfigLoader() {
    for (Setting<?> s : ConfigKeys.all()) {
      values.put(s.key(), s.defaultValue());
      origins.put(s.key(), "default");
    }
  }

  /** Reads and validates the settings of {@code sources}. */
  public static LoadedConfig load(ConfigSources sources) throws ConfigException {
    return new ConfigLoader().run(sources);
  }

  /** The defaults alone (which always validate). */
  public static NodeConfig defaults(Path home) {
    try {
      return load(ConfigSources.none(home)).config();
    } catch (ConfigException e) {
      throw new IllegalStateException("the defaults do not validate: " + e.getMessage(), e);
    }
  }

  private LoadedConfig run(ConfigSources sources) throws ConfigException {
    Optional<Path> file = readFile(sources);
    readEnvironment(sources.environment());
    for (ConfigSources.OptionValue o : sources.overrides()) {
      readText("option " + o.option(), o.key(), o.value());
    }
    failIfProblems();
    checkTogether();
    failIfProblems();
    NodeConfig config = build(sources.home());
    failIfProblems();
    Map<String, String> text = new LinkedHashMap<>();
    for (Setting<?> s : ConfigKeys.all()) {
      text.put(s.key(), s.format(values.get(s.key())));
    }
    return new LoadedConfig(config, file, text, origins);
  }

  private void failIfProblems() throws ConfigException {
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
  }

  // ------------------------------------------------------------------ the file

  private Optional<Path> readFile(ConfigSources sources) {
    Path path;
    String how;
    if (sources.configFile().isPresent()) {
      path = sources.configFile().get();
      how = "option --config";
    } else if (sources.environment().containsKey(ConfigSources.CONFIG_ENV)) {
      String p = sources.environment().get(ConfigSources.CONFIG_ENV);
      if (p.isBlank()) {
        problems.add(
            new ConfigProblem(
                "environment " + ConfigSources.CONFIG_ENV,
                null,
                "\"\"",
                "empty",
                "the path of a TOML file"));
        return NO_FILE;
      }
      path = expandHome(p, sources.home());
      how = "environment " + ConfigSources.CONFIG_ENV;
    } else {
      Path standard = standardFile(sources);
      if (!Files.isRegularFile(standard)) {
        return NO_FILE;
      }
      path = standard;
      how = null;
    }
    String source = "config file " + path + (how == null ? "" : " (from " + how + ")");
    byte[] bytes;
    try {
      if (Files.isDirectory(path)) {
        problems.add(new ConfigProblem(source, null, null, "is a directory", "a TOML file"));
        return NO_FILE;
      }
      if (Files.size(path) > MAX_FILE_BYTES) {
        problems.add(
            new ConfigProblem(
                source, null, null, "is larger than 1 MiB", "a TOML file of at most 1 MiB"));
        return NO_FILE;
      }
      bytes = Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      problems.add(
          new ConfigProblem(source, null, null, "does not exist", "an existing TOML file"));
      return NO_FILE;
    } catch (AccessDeniedException e) {
      problems.add(
          new ConfigProblem(
              source, null, null, "cannot be read: permission denied", "a readable TOML file"));
      return NO_FILE;
    } catch (IOException e) {
      problems.add(
          new ConfigProblem(
              source, null, null, "cannot be read: " + e.getMessage(), "a readable TOML file"));
      return NO_FILE;
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      problems.add(new ConfigProblem(source, null, null, "is not UTF-8 text", "a TOML file"));
      return NO_FILE;
    }
    JsonNode root;
    try {
      root = new TomlMapper().readTree(text);
    } catch (JacksonException e) {
      JsonLocation at = e.getLocation();
      String where =
          at == null || at.getLineNr() < 1
              ? ""
              : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
      problems.add(
          new ConfigProblem(
              source,
              null,
              null,
              "is not valid TOML" + where + ": " + firstLine(e.getOriginalMessage()),
              "TOML (https://toml.io) with the tables and keys of the reference"));
      return NO_FILE;
    }
    String fileSource = "file " + path;
    if (root != null) {
      readTree(fileSource, root);
    }
    return Optional.of(path);
  }

  private static Path standardFile(ConfigSources sources) {
    String xdg = sources.environment().get("XDG_CONFIG_HOME");
    Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : sources.home().resolve(".config");
    return base.resolve("natswarm").resolve("natswarm.toml");
  }

  private void readTree(String source, JsonNode root) {
    for (Map.Entry<String, JsonNode> table : root.properties()) {
      String section = table.getKey();
      if (!ConfigKeys.sections().containsKey(section)) {
        problems.add(
            new ConfigProblem(
                source,
                section,
                table.getValue().isObject() ? "[table]" : Toml.typeName(table.getValue()),
                "unknown " + (table.getValue().isObject() ? "table" : "setting"),
                suggestion(section, true)));
        continue;
      }
      if (!table.getValue().isObject()) {
        problems.add(
            new ConfigProblem(
                source,
                section,
                null,
                "is " + Toml.typeName(table.getValue()) + ", not a table",
                "a table [" + section + "] holding " + String.join(", ", keysOf(section))));
        continue;
      }
      for (Map.Entry<String, JsonNode> e : table.getValue().properties()) {
        String key = section + "." + e.getKey();
        Setting<?> s = ConfigKeys.byKey(key);
        if (s == null) {
          problems.add(
              new ConfigProblem(
                  source, key, shown(e.getValue()), "unknown setting", suggestion(key, false)));
          continue;
        }
        accept(source, s, s.type().read(e.getValue()), shown(e.getValue()));
      }
    }
  }

  private static String shown(JsonNode node) {
    String s = node.toString();
    return s.length() > 80 ? s.substring(0, 77) + "..." : s;
  }

  // ------------------------------------------------------------------ environment and options

  private void readEnvironment(Map<String, String> env) {
    for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
      String name = e.getKey();
      if (!name.startsWith(Setting.ENV_PREFIX) || name.equals(ConfigSources.CONFIG_ENV)) {
        continue;
      }
      Setting<?> s = byEnv(name);
      String source = "environment " + name;
      if (s != null) {
        accept(source, s, s.type().parse(e.getValue()), quoted(e.getValue()));
        continue;
      }
      String rest = name.substring(Setting.ENV_PREFIX.length()).toLowerCase(Locale.ROOT);
      int cut = rest.indexOf('_');
      if (cut > 0 && ConfigKeys.sections().containsKey(rest.substring(0, cut))) {
        String key = rest.substring(0, cut) + "." + rest.substring(cut + 1);
        problems.add(
            new ConfigProblem(
                source, null, quoted(e.getValue()), "unknown setting " + key, envSuggestion(key)));
      }
    }
  }

  private static Setting<?> byEnv(String name) {
    for (Setting<?> s : ConfigKeys.all()) {
      if (s.envVar().equals(name)) {
        return s;
      }
    }
    return null;
  }

  private void readText(String source, String key, String value) {
    Setting<?> s = ConfigKeys.byKey(key);
    if (s == null) {
      problems.add(
          new ConfigProblem(source, key, quoted(value), "unknown setting", suggestion(key, false)));
      return;
    }
    accept(source, s, s.type().parse(value), quoted(value));
  }

  private static String quoted(String v) {
    String s = "\"" + v + "\"";
    return s.length() > 80 ? s.substring(0, 77) + "...\"" : s;
  }

  private void accept(String source, Setting<?> s, ValueType.Parsed<?> parsed, String shown) {
    if (!parsed.isOk()) {
      problems.add(new ConfigProblem(source, s.key(), shown, parsed.problem(), s.allowed()));
      return;
    }
    values.put(s.key(), parsed.value());
    origins.put(s.key(), source);
  }

  // ------------------------------------------------------------------ suggestions

  private static String suggestion(String key, boolean section) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    List<String> candidates =
        section
            ? new ArrayList<>(ConfigKeys.sections().keySet())
            : ConfigKeys.all().stream().map(Setting::key).toList();
    for (String c : candidates) {
      int d = distance(key, c);
      if (d < bestDistance) {
        bestDistance = d;
        best = c;
      }
    }
    if (best != null && bestDistance <= Math.max(2, key.length() / 4)) {
      return "did you mean " + best + "?";
    }
    if (section) {
      return "the tables " + String.join(", ", ConfigKeys.sections().keySet());
    }
    int dot = key.indexOf('.');
    String table = dot > 0 ? key.substring(0, dot) : "";
    if (ConfigKeys.sections().containsKey(table)) {
      return "the settings of [" + table + "]: " + String.join(", ", keysOf(table));
    }
    return "keys of the form table.name, tables "
        + String.join(", ", ConfigKeys.sections().keySet());
  }

  private static String envSuggestion(String key) {
    String s = suggestion(key, false);
    if (s.startsWith("did you mean ")) {
      Setting<?> match = ConfigKeys.byKey(s.substring(13, s.length() - 1));
      return "did you mean " + match.envVar() + "?";
    }
    return s;
  }

  /** Levenshtein distance. */
  static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  // ------------------------------------------------------------------ rules across settings

  private void checkTogether() {
    atMost(UTP_MAX_HALF_OPEN, UTP_MAX_CONNECTIONS);
    atMost(UTP_MIN_PACKET_SIZE, UTP_PACKET_SIZE);
    atMost(UTP_PACKET_SIZE, UTP_MAX_PACKET_SIZE);
    lessThan(UTP_KEEP_ALIVE_INTERVAL, UTP_IDLE_TIMEOUT);
    atMost(DHT_MIN_TIMEOUT, DHT_QUERY_TIMEOUT);
    atMost(DHT_QUERY_TIMEOUT, DHT_LOOKUP_TIMEOUT);
    boolean v4 = get(DHT_IPV4);
    boolean v6 = get(DHT_IPV6);
    java.net.InetAddress address = get(LISTEN_ADDRESS);
    if (v6 && address instanceof java.net.Inet4Address) {
      problems.add(
          new ConfigProblem(
              origins.get(DHT_IPV6.key()),
              DHT_IPV6.key(),
              "true",
              "an IPv6 DHT node cannot run on the IPv4 address "
                  + address.getHostAddress()
                  + " ("
                  + LISTEN_ADDRESS.key()
                  + ", "
                  + origins.get(LISTEN_ADDRESS.key())
                  + ")",
              "false, or listen.address \"::\" or an IPv6 address"));
    }
    if (v4 && address instanceof java.net.Inet6Address && !address.isAnyLocalAddress()) {
      problems.add(
          new ConfigProblem(
              origins.get(DHT_IPV4.key()),
              DHT_IPV4.key(),
              "true",
              "an IPv4 DHT node cannot run on the IPv6 address "
                  + address.getHostAddress()
                  + " ("
                  + LISTEN_ADDRESS.key()
                  + ", "
                  + origins.get(LISTEN_ADDRESS.key())
                  + ")",
              "false, or an IPv4 listen.address, or \"::\""));
    }
  }

  private <T extends Comparable<T>> void atMost(Setting<T> small, Setting<T> large) {
    compare(small, large, false);
  }

  private <T extends Comparable<T>> void lessThan(Setting<T> small, Setting<T> large) {
    compare(small, large, true);
  }

  private <T extends Comparable<T>> void compare(
      Setting<T> small, Setting<T> large, boolean strict) {
    T a = get(small);
    T b = get(large);
    int c = a.compareTo(b);
    if (c > 0 || (strict && c == 0)) {
      // blame whichever was set explicitly; the later source if both were
      boolean blameLarge = origins.get(small.key()).equals("default");
      Setting<T> blamed = blameLarge ? large : small;
      Setting<T> other = blameLarge ? small : large;
      String relation =
          blameLarge
              ? (strict ? "greater than " : "at least ")
              : (strict ? "less than " : "at most ");
      problems.add(
          new ConfigProblem(
              origins.get(blamed.key()),
              blamed.key(),
              blamed.format(get(blamed)),
              "must be "
                  + relation
                  + other.key()
                  + " ("
                  + other.format(get(other))
                  + ", "
                  + origins.get(other.key())
                  + ")",
              relation + other.format(get(other))));
    }
  }

  @SuppressWarnings("unchecked")
  private <T> T get(Setting<T> s) {
    return (T) values.get(s.key());
  }

  // ------------------------------------------------------------------ building the records

  private NodeConfig build(Path home) {
    ListenSettings listen = new ListenSettings(get(LISTEN_ADDRESS), get(LISTEN_PORT));
    UdpSocketSettings udp = new UdpSocketSettings(get(UDP_RECEIVE_BUFFER), get(UDP_SEND_BUFFER));
    UtpSettings utp = null;
    try {
      utp =
          UtpSettings.builder()
              .maxConnections(get(UTP_MAX_CONNECTIONS))
              .maxHalfOpen(get(UTP_MAX_HALF_OPEN))
              .acceptBacklog(get(UTP_ACCEPT_BACKLOG))
              .receiveBufferBytes(get(UTP_RECEIVE_BUFFER))
              .sendBufferBytes(get(UTP_SEND_BUFFER))
              .packetSize(get(UTP_PACKET_SIZE))
              .minPacketSize(get(UTP_MIN_PACKET_SIZE))
              .maxPacketSize(get(UTP_MAX_PACKET_SIZE))
              .connectTimeout(get(UTP_CONNECT_TIMEOUT))
              .synRetries(get(UTP_SYN_RETRIES))
              .minTimeout(get(UTP_MIN_TIMEOUT))
              .maxConsecutiveTimeouts(get(UTP_MAX_CONSECUTIVE_TIMEOUTS))
              .idleTimeout(get(UTP_IDLE_TIMEOUT))
              .keepAliveInterval(get(UTP_KEEP_ALIVE_INTERVAL))
              .targetDelay(get(UTP_TARGET_DELAY))
              .gainBytesPerRtt(get(UTP_GAIN_BYTES_PER_RTT))
              .lingerTime(get(UTP_LINGER_TIME))
              .build();
    } catch (IllegalArgumentException e) {
      // every rule of UtpSettings is checked above; this is the safety net for a new one
      problems.add(new ConfigProblem("settings", "utp", null, e.getMessage(), "see the reference"));
    }
    DhtConfig node = null;
    try {
      node =
          DhtConfig.builder()
              .k(get(DHT_K))
              .alpha(get(DHT_ALPHA))
              .readOnly(get(DHT_READ_ONLY))
              .enforceBep42(get(DHT_ENFORCE_BEP42))
              .maxPerSubnet(get(DHT_MAX_PER_SUBNET))
              .uniqueIps(get(DHT_UNIQUE_IPS))
              .extendedBuckets(get(DHT_EXTENDED_BUCKETS))
              .minTimeout(get(DHT_MIN_TIMEOUT))
              .queryTimeout(get(DHT_QUERY_TIMEOUT))
              .lookupTimeout(get(DHT_LOOKUP_TIMEOUT))
              .queriesPerSecond(get(DHT_QUERIES_PER_SECOND), get(DHT_QUERY_BURST))
              .maxAnnouncesPerSource(get(DHT_MAX_ANNOUNCES_PER_SOURCE))
              .maxValues(get(DHT_MAX_VALUES))
              .amplification(get(DHT_AMPLIFICATION))
              .peerTtl(get(DHT_PEER_TTL))
              .tokenRotation(get(DHT_TOKEN_ROTATION))
              .build();
    } catch (IllegalArgumentException e) {
      problems.add(new ConfigProblem("settings", "dht", null, e.getMessage(), "see the reference"));
    }
    Path stateDir = expandHome(get(STORAGE_STATE_DIR), home);
    StorageSettings storage =
        new StorageSettings(expandHome(get(STORAGE_DOWNLOAD_DIR), home), stateDir);
    Path table = expandHome(get(DHT_TABLE_FILE), home);
    DhtSettings dht =
        new DhtSettings(
            get(DHT_IPV4),
            get(DHT_IPV6),
            get(DHT_BOOTSTRAP_NODES),
            table.isAbsolute() ? table : stateDir.resolve(table),
            node);
    PeerSettings peers =
        new PeerSettings(
            get(PEERS_ENCRYPTION),
            get(PEERS_TRACKERS),
            get(PEERS_DISCOVERY_INTERVAL),
            get(PEERS_TRANSPORTS),
            get(PEERS_PEX));
    EngineSettings engine =
        new EngineSettings(
            get(ENGINE_MAX_ASSIGNED_PIECES),
            get(ENGINE_MAX_OUTSTANDING_REQUESTS),
            get(ENGINE_MAX_PIECE_RECEIVING_TIME),
            get(ENGINE_HASHING_THREADS),
            get(ENGINE_NETWORK_BUFFER),
            get(ENGINE_MAX_MESSAGE_PROCESSING_INTERVAL));
    NatSettings.Turn turn = null;
    if (get(NAT_TURN_SERVER).isPresent()) {
      if (get(NAT_TURN_USERNAME).isEmpty() || get(NAT_TURN_PASSWORD).isEmpty()) {
        problems.add(
            new ConfigProblem(
                "settings",
                NAT_TURN_SERVER.key(),
                get(NAT_TURN_SERVER).get().toString(),
                "needs credentials",
                "nat.turn_username and nat.turn_password set as well"));
      } else {
        turn =
            new NatSettings.Turn(
                get(NAT_TURN_SERVER).get(), get(NAT_TURN_USERNAME), get(NAT_TURN_PASSWORD));
      }
    }
    return new NodeConfig(
        listen,
        udp,
        utp,
        dht,
        peers,
        engine,
        storage,
        new LogSettings(get(LOG_LEVEL)),
        new StatusSettings(get(STATUS_LISTEN).orElse(null), get(STATUS_TOKEN)),
        new NatSettings(
            get(NAT_PORT_MAPPING),
            get(NAT_PORT_MAPPING_LIFETIME),
            get(NAT_STUN_SERVER).orElse(null),
            get(NAT_PEER_RELAY),
            turn));
  }

  static Path expandHome(String path, Path home) {
    if (path.equals("~")) {
      return home;
    }
    return path.startsWith("~/") ? home.resolve(path.substring(2)) : Path.of(path);
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "syntax error";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
