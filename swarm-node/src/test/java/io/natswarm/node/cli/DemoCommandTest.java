package io.natswarm.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.natswarm.node.demo.DhtSwarmDemo;
import io.natswarm.node.demo.UtpTransferDemo;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DemoCommandTest {

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
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    CommandLine cli = new CommandLine(new Main());
    cli.setErr(new java.io.PrintWriter(err, true, StandardCharsets.UTF_8));
    assertThat(cli.execute("demo", "--mib", "0")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--mib must be between 1 and 4096");
    assertThat(cli.execute("demo", "--nodes", "lots")).isEqualTo(2);
    assertThat(cli.execute("no-such-command")).isEqualTo(2);
  }

  private static PrintStream quiet() {
    return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
  }
}
