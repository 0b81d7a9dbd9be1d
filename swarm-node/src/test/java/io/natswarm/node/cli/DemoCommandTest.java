package io.natswarm.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.natswarm.node.demo.DhtSwarmDemo;
import io.natswarm.node.demo.UtpTransferDemo;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoCommandTest {
  @TempDir Path home;

  @Test
  void utpTransferArrivesIntact() throws Exception {
    assertThat(UtpTransferDemo.run(4, quiet())).isTrue();
  }

  @Test
  void dhtLookupFindsTheAnnouncedPeerAndDialsIt() throws Exception {
    assertThat(DhtSwarmDemo.run(8, quiet())).isTrue();
  }

  @Test
  void rejectsBadArgumentsWithAMessage() {
    Cli cli = new Cli(home);
    assertThat(cli.run("demo", "--mib", "0")).isEqualTo(2);
    assertThat(cli.err()).contains("--mib must be between 1 and 4096");
    assertThat(cli.run("demo", "--nodes", "lots")).isEqualTo(2);
    assertThat(cli.run("no-such-command")).isEqualTo(2);
    assertThat(cli.err()).doesNotContain("\tat ");
  }

  private static PrintStream quiet() {
    return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
  }
}
