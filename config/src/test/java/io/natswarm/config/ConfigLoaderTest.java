package io.natswarm.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.natswarm.dht.DhtConfig;
import io.natswarm.utp.UtpSettings;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  @TempDir Path home;

  private Optional<Path> file = Optional.empty();
  private final Map<String, String> env = new HashMap<>();
  private final List<ConfigSources.OptionValue> options = new ArrayList<>();

  private LoadedConfig load() throws ConfigException {
    return ConfigLoader.load(new ConfigSources(file, env, options, home));
  }

  private List<ConfigProblem> problems() {
    ConfigException e = catchThrowableOfType(ConfigException.class, this::load);
    assertThat(e).as("the settings should have been refused").isNotNull();
    return e.problems();
  }

  private ConfigProblem onlyProblem() {
    List<ConfigProblem> p = problems();
    assertThat(p).hasSize(1);
    return p.get(0);
  }

  private Path write(String name, String toml) throws IOException {
    Path p = home.resolve(name);
    Files.writeString(p, toml, StandardCharsets.UTF_8);
    return p;
  }

  private void option(String key, String value) {
    options.add(new ConfigSources.OptionValue(key, value, "--set"));
  }

  // ------------------------------------------------------------------ defaults

  @Test
  void withNoSourcesEverySettingHasItsDefault() throws Exception {
    LoadedConfig loaded = load();
    NodeConfig c = loaded.config();
    assertThat(loaded.file()).isEmpty();
    assertThat(c.listen().address()).isEqualTo(InetAddress.getByName("::"));
    assertThat(c.listen().port()).isEqualTo(6881);
    assertThat(c.udp().receiveBufferBytes()).isEqualTo(4 << 20);
    assertThat(c.utp()).isEqualTo(UtpSettings.defaults());
    DhtConfig moduleDefaults = DhtConfig.builder().build();
    assertThat(c.dht().node().k()).isEqualTo(moduleDefaults.k());
    assertThat(c.dht().node().alpha()).isEqualTo(moduleDefaults.alpha());
    assertThat(c.dht().node().queryTimeout()).isEqualTo(moduleDefaults.queryTimeout());
    assertThat(c.dht().node().bootstrapNodes()).isEmpty();
    assertThat(c.dht().ipv4()).isTrue();
    assertThat(c.dht().ipv6()).isFalse();
    assertThat(c.dht().bootstrapNodes())
        .extracting(HostPort::toString)
        .containsExactlyElementsOf(DhtConfig.PUBLIC_ROUTERS);
    assertThat(c.storage().stateDir()).isEqualTo(home.resolve(".local/state/natswarm"));
    assertThat(c.dht().tableFile())
        .isEqualTo(home.resolve(".local/state/natswarm/dht-routing-table"));
    assertThat(c.dht().tableFile(true).getFileName().toString()).isEqualTo("dht-routing-table-v6");
    assertThat(c.storage().downloadDir()).isEqualTo(Path.of("."));
    assertThat(c.peers().encryption()).isEqualTo(PeerEncryptionPolicy.PREFER_ENCRYPTED);
    assertThat(c.peers().trackers()).isEqualTo(TrackerAccess.ANY);
    assertThat(c.engine().maxAssignedPieces()).isEqualTo(32);
    assertThat(c.engine().effectiveHashingThreads()).isPositive();
    assertThat(c.log().level()).isEqualTo(LogLevel.WARN);
    assertThat(loaded.origins().values()).containsOnly("default");
  }

  @Test
  void theDefaultsFileWrittenByTheReferenceReadsBackAsTheDefaults() throws Exception {
    file = Optional.of(write("all.toml", Reference.defaultsToml()));
    LoadedConfig fromFile = load();
    LoadedConfig defaults = ConfigLoader.load(ConfigSources.none(home));
    assertThat(fromFile.values()).isEqualTo(defaults.values());
    assertThat(fromFile.origins().values()).allMatch(o -> o.startsWith("file "));
  }

  @Test
  void aTurnServerNeedsItsCredentialsAndNeverShowsThePassword() throws Exception {
    option("nat.turn_server", "turn.example.net:3478");
    option("nat.turn_username", "alice");
    ConfigProblem p = onlyProblem();
    assertThat(p.key()).as(p.message()).isEqualTo("nat.turn_server");
    assertThat(p.value()).isEqualTo("turn.example.net:3478");
    assertThat(p.problem()).isEqualTo("needs credentials");
    assertThat(p.allowed()).contains("nat.turn_password");

    env.put("NATSWARM_NAT_TURN_PASSWORD", "s3cret-word");
    NatSettings nat = load().config().nat();
    assertThat(nat.turn().server()).isEqualTo(new HostPort("turn.example.net", 3478));
    assertThat(nat.turn().username()).isEqualTo("alice");
    assertThat(nat.turn().password()).isEqualTo("s3cret-word");
    assertThat(nat.turn().toString()).doesNotContain("s3cret-word");
    assertThat(load().config().toString()).doesNotContain("s3cret-word");
  }

  // ------------------------------------------------------------------ precedence

  @Test
  void optionsOverrideTheEnvironmentWhichOverridesTheFile() throws Exception {
    file =
        Optional.of(
            write(
                "n.toml",
                """
                [listen]
                port = 7000
                [dht]
                k = 10
                query_timeout = "2s"
                [utp]
                packet_size = 1400
                """));
    env.put("NATSWARM_LISTEN_PORT", "7001");
    env.put("NATSWARM_DHT_K", "12");
    option("listen.port", "7002");
    LoadedConfig loaded = load();
    NodeConfig c = loaded.config();
    assertThat(c.listen().port()).isEqualTo(7002);
    assertThat(c.dht().node().k()).isEqualTo(12);
    assertThat(c.dht().node().queryTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.utp().packetSize()).isEqualTo(1400);
    assertThat(loaded.origins().get("listen.port")).isEqualTo("option --set");
    assertThat(loaded.origins().get("dht.k")).isEqualTo("environment NATSWARM_DHT_K");
    assertThat(loaded.origins().get("utp.packet_size")).startsWith("file ");
    assertThat(loaded.origins().get("dht.alpha")).isEqualTo("default");
  }

  @Test
  void aLaterOptionWinsOverAnEarlierOne() throws Exception {
    option("dht.alpha", "3");
    options.add(new ConfigSources.OptionValue("dht.alpha", "5", "--alpha"));
    LoadedConfig loaded = load();
    assertThat(loaded.config().dht().node().alpha()).isEqualTo(5);
    assertThat(loaded.origins().get("dht.alpha")).isEqualTo("option --alpha");
  }

  @Test
  void theStandardFileIsReadWhenItExistsAndNamedFilesReplaceIt() throws Exception {
    Path dir = Files.createDirectories(home.resolve(".config/natswarm"));
    Files.writeString(dir.resolve("natswarm.toml"), "[dht]\nalpha = 4\n");
    assertThat(load().config().dht().node().alpha()).isEqualTo(4);
    assertThat(load().file()).contains(dir.resolve("natswarm.toml"));

    Path xdg = Files.createDirectories(home.resolve("xdg/natswarm"));
    Files.writeString(xdg.resolve("natswarm.toml"), "[dht]\nalpha = 6\n");
    env.put("XDG_CONFIG_HOME", home.resolve("xdg").toString());
    assertThat(load().config().dht().node().alpha()).isEqualTo(6);

    env.put("NATSWARM_CONFIG", write("env.toml", "[dht]\nalpha = 7\n").toString());
    assertThat(load().config().dht().node().alpha()).isEqualTo(7);

    file = Optional.of(write("opt.toml", "[dht]\nalpha = 9\n"));
    assertThat(load().config().dht().node().alpha()).isEqualTo(9);
  }

  @Test
  void valuesInEveryFormAreRead() throws Exception {
    file =
        Optional.of(
            write(
                "forms.toml",
                """
                [listen]
                address = "::"
                [dht]
                ipv6 = true
                bootstrap_nodes = ["127.0.0.1:7000", "[::1]:7001", "node.example:6881"]
                table_file = "/var/lib/natswarm/table"
                [utp]
                receive_buffer = "2MiB"
                send_buffer = 65536
                [peers]
                encryption = "require-plaintext"
                trackers = "LOOPBACK_ONLY"
                [storage]
                state_dir = "~/state"
                [log]
                level = "debug"
                """));
    env.put("NATSWARM_DHT_EXTENDED_BUCKETS", "TRUE");
    env.put("NATSWARM_DHT_PEER_TTL", "2h");
    option("dht.bootstrap_nodes", "10.0.0.1:1, [fe80::1]:2");
    NodeConfig c = load().config();
    assertThat(c.listen().address().isAnyLocalAddress()).isTrue();
    assertThat(c.dht().ipv6()).isTrue();
    assertThat(c.dht().bootstrapNodes())
        .containsExactly(new HostPort("10.0.0.1", 1), new HostPort("fe80::1", 2));
    assertThat(c.dht().tableFile()).isEqualTo(Path.of("/var/lib/natswarm/table"));
    assertThat(c.utp().receiveBufferBytes()).isEqualTo(2 << 20);
    assertThat(c.utp().sendBufferBytes()).isEqualTo(65536);
    assertThat(c.peers().encryption()).isEqualTo(PeerEncryptionPolicy.REQUIRE_PLAINTEXT);
    assertThat(c.peers().trackers()).isEqualTo(TrackerAccess.LOOPBACK_ONLY);
    assertThat(c.storage().stateDir()).isEqualTo(home.resolve("state"));
    assertThat(c.log().level()).isEqualTo(LogLevel.DEBUG);
    assertThat(c.dht().node().extendedBuckets()).isTrue();
    assertThat(c.dht().node().peerTtl()).isEqualTo(Duration.ofHours(2));
  }

  @Test
  void otherNatswarmVariablesAreNotSettingsAndAreLeftAlone() throws Exception {
    env.put("NATSWARM_JAVA_OPTS", "-Xmx1g");
    env.put("NATSWARM_ONLINE", "1");
    env.put("PATH", "/usr/bin");
    assertThat(load().origins().values()).containsOnly("default");
  }

  // ------------------------------------------------------------------ problems in the file

  @Test
  void anExplicitFileThatDoesNotExistIsAnError() {
    Path missing = home.resolve("nope.toml");
    file = Optional.of(missing);
    ConfigProblem p = onlyProblem();
    assertThat(p.message())
        .contains(missing.toString())
        .contains("option --config")
        .contains("does not exist");
  }

  @Test
  void aFileNamedByTheEnvironmentThatDoesNotExistIsAnError() {
    env.put("NATSWARM_CONFIG", home.resolve("gone.toml").toString());
    assertThat(onlyProblem().message())
        .contains("gone.toml")
        .contains("environment NATSWARM_CONFIG")
        .contains("does not exist");
  }

  @Test
  void aDirectoryOrABinaryFileIsNotAConfigFile() throws Exception {
    file = Optional.of(home);
    assertThat(onlyProblem().message()).contains("is a directory");
    Path binary = home.resolve("bin.toml");
    Files.write(binary, new byte[] {(byte) 0xff, (byte) 0xfe, 0x00, 0x41});
    file = Optional.of(binary);
    assertThat(onlyProblem().message()).contains("not UTF-8");
  }

  @Test
  void malformedTomlNamesTheLine() throws Exception {
    file = Optional.of(write("bad.toml", "[dht]\nk = 8\nalpha = = 3\n"));
    ConfigProblem p = onlyProblem();
    assertThat(p.message()).contains("bad.toml").contains("not valid TOML").contains("line 3");
  }

  @Test
  void aKeyGivenTwiceIsMalformed() throws Exception {
    file = Optional.of(write("twice.toml", "[dht]\nk = 8\nk = 9\n"));
    assertThat(onlyProblem().message()).contains("not valid TOML");
  }

  @Test
  void anUnknownKeyIsAnErrorWithASuggestion() throws Exception {
    file = Optional.of(write("typo.toml", "[dht]\nalpah = 3\n"));
    ConfigProblem p = onlyProblem();
    assertThat(p.key()).isEqualTo("dht.alpah");
    assertThat(p.value()).isEqualTo("3");
    assertThat(p.problem()).isEqualTo("unknown setting");
    assertThat(p.allowed()).isEqualTo("did you mean dht.alpha?");
    assertThat(p.message())
        .isEqualTo(
            "file "
                + home.resolve("typo.toml")
                + ": dht.alpah = 3: unknown setting; allowed: did you mean dht.alpha?");
  }

  @Test
  void anUnknownKeyFarFromAnyListsTheTable() throws Exception {
    file = Optional.of(write("far.toml", "[udp]\nttl = 3\n"));
    assertThat(onlyProblem().allowed())
        .isEqualTo("the settings of [udp]: udp.receive_buffer, udp.send_buffer");
  }

  @Test
  void anUnknownTableOrATopLevelKeyIsAnError() throws Exception {
    file = Optional.of(write("t.toml", "port = 1\n[ddht]\nk = 3\n"));
    List<ConfigProblem> p = problems();
    assertThat(p).hasSize(2);
    assertThat(p.get(0).key()).isEqualTo("port");
    assertThat(p.get(0).problem()).isEqualTo("unknown setting");
    assertThat(p.get(0).allowed()).startsWith("the tables listen, udp, utp, dht");
    assertThat(p.get(1).key()).isEqualTo("ddht");
    assertThat(p.get(1).problem()).isEqualTo("unknown table");
    assertThat(p.get(1).allowed()).isEqualTo("did you mean dht?");
  }

  @Test
  void aTableGivenAsAValueIsAnError() throws Exception {
    file = Optional.of(write("v.toml", "dht = 3\n"));
    ConfigProblem p = onlyProblem();
    assertThat(p.key()).isEqualTo("dht");
    assertThat(p.problem()).contains("not a table");
    assertThat(p.allowed()).contains("dht.alpha");
  }

  @Test
  void aValueOfTheWrongTypeNamesKeyValueAndWhatIsAllowed() throws Exception {
    file =
        Optional.of(
            write(
                "types.toml",
                """
                [listen]
                port = "6881"
                [dht]
                ipv4 = "yes"
                query_timeout = 3
                bootstrap_nodes = "a:1"
                """));
    List<ConfigProblem> p = problems();
    assertThat(p)
        .extracting(ConfigProblem::key)
        .containsExactly("listen.port", "dht.ipv4", "dht.query_timeout", "dht.bootstrap_nodes");
    assertThat(p.get(0).message())
        .contains("listen.port = \"6881\": wrong type (a string)")
        .contains("allowed: an integer from 0 to 65535 (0: any free port)");
    assertThat(p.get(1).message())
        .contains("dht.ipv4 = \"yes\"")
        .contains("allowed: true or false");
    assertThat(p.get(2).message())
        .contains("dht.query_timeout = 3: wrong type (an integer)")
        .contains("written with a unit");
    assertThat(p.get(3).message()).contains("a list of host:port");
  }

  @Test
  void valuesOutOfRangeNameTheRange() throws Exception {
    file =
        Optional.of(
            write(
                "range.toml",
                """
                [listen]
                port = 70000
                [dht]
                alpha = 40
                query_timeout = "2h"
                [utp]
                receive_buffer = "1GiB"
                [udp]
                send_buffer = 99999999999999999999
                """));
    List<ConfigProblem> p = problems();
    assertThat(p).extracting(ConfigProblem::problem).containsOnly("out of range");
    assertThat(p.get(0).message())
        .contains("listen.port = 70000")
        .contains("an integer from 0 to 65535");
    assertThat(p.get(1).message()).contains("dht.alpha = 40").contains("from 1 to 16");
    assertThat(p.get(2).message())
        .contains("dht.query_timeout = \"2h\"")
        .contains("from 10ms to 1m");
    assertThat(p.get(3).message())
        .contains("utp.receive_buffer = \"1GiB\"")
        .contains("from 4 KiB to 256 MiB");
    assertThat(p.get(4).key()).isEqualTo("udp.send_buffer");
  }

  @Test
  void badChoicesAddressesAndPeersNameWhatIsAllowed() throws Exception {
    file =
        Optional.of(
            write(
                "c.toml",
                """
                [listen]
                address = "localhost"
                [peers]
                encryption = "maybe"
                [dht]
                bootstrap_nodes = ["host-without-port", 3]
                [log]
                level = "loud"
                """));
    List<ConfigProblem> p = problems();
    assertThat(p.get(0).message())
        .contains("listen.address = \"localhost\": not an IP address")
        .contains("no host names");
    assertThat(p.get(1).message())
        .contains("peers.encryption = \"maybe\": not a known choice")
        .contains(
            "one of require-plaintext, prefer-plaintext, prefer-encrypted, require-encrypted");
    assertThat(p.get(2).message())
        .contains("dht.bootstrap_nodes")
        .contains("\"host-without-port\" is not host:port");
    assertThat(p.get(3).message()).contains("one of error, warn, info, debug, trace");
  }

  @Test
  void thePortMappingLifetimeIsSecondsFrom120To86400() throws Exception {
    assertThat(load().config().nat().portMappingLifetimeSeconds()).isEqualTo(7200);
    option("nat.port_mapping_lifetime", "120");
    assertThat(load().config().nat().portMappingLifetimeSeconds()).isEqualTo(120);
    env.put("NATSWARM_NAT_PORT_MAPPING_LIFETIME", "86400");
    options.clear();
    assertThat(load().config().nat().portMappingLifetimeSeconds()).isEqualTo(86_400);
    env.clear();
    for (String bad : List.of("119", "86401", "0", "-1")) {
      options.clear();
      option("nat.port_mapping_lifetime", bad);
      assertThat(onlyProblem().message())
          .isEqualTo(
              "option --set: nat.port_mapping_lifetime = \""
                  + bad
                  + "\": out of range; allowed: an integer from 120 to 86400");
    }
    options.clear();
    option("nat.port_mapping_lifetime", "2h");
    assertThat(onlyProblem().problem()).isEqualTo("not an integer");
  }

  // ------------------------------------------------------------------ environment and options

  @Test
  void badEnvironmentValuesNameTheVariable() {
    env.put("NATSWARM_DHT_K", "eight");
    env.put("NATSWARM_UTP_IDLE_TIMEOUT", "120");
    List<ConfigProblem> p = problems();
    assertThat(p.get(0).message())
        .isEqualTo(
            "environment NATSWARM_DHT_K: dht.k = \"eight\": not an integer; allowed: an"
                + " integer from 1 to 64");
    assertThat(p.get(1).message())
        .contains("environment NATSWARM_UTP_IDLE_TIMEOUT: utp.idle_timeout = \"120\"")
        .contains("not a duration");
  }

  @Test
  void aMisspeltVariableOfAKnownTableIsAnError() {
    env.put("NATSWARM_DHT_ALPAH", "3");
    ConfigProblem p = onlyProblem();
    assertThat(p.message())
        .contains("environment NATSWARM_DHT_ALPAH")
        .contains("unknown setting dht.alpah")
        .contains("did you mean NATSWARM_DHT_ALPHA?");
  }

  @Test
  void anEmptyConfigVariableIsAnError() {
    env.put("NATSWARM_CONFIG", " ");
    assertThat(onlyProblem().message()).contains("NATSWARM_CONFIG").contains("empty");
  }

  @Test
  void badOptionsNameTheOption() {
    option("dht.nope", "1");
    options.add(new ConfigSources.OptionValue("listen.port", "-1", "--port"));
    List<ConfigProblem> p = problems();
    assertThat(p.get(0).message()).startsWith("option --set: dht.nope = \"1\": unknown setting");
    assertThat(p.get(1).message())
        .isEqualTo(
            "option --port: listen.port = \"-1\": out of range; allowed: an integer from 0 to"
                + " 65535 (0: any free port)");
  }

  @Test
  void everyProblemOfEverySourceIsReportedTogether() throws Exception {
    file = Optional.of(write("a.toml", "[dht]\nk = 0\n"));
    env.put("NATSWARM_UTP_SYN_RETRIES", "11");
    option("log.level", "chatty");
    assertThat(problems())
        .extracting(ConfigProblem::key)
        .containsExactly("dht.k", "utp.syn_retries", "log.level");
  }

  // ------------------------------------------------------------------ rules across settings

  @Test
  void settingsThatMustAgreeNameBothSidesAndTheirSources() {
    env.put("NATSWARM_UTP_KEEP_ALIVE_INTERVAL", "3m");
    option("utp.max_half_open", "20000");
    List<ConfigProblem> p = problems();
    assertThat(p).hasSize(2);
    assertThat(p.get(0).message())
        .contains("option --set: utp.max_half_open = 20000")
        .contains("must be at most utp.max_connections (16384, default)");
    assertThat(p.get(1).message())
        .contains("environment NATSWARM_UTP_KEEP_ALIVE_INTERVAL: utp.keep_alive_interval = \"3m\"")
        .contains("must be less than utp.idle_timeout (\"2m\", default)");
  }

  @Test
  void whenTheSmallerSideIsTheDefaultTheLargerSideIsBlamed() {
    option("dht.query_timeout", "50ms");
    ConfigProblem p = onlyProblem();
    assertThat(p.key()).isEqualTo("dht.query_timeout");
    assertThat(p.problem()).contains("must be at least dht.min_timeout (\"100ms\", default)");
  }

  @Test
  void anIpv6DhtNeedsAnIpv6Address() {
    option("dht.ipv6", "true");
    option("listen.address", "127.0.0.1");
    ConfigProblem p = onlyProblem();
    assertThat(p.key()).isEqualTo("dht.ipv6");
    assertThat(p.problem()).contains("127.0.0.1").contains("listen.address");
  }

  @Test
  void levenshteinDistance() {
    assertThat(ConfigLoader.distance("alpha", "alpah")).isEqualTo(2);
    assertThat(ConfigLoader.distance("", "abc")).isEqualTo(3);
    assertThat(ConfigLoader.distance("same", "same")).isZero();
  }
}
