package io.natswarm.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A person who gives a bad argument, a bad setting or a bad file gets a message naming it and exit
 * 2, never a stack trace, and nothing starts.
 */
class BadInputTest {
  private static final String GOOD_HASH = "0123456789abcdef0123456789abcdef01234567";

  @TempDir Path home;
  private Cli cli;

  @BeforeEach
  void setUp() {
    cli = new Cli(home);
  }

  @AfterEach
  void noStackTraces() {
    assertThat(cli.err()).doesNotContain("\tat ").doesNotContain("Exception");
    assertThat(cli.out()).doesNotContain("\tat ");
  }

  // ------------------------------------------------------------------ settings

  @Test
  void aBadSettingStopsEveryCommandBeforeItStarts() {
    for (String command : new String[] {"dht", "config"}) {
      assertThat(cli.run(command, "--set", "dht.alpha=99")).isEqualTo(ExitCodes.BAD_INPUT);
    }
    assertThat(cli.run("get", "--set", "dht.alpha=99", "magnet:?xt=urn:btih:" + GOOD_HASH))
        .isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(cli.run("share", "--set", "dht.alpha=99", home.toString()))
        .isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(cli.err())
        .contains("the node did not start")
        .contains(
            "option --set: dht.alpha = \"99\": out of range; allowed: an integer from 1 to 16");
    assertThat(cli.out()).doesNotContain("listening").doesNotContain("started");
  }

  @Test
  void anUnknownSettingInTheEnvironmentNamesTheVariable() {
    cli.env.put("NATSWARM_LISTEN_PROT", "7000");
    assertThat(cli.run("dht")).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(cli.err())
        .contains("environment NATSWARM_LISTEN_PROT")
        .contains("did you mean NATSWARM_LISTEN_PORT?");
  }

  @Test
  void aMissingConfigFileNamedOnTheCommandLine() {
    Path missing = home.resolve("missing.toml");
    assertThat(cli.run("dht", "--config", missing.toString())).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(cli.err()).contains(missing.toString()).contains("does not exist");
  }

  @Test
  void aMalformedConfigFile() throws Exception {
    Path bad = Files.writeString(home.resolve("bad.toml"), "[dht\nk = 3\n");
    assertThat(cli.run("config", "--config", bad.toString())).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(cli.err()).contains("bad.toml").contains("not valid TOML").contains("line 1");
  }

  @Test
  void shortcutsAreCheckedLikeSettings() {
    assertThat(cli.run("dht", "--port", "99999")).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(cli.err())
        .contains("option --port: listen.port = \"99999\": out of range")
        .contains("an integer from 0 to 65535");
    assertThat(cli.run("dht", "--bind", "my-host")).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(cli.err())
        .contains("option --bind: listen.address = \"my-host\": not an IP address");
    assertThat(cli.run("dht", "--bootstrap", "nohost")).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(cli.err()).contains("\"nohost\" is not host:port");
  }

  @Test
  void setNeedsKeyEqualsValue() {
    assertThat(cli.run("config", "--set", "dht.alpha")).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(cli.err()).contains("--set needs KEY=VALUE");
  }

  @Test
  void aBadDurationOption() {
    assertThat(cli.run("dht", "--report-every", "10")).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(cli.err()).contains("'10' is not a duration");
  }

  @Test
  void natNeedsAStunServerItCanUse() {
    assertThat(cli.run("nat", "--no-map", "--stun", "stun.example")).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(cli.err()).contains("--stun needs HOST:PORT");
  }

  // ------------------------------------------------------------------ get

  @Test
  void aMagnetLinkWithABadHash() {
    assertThat(cli.run("get", "magnet:?xt=urn:btih:abc123&dn=x", "--to", dir()))
        .isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(cli.err())
        .contains("not a valid magnet link")
        .contains("'abc123' is not 40 hex digits or 32 base32 characters");
    assertThat(cli.run("get", "magnet:?dn=nothing", "--to", dir())).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(cli.err()).contains("it has no info-hash");
    assertThat(cli.run("get", "magnet:xt=urn:btih:" + GOOD_HASH, "--to", dir()))
        .isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(cli.err()).contains("starts with magnet:?");
  }

  @Test
  void aMalformedTorrentFile() throws Exception {
    Path garbage = Files.writeString(home.resolve("garbage.torrent"), "this is not bencode");
    assertThat(cli.run("get", garbage.toString(), "--to", dir())).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(cli.err()).contains("garbage.torrent is not a valid .torrent file");

    Path empty = Files.write(home.resolve("empty.torrent"), new byte[0]);
    assertThat(cli.run("get", empty.toString(), "--to", dir())).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(cli.err()).contains("the file is empty");

    Path truncated =
        Files.writeString(
            home.resolve("cut.torrent"), "d4:infod6:lengthi5e4:name1:a12:piece lengthi16384e6:pi");
    assertThat(cli.run("get", truncated.toString(), "--to", dir())).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(cli.err()).contains("cut.torrent is not a valid .torrent file: malformed");

    Path noInfo = Files.writeString(home.resolve("noinfo.torrent"), "d8:announce3:abce");
    assertThat(cli.run("get", noInfo.toString(), "--to", dir())).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(cli.err()).contains("it has no info dictionary");
  }

  @Test
  void aTorrentFileThatDoesNotExistOrIsADirectory() {
    assertThat(cli.run("get", home.resolve("nope.torrent").toString(), "--to", dir()))
        .isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(cli.err()).contains("no such file").contains("nope.torrent");
    assertThat(cli.run("get", home.toString(), "--to", dir())).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(cli.err()).contains("is not a .torrent file");
  }

  @Test
  void aTargetThatCannotBeWritten() throws Exception {
    Path file = Files.writeString(home.resolve("a-file"), "x", StandardCharsets.UTF_8);
    String magnet = "magnet:?xt=urn:btih:" + GOOD_HASH;
    assertThat(cli.run("get", magnet, "--to", file.toString())).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(cli.err()).contains("the target " + file + " is not a directory");
    assertThat(cli.run("get", magnet, "--to", file.resolve("sub").toString()))
        .isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(cli.err())
        .contains("cannot create the target directory " + file.resolve("sub"))
        .contains("Not a directory");
    // /proc refuses new files even to root
    assertThat(cli.run("get", magnet, "--to", "/proc/natswarm-test"))
        .isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(cli.err()).contains("cannot create the target directory /proc/natswarm-test");
  }

  @Test
  void aBadPeerAddress() {
    assertThat(cli.run("get", "magnet:?xt=urn:btih:" + GOOD_HASH, "--peer", "nope", "--to", dir()))
        .isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(cli.err()).contains("--peer needs HOST:PORT");
  }

  // ------------------------------------------------------------------ share

  @Test
  void sharingSomethingThatDoesNotExist() {
    assertThat(cli.run("share", home.resolve("ghost").toString(), "--port", "0"))
        .isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(cli.err()).contains("no such file or directory").contains("ghost");
  }

  private String dir() {
    return home.resolve("downloads").toString();
  }
}
