package io.natswarm.node;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The embedded-API example of the README ("The embedded API"), kept here so that the build compiles
 * and runs it: {@link ReadmeExampleTest} checks that the README's code block is exactly the text
 * between the two marker comments, then runs {@link #shareAndDownload}.
 */
final class ReadmeExample {
  private ReadmeExample() {}

  /** Seeds {@code file} from one node and downloads it with another into {@code downloads}. */
  static void shareAndDownload(Path file, Path downloads) throws Exception {
    // README example begins
    // Two nodes on loopback: nothing leaves this machine (no public DHT, no outside tracker).
    SwarmNodeSettings settings = SwarmNodeSettings.loopback();
    try (SwarmNode seeder = SwarmNode.start(settings);
        SwarmNode leecher = SwarmNode.start(settings)) {
      // Makes a v1 torrent of the file and seeds it.
      SharedTorrent shared = seeder.share(file);
      System.out.println("seeding " + shared.magnetUri());

      // Downloads from the magnet link, given the seeder's address; with the DHT on
      // (settings.withDht(DhtSettings.joining(bootstrapNodes))) peers are found without it.
      Transfer download = leecher.download(shared.magnetUri(), downloads);
      download.connect(seeder.listenAddress());

      // Completes once every piece is verified against its SHA-1.
      TransferProgress done = download.completion().get(60, TimeUnit.SECONDS);
      System.out.printf(
          "%d of %d pieces verified; µTP connections now: %d%n",
          done.piecesVerified(), done.piecesTotal(), done.utpPeers());
    }
    // README example ends
  }
}
