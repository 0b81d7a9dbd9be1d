package io.natswarm.node.failure;

import static org.assertj.core.api.Assertions.assertThat;

import bt.torrent.maker.TorrentBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import io.natswarm.node.SwarmNode;
import io.natswarm.node.SwarmNodeSettings;
import io.natswarm.node.Transfer;
import io.natswarm.node.interop.Payload;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, "Bad input": a full disk. {@code natswarm get} (its own JVM) downloads 12 MiB into a
 * tmpfs of 4 MiB that this test mounts: it must stop with a clear message naming the cause, exit 1,
 * print no stack trace, and keep what it verified; after the tmpfs is enlarged ({@code mount -o
 * remount,size=...} keeps the files) the same command resumes from the verified pieces (none is
 * fetched again: in each progress line it has received at most the pieces it verified beyond those
 * the first run reported, and those that may be in flight, as in {@link KillNineResumeTest}) and
 * ends byte-exact.
 *
 * <p>Needs root (mount); skipped with the reason otherwise, or when {@code NATSWARM_NOT_ROOT} is
 * set, as the kernel-lab tests are.
 */
@Timeout(120)
class FullDiskTest {
  static final long SIZE = 12L << 20;
  static final int PIECE = 32 * 1024;
  static final int PIECES = (int) (SIZE / PIECE);
  static final int IN_FLIGHT_PIECES = 40;

  @TempDir Path tmp;

  @Test
  void aFullDiskStopsTheDownloadWithAMessageAndLosesNothingVerified() throws Exception {
    Assumptions.assumeTrue(
        System.getenv("NATSWARM_NOT_ROOT") == null
            && "root".equals(System.getProperty("user.name")),
        "needs root: the test mounts a small tmpfs (NATSWARM_NOT_ROOT set or not root)");
    Path disk = Files.createDirectories(tmp.resolve("small-disk"));
    String mountFailure =
        run("mount", "-t", "tmpfs", "-o", "size=4m", "natswarm-full", disk.toString());
    Assumptions.assumeTrue(mountFailure == null, "cannot mount a tmpfs: " + mountFailure);
    try {
      Path seedDir = Files.createDirectories(tmp.resolve("seed"));
      Path source = Payload.write(seedDir.resolve("payload.bin"), SIZE, 4);
      Path torrent =
          Files.write(
              tmp.resolve("payload.torrent"),
              new TorrentBuilder()
                  .pieceSize(PIECE)
                  .createdBy("natswarm-test")
                  .addFile(source)
                  .build());
      Path target = disk.resolve("down");
      try (SwarmNode seeder = SwarmNode.start(SwarmNodeSettings.loopback())) {
        Transfer seed = seeder.download(torrent, seedDir);
        assertThat(seed.completion().get(30, TimeUnit.SECONDS).complete()).isTrue();
        List<String> args = new ArrayList<>();
        args.addAll(
            List.of(
                "get",
                torrent.toString(),
                "--to",
                target.toString(),
                "--peer",
                "127.0.0.1:" + seeder.listenAddress().getPort(),
                "--json",
                "--progress-every",
                "20ms",
                "--timeout",
                "60s"));
        args.addAll(CliProcess.LOOPBACK); // options after the subcommand

        int kept;
        try (CliProcess full = CliProcess.start(tmp, args)) {
          int code = full.waitFor(Duration.ofSeconds(70));
          List<JsonNode> lines = full.seen();
          JsonNode last = lines.get(lines.size() - 1);
          System.out.println("full disk: exit " + code + ", " + last + "\n" + full.stderr());
          assertThat(code).as(full.output()).isEqualTo(1);
          assertThat(last.get("event").asText()).isEqualTo("incomplete");
          assertThat(last.get("reason").asText()).contains("No space left on device");
          assertThat(full.stderr())
              .contains("cannot write the download to disk: No space left on device")
              .contains("pieces are verified and kept in " + target)
              .doesNotContain("\tat ")
              .doesNotContain("Exception");
          kept = last.get("pieces_verified").asInt();
          assertThat(kept).as("pieces that fitted").isPositive().isLessThan(PIECES);
        }

        assertThat(run("mount", "-o", "remount,size=64m", disk.toString())).isNull();
        long uploadedBefore = settledUpload(seed);
        try (CliProcess again = CliProcess.start(tmp, args)) {
          JsonNode first =
              again.await(l -> l.path("pieces_total").asInt() == PIECES, Duration.ofSeconds(40));
          assertThat(first).as(again.output()).isNotNull();
          int code = again.waitFor(Duration.ofSeconds(60));
          assertThat(code).as(again.output()).isZero();
          int atStart = CliProcess.verifiedAtStart(again.seen(), PIECES);
          if (atStart >= 0) {
            assertThat(atStart)
                .as("pieces verified on disk at the start")
                .isGreaterThanOrEqualTo(kept);
          }
          long beyond = CliProcess.receivedBeyondVerified(again.seen(), PIECES, PIECE, kept);
          System.out.printf(
              "second run: the first had reported %d of %d verified, this one found %s on disk;"
                  + " received at most %d bytes beyond the pieces it verified over those; the"
                  + " seeder's upload counter moved %d pieces' worth%n",
              kept,
              PIECES,
              atStart < 0 ? "(not seen)" : atStart,
              beyond,
              (settledUpload(seed) - uploadedBefore) / PIECE);
          assertThat(beyond).isLessThanOrEqualTo((long) IN_FLIGHT_PIECES * PIECE);
        }
        assertThat(Payload.sameBytes(target.resolve("payload.bin"), source)).isTrue();
      }
    } finally {
      if (run("umount", disk.toString()) != null) {
        run("umount", "-l", disk.toString());
      }
    }
  }

  /** Runs a command; null if it exited 0, else its output. */
  private static String run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(20, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return String.join(" ", cmd) + ": did not finish";
    }
    return p.exitValue() == 0 ? null : String.join(" ", cmd) + ": " + out.strip();
  }

  private static long settledUpload(Transfer seed) throws InterruptedException {
    long last = -1;
    long now = seed.progress().uploadedBytes();
    while (now != last) {
      Thread.sleep(200);
      last = now;
      now = seed.progress().uploadedBytes();
    }
    return now;
  }
}
