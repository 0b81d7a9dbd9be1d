package io.natswarm.node.failure;

import static org.assertj.core.api.Assertions.assertThat;

import bt.torrent.maker.TorrentBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import io.natswarm.node.SwarmNode;
import io.natswarm.node.SwarmNodeSettings;
import io.natswarm.node.Transfer;
import io.natswarm.node.interop.Payload;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, "Tolerating failure", resume: {@code natswarm get} in its own JVM, downloading from a
 * natswarm seeder in the test's JVM, is killed with SIGKILL ({@code kill -9}) {@value #KILLS} times
 * at seeded random points and started again on the same directory each time; the last run must
 * finish with exit 0 and a byte-exact file.
 *
 * <p>What each restart must show, from its {@code --json} lines:
 *
 * <ul>
 *   <li>nothing verified is lost and no verified piece is fetched again: in every progress line,
 *       the bytes the run has received are at most the pieces it has verified beyond those the
 *       killed run had reported, plus those that may be in flight ({@value #IN_FLIGHT_PIECES}: Bt's
 *       32 pieces assigned to a peer and a margin). Bt counts a block only when it is written into
 *       a piece not yet verified, so a run that lost verified pieces and fetched them again, or
 *       fetched pieces it did not keep, exceeds the bound.
 *   <li>when the run's first progress line comes before any byte was received, the pieces it found
 *       verified on disk are at least those the killed run had reported.
 * </ul>
 *
 * <p>The seeder's upload counter is printed, not asserted: Bt samples it per connection every 20 ms
 * and drops what a connection sent after its last sample, so it is not exact across kills.
 */
@Timeout(150)
class KillNineResumeTest {
  static final long SIZE = 32L << 20;
  static final int PIECE = 32 * 1024;
  static final int PIECES = (int) (SIZE / PIECE);
  static final int KILLS = 4;
  static final int IN_FLIGHT_PIECES = 40;

  @TempDir Path tmp;

  @Test
  void killedAtRandomPointsItResumesWithoutFetchingVerifiedPiecesAgain() throws Exception {
    Path seedDir = Files.createDirectories(tmp.resolve("seed"));
    Path source = Payload.write(seedDir.resolve("payload.bin"), SIZE, 99);
    Path torrent =
        Files.write(
            tmp.resolve("payload.torrent"),
            new TorrentBuilder()
                .pieceSize(PIECE)
                .createdBy("natswarm-test")
                .addFile(source)
                .build());
    Path target = tmp.resolve("down");
    Random random = new Random(20261203L);

    try (SwarmNode seeder = SwarmNode.start(SwarmNodeSettings.loopback())) {
      Transfer seed = seeder.download(torrent, seedDir);
      assertThat(seed.completion().get(30, TimeUnit.SECONDS).complete()).isTrue();
      String peer = "127.0.0.1:" + seeder.listenAddress().getPort();

      List<String> args = new ArrayList<>();
      args.addAll(
          List.of(
              "get",
              torrent.toString(),
              "--to",
              target.toString(),
              "--peer",
              peer,
              "--json",
              "--progress-every",
              "20ms",
              "--timeout",
              "90s"));
      args.addAll(CliProcess.LOOPBACK); // options after the subcommand

      int reportedAtKill = 0; // pieces the killed run last reported verified
      int[] atStart = new int[KILLS + 1];
      long[] sent = new long[KILLS + 1];
      long[] overshoot = new long[KILLS + 1];
      int[] before = new int[KILLS + 1];
      for (int run = 0; run <= KILLS; run++) {
        long uploadedBefore = settledUpload(seed);
        try (CliProcess get = CliProcess.start(tmp, args)) {
          JsonNode first =
              get.await(l -> l.path("pieces_total").asInt() == PIECES, Duration.ofSeconds(40));
          assertThat(first).as("run %d knows the torrent\n%s", run, get.output()).isNotNull();
          before[run] = reportedAtKill;
          atStart[run] = CliProcess.verifiedAtStart(get.seen(), PIECES);
          if (atStart[run] >= 0) {
            assertThat(atStart[run])
                .as("run %d starts with every piece the killed run had reported verified", run)
                .isGreaterThanOrEqualTo(reportedAtKill);
          }
          if (run < KILLS) {
            int now = first.get("pieces_verified").asInt();
            int killAt =
                now + Math.max(1, (int) ((PIECES - now) * (0.15 + 0.3 * random.nextDouble())));
            JsonNode last =
                get.await(l -> l.path("pieces_verified").asInt() >= killAt, Duration.ofSeconds(60));
            assertThat(last)
                .as("run %d reached %d pieces\n%s", run, killAt, get.output())
                .isNotNull();
            get.kill9();
            reportedAtKill = last.get("pieces_verified").asInt();
            assertThat(reportedAtKill).as("run %d was killed mid-transfer", run).isLessThan(PIECES);
          } else {
            int code = get.waitFor(Duration.ofSeconds(90));
            List<JsonNode> lines = get.seen();
            JsonNode end = lines.get(lines.size() - 1);
            assertThat(code).as(get.output()).isZero();
            assertThat(end.get("event").asText()).isEqualTo("complete");
            assertThat(end.get("pieces_verified").asInt()).isEqualTo(PIECES);
          }
          overshoot[run] =
              CliProcess.receivedBeyondVerified(get.seen(), PIECES, PIECE, before[run]);
        }
        sent[run] = settledUpload(seed) - uploadedBefore;
      }
      for (int run = 0; run <= KILLS; run++) {
        System.out.printf(
            "run %d: the killed run had reported %d verified, this one found %s on disk; received"
                + " at most %d bytes beyond the pieces it verified over those; the seeder's upload"
                + " counter moved %d pieces' worth%n",
            run,
            before[run],
            atStart[run] < 0 ? "(not seen: downloading at its first line)" : atStart[run],
            overshoot[run],
            sent[run] / PIECE);
        assertThat(overshoot[run])
            .as("bytes run %d received beyond the pieces it verified", run)
            .isLessThanOrEqualTo((long) IN_FLIGHT_PIECES * PIECE);
      }
      assertThat(before[KILLS]).as("the last run resumed").isPositive();
      assertThat(Payload.sameBytes(target.resolve("payload.bin"), source)).isTrue();
    }
  }

  /** The seeder's upload counter once it stopped moving (the leecher is gone or done). */
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
