package io.natswarm.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.natswarm.config.ConfigLoader;
import io.natswarm.config.ConfigSources;
import io.natswarm.config.Reference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigCommandTest {
  @TempDir Path home;

  @Test
  void showsEachValueWithWhereItCameFrom() throws Exception {
    Cli cli = new Cli(home);
    Path file = Files.writeString(home.resolve("n.toml"), "[dht]\nk = 10\nalpha = 2\n");
    cli.env.put("NATSWARM_DHT_ALPHA", "3");
    assertThat(
            cli.run(
                "config",
                "--config",
                file.toString(),
                "--set",
                "dht.query_timeout=4s",
                "--port",
                "7000"))
        .isEqualTo(0);
    String out = cli.out();
    assertThat(out).contains("# natswarm settings; file: " + file);
    assertThat(out).contains("k = 10  # file " + file);
    assertThat(out).contains("alpha = 3  # environment NATSWARM_DHT_ALPHA");
    assertThat(out).contains("query_timeout = \"4s\"  # option --set");
    assertThat(out).contains("port = 7000  # option --port");
    assertThat(out).contains("lookup_timeout = \"20s\"  # default");
  }

  @Test
  void whatItShowsIsAValidFileOfTheSameSettings() throws Exception {
    Cli cli = new Cli(home);
    assertThat(cli.run("config", "--set", "utp.packet_size=1400", "--bind", "127.0.0.1")).isZero();
    Path shown = Files.writeString(home.resolve("shown.toml"), cli.out());
    var reread =
        ConfigLoader.load(new ConfigSources(Optional.of(shown), Map.of(), List.of(), home));
    assertThat(reread.config().utp().packetSize()).isEqualTo(1400);
    assertThat(reread.config().listen().address().getHostAddress()).isEqualTo("127.0.0.1");
  }

  @Test
  void theLogLevelSettingSetsTheRootLogger() {
    ch.qos.logback.classic.Logger root =
        (ch.qos.logback.classic.Logger)
            org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    try {
      assertThat(new Cli(home).run("config", "--log-level", "debug")).isZero();
      assertThat(root.getLevel()).isEqualTo(ch.qos.logback.classic.Level.DEBUG);
      Cli cli = new Cli(home);
      cli.env.put("NATSWARM_LOG_LEVEL", "error");
      assertThat(cli.run("config")).isZero();
      assertThat(root.getLevel()).isEqualTo(ch.qos.logback.classic.Level.ERROR);
    } finally {
      root.setLevel(ch.qos.logback.classic.Level.WARN);
    }
  }

  @Test
  void printsTheReferenceAndADefaultsFile() throws Exception {
    Cli cli = new Cli(home);
    assertThat(cli.run("config", "reference")).isZero();
    assertThat(cli.out()).isEqualTo(Reference.markdown());
    Cli cli2 = new Cli(home);
    assertThat(cli2.run("config", "defaults")).isZero();
    Path defaults = Files.writeString(home.resolve("d.toml"), cli2.out());
    var reread =
        ConfigLoader.load(new ConfigSources(Optional.of(defaults), Map.of(), List.of(), home));
    assertThat(reread.values()).isEqualTo(ConfigLoader.load(ConfigSources.none(home)).values());
  }
}
