package io.natswarm.node.cli;

import io.natswarm.config.NodeConfig;
import io.natswarm.node.SharedTorrent;
import io.natswarm.node.SwarmNode;
import io.natswarm.node.TransferProgress;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code natswarm share PATH}: makes a v1 torrent of a file or directory, writes the .torrent file,
 * prints it and the magnet link, and seeds until SIGTERM, Ctrl-C or {@code --run-for}.
 */
@Command(
    name = "share",
    mixinStandardHelpOptions = true,
    description = {
      "Share a file or directory: write PATH.torrent, print the magnet link, seed.",
      "Seeds until SIGTERM or Ctrl-C (or --run-for)."
    })
final class ShareCommand implements Callable<Integer> {
  private final CliContext ctx;

  @Spec CommandSpec spec;
  @Mixin ConfigOptions options;

  @Parameters(index = "0", paramLabel = "PATH", description = "The file or directory to share.")
  Path path;

  @Option(
      names = "--torrent-file",
      paramLabel = "FILE",
      description = "Where to write the .torrent file (default: PATH.torrent beside PATH).")
  Path torrentFile;

  @Option(names = "--json", description = "Print JSON lines instead of text.")
  boolean json;

  @Mixin PeerOptions peerOptions;

  @Option(
      names = "--run-for",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Stop seeding after this long; default: until SIGTERM or Ctrl-C.")
  Duration runFor;

  @Option(
      names = "--report-every",
      paramLabel = "DURATION",
      defaultValue = "30s",
      converter = DurationConverter.class,
      description = "How often to report peers and upload (default: ${DEFAULT-VALUE}).")
  Duration reportEvery;

  ShareCommand(CliContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public Integer call() throws Exception {
    List<InetSocketAddress> direct = peerOptions.resolve(spec.commandLine());
    NodeConfig config = options.load(ctx).config();
    Path data = path.toAbsolutePath().normalize();
    if (!Files.exists(data)) {
      throw UserError.badInput("no such file or directory: " + path);
    }
    if (!Files.isReadable(data)) {
      throw UserError.badInput("cannot read " + path);
    }
    Path torrentOut =
        torrentFile != null
            ? torrentFile.toAbsolutePath()
            : data.resolveSibling(data.getFileName() + ".torrent");
    PrintWriter out = spec.commandLine().getOut();
    JsonLines lines = new JsonLines(out);
    SwarmNode node;
    try {
      node =
          SwarmNode.start(
              NodeSettings.of(
                  config, w -> spec.commandLine().getErr().println("natswarm share: " + w)));
    } catch (IOException | RuntimeException e) {
      throw UserError.failed("the node could not start: " + UserError.reason(e));
    }
    try {
      StatusServing.startIfConfigured(node, config, spec.commandLine().getErr(), "natswarm share");
      SharedTorrent shared;
      try {
        shared = node.share(data);
      } catch (IOException e) {
        throw UserError.failed("cannot share " + path + ": " + e.getMessage());
      }
      direct.forEach(shared.transfer()::connect);
      try {
        writeAtomically(torrentOut, shared.metainfo());
      } catch (IOException e) {
        throw UserError.failed(
            "cannot write the torrent file " + torrentOut + ": " + DownloadTarget.reason(e));
      }
      int port = node.listenAddress().getPort();
      if (json) {
        Map<String, Object> m = JsonLines.event("sharing");
        m.put("info_hash", shared.infoHash());
        m.put("magnet", shared.magnetUri());
        m.put("torrent_file", torrentOut.toString());
        m.put("listen_address", node.listenAddress().getAddress().getHostAddress());
        m.put("listen_port", port);
        lines.print(m);
      } else {
        out.println("natswarm share: " + data);
        out.println("  magnet link:  " + shared.magnetUri());
        out.println("  torrent file: " + torrentOut);
        out.println("  info-hash:    " + shared.infoHash());
        out.println(
            "  listening on "
                + Units.address(node.listenAddress())
                + " (µTP over UDP, and TCP); seeding until stopped (Ctrl-C)");
      }
      out.flush();
      seed(shared, lines, out);
      return ExitCodes.OK;
    } finally {
      node.close();
    }
  }

  /**
   * Writes through a temporary file in the same directory and a rename, so whoever waits for the
   * .torrent file (a script, another node) never reads half of it.
   */
  private static void writeAtomically(Path target, byte[] bytes) throws IOException {
    Path parent = target.toAbsolutePath().getParent();
    Path tmp = Files.createTempFile(parent, target.getFileName() + ".", ".part");
    try {
      Files.write(tmp, bytes);
      try {
        Files.move(
            tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private void seed(SharedTorrent shared, JsonLines lines, PrintWriter out)
      throws InterruptedException {
    long start = System.nanoTime();
    long end = runFor == null ? Long.MAX_VALUE : start + runFor.toNanos();
    while (true) {
      long now = System.nanoTime();
      long wait = Math.min(reportEvery.toNanos(), Math.max(0, end - now));
      if (ctx.stop().await(Duration.ofNanos(wait))) {
        break;
      }
      if (System.nanoTime() - end >= 0) {
        break;
      }
      TransferProgress p = shared.transfer().progress();
      if (json) {
        Map<String, Object> m = JsonLines.event("seeding");
        m.put("info_hash", shared.infoHash());
        m.put("uploaded_bytes", p.uploadedBytes());
        m.put("peers", p.connectedPeers());
        m.put("utp_peers", p.utpPeers());
        m.put("tcp_peers", p.tcpPeers());
        lines.print(m);
      } else {
        out.printf(
            Locale.ROOT,
            "  seeding: %s uploaded, %d peers (µTP %d, TCP %d)%n",
            Units.bytes((double) p.uploadedBytes()),
            p.connectedPeers(),
            p.utpPeers(),
            p.tcpPeers());
      }
    }
    if (json) {
      Map<String, Object> m = JsonLines.event("stopped");
      m.put("info_hash", shared.infoHash());
      m.put("uploaded_bytes", shared.transfer().progress().uploadedBytes());
      lines.print(m);
    } else {
      out.println("natswarm share: stopped");
    }
  }
}
