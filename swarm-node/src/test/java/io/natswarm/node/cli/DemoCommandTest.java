package io.natswarm.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.natswarm.node.demo.SwarmDemo;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code natswarm demo} (issue 9): three leechers given only a magnet link find the seeder through
 * a loopback-only DHT, download over µTP, and every one ends verified and byte-exact; the command
 * exits 0 and says so; bad arguments get exit 2 and a message.
 */
@Timeout(120)
class DemoCommandTest {
  @TempDir Path home;

  @Test
  void threeLeechersFindTheSeederThroughTheDhtAndVerifyEveryPiece() throws Exception {
    StringWriter text = new StringWriter();
    Path work = home.resolve("work");
    SwarmDemo.Report report =
        new SwarmDemo(
                new SwarmDemo.Options(4, 3, Duration.ofSeconds(60), work),
                new PrintWriter(text, true),
                false)
            .run();

    assertThat(report.ok()).as("demo output:%n%s", text).isTrue();
    assertThat(report.leechers()).hasSize(3);
    assertThat(report.bootstrap().getAddress().isLoopbackAddress()).isTrue();
    assertThat(report.seeder().getAddress().isLoopbackAddress()).isTrue();
    assertThat(report.magnetUri()).doesNotContain("tr=").doesNotContain("x.pe=");
    for (SwarmDemo.LeecherResult r : report.leechers()) {
      assertThat(r.address().getAddress().isLoopbackAddress()).isTrue();
      assertThat(r.complete()).as(r.name()).isTrue();
      assertThat(r.piecesTotal()).as(r.name()).isEqualTo(16); // 4 MiB in 256 KiB pieces
      assertThat(r.piecesVerified()).as(r.name()).isEqualTo(16);
      assertThat(r.sameBytes()).as(r.name()).isTrue();
      assertThat(r.maxUtpPeers()).as(r.name() + ": connections over µTP").isGreaterThan(0);
    }
    for (int i = 1; i <= 3; i++) {
      assertThat(Files.readAllBytes(work.resolve("leecher-" + i + "/demo.bin")))
          .isEqualTo(Files.readAllBytes(work.resolve("seed/demo.bin")));
    }
  }

  @Test
  void theCommandExitsZeroAndReportsEachLeechersTransports() {
    Cli cli = new Cli(home);
    int code = cli.run("demo", "--mib", "2", "--leechers", "3", "--timeout", "60s");
    assertThat(code).as("out:%n%s%nerr:%n%s", cli.out(), cli.err()).isZero();
    for (int i = 1; i <= 3; i++) {
      assertThat(cli.out())
          .containsPattern("leecher " + i + ": complete in .* over µTP, \\d+ over TCP");
    }
    assertThat(cli.out()).contains("OK: 3 leechers, given only the magnet link");
  }

  @Test
  void rejectsBadArgumentsWithAMessage() {
    Cli cli = new Cli(home);
    assertThat(cli.run("demo", "--mib", "0")).isEqualTo(2);
    assertThat(cli.err()).contains("--mib must be between 1 and 4096");
    assertThat(cli.run("demo", "--leechers", "lots")).isEqualTo(2);
    assertThat(cli.run("demo", "--leechers", "0")).isEqualTo(2);
    assertThat(cli.run("no-such-command")).isEqualTo(2);
    assertThat(cli.err()).doesNotContain("\tat ");
  }
}
