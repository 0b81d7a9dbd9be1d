package io.natswarm.node.cli;

import io.natswarm.config.NodeConfig;
import io.natswarm.node.SwarmNode;
import io.natswarm.node.Transfer;
import io.natswarm.node.TransferProgress;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code natswarm get MAGNET|FILE.torrent}: downloads through a {@link SwarmNode}, shows progress,
 * and exits 0 only once every piece is present and verified. Bad input (a malformed .torrent, a
 * magnet link without a valid info-hash, a directory that cannot be written) is refused with a
 * message and exit 2 before the node starts.
 */
@Command(
    name = "get",
    mixinStandardHelpOptions = true,
    description = {
      "Download a torrent; exit 0 only when every piece is verified.",
      "Exit 1 if it did not complete, 2 for bad input. SIGTERM or Ctrl-C stops it;",
      "verified pieces stay on disk."
    })
final class GetCommand implements Callable<Integer> {
  /** How often completion and the stop signal are checked. */
  private static final Duration POLL = Duration.ofMillis(50);

  private final CliContext ctx;

  @Spec CommandSpec spec;
  @Mixin ConfigOptions options;

  @Parameters(
      index = "0",
      paramLabel = "MAGNET|FILE.torrent",
      description = "A magnet link (xt=urn:btih:...) or a .torrent file.")
  String source;

  @Option(
      names = "--to",
      paramLabel = "DIR",
      description =
          "Where to put the files (default: storage.download_dir, the current directory).")
  Path to;

  @Option(names = "--json", description = "Print progress as JSON lines.")
  boolean json;

  @Mixin PeerOptions peerOptions;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Give up (exit 1) if not complete after this long; default: never.")
  Duration timeout;

  @Option(
      names = "--progress-every",
      paramLabel = "DURATION",
      defaultValue = "1s",
      converter = DurationConverter.class,
      description = "How often progress is shown (default: ${DEFAULT-VALUE}).")
  Duration progressEvery;

  GetCommand(CliContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public Integer call() throws Exception {
    List<InetSocketAddress> direct = peerOptions.resolve(spec.commandLine());
    NodeConfig config = options.load(ctx).config();
    boolean magnet = MagnetLink.looksLikeOne(source);
    Path torrentFile = null;
    if (magnet) {
      String problem = MagnetLink.problem(source);
      if (problem != null) {
        throw UserError.badInput("not a valid magnet link: " + problem);
      }
    } else {
      torrentFile = torrentFile(source);
    }
    Path dir = DownloadTarget.prepare(to != null ? to : config.storage().downloadDir());
    PrintWriter out = spec.commandLine().getOut();
    SwarmNode node;
    try {
      node =
          SwarmNode.start(
              NodeSettings.of(
                  config, w -> spec.commandLine().getErr().println("natswarm get: " + w)));
    } catch (IOException | RuntimeException e) {
      throw UserError.failed("the node could not start: " + UserError.reason(e));
    }
    try {
      StatusServing.startIfConfigured(node, config, spec.commandLine().getErr(), "natswarm get");
      Transfer transfer;
      try {
        transfer = magnet ? node.download(source, dir) : node.download(torrentFile, dir);
      } catch (IllegalArgumentException e) {
        throw UserError.badInput(e.getMessage());
      } catch (IOException e) {
        throw UserError.failed("could not start the download: " + e.getMessage());
      }
      for (InetSocketAddress peer : direct) {
        transfer.connect(peer);
      }
      if (!json) {
        out.printf("natswarm get: %s into %s%n", transfer.infoHash(), dir);
      }
      return follow(transfer, dir, out);
    } finally {
      node.close();
    }
  }

  private int follow(Transfer transfer, Path dir, PrintWriter out)
      throws InterruptedException, UserError {
    long start = System.nanoTime();
    ProgressView view = new ProgressView(out, json, ctx.interactive(), transfer.infoHash(), start);
    CompletableFuture<TransferProgress> done = transfer.completion();
    long deadline = timeout == null ? Long.MAX_VALUE : start + timeout.toNanos();
    long nextShow = start;
    while (true) {
      if (done.isDone()) {
        return finish(done, view, transfer, dir);
      }
      long now = System.nanoTime();
      if (now - deadline >= 0) {
        return stopped(
            view, transfer, dir, "not complete after " + Units.clock(timeout) + " (--timeout)");
      }
      if (now - nextShow >= 0) {
        view.update(transfer.progress(), now);
        nextShow = now + progressEvery.toNanos();
      }
      if (ctx.stop().await(POLL)) {
        return stopped(view, transfer, dir, "stopped by a signal");
      }
    }
  }

  private int finish(
      CompletableFuture<TransferProgress> done, ProgressView view, Transfer transfer, Path dir)
      throws InterruptedException, UserError {
    long now = System.nanoTime();
    TransferProgress p;
    try {
      p = done.get();
    } catch (ExecutionException e) {
      String why = e.getCause() == null ? "failed" : e.getCause().getMessage();
      view.incomplete(transfer.progress(), now, why);
      throw UserError.failed("the download did not complete: " + why + keptNote(transfer, dir));
    }
    if (!p.complete()) {
      view.incomplete(p, now, "the engine reported completion with pieces missing");
      throw UserError.failed(
          "the download ended with "
              + p.piecesVerified()
              + " of "
              + p.piecesTotal()
              + " pieces verified"
              + keptNote(transfer, dir));
    }
    view.complete(p, now);
    return ExitCodes.OK;
  }

  private int stopped(ProgressView view, Transfer transfer, Path dir, String why) {
    view.incomplete(transfer.progress(), System.nanoTime(), why);
    spec.commandLine().getErr().println("natswarm get: " + why + keptNote(transfer, dir));
    return ExitCodes.FAILED;
  }

  private static String keptNote(Transfer transfer, Path dir) {
    TransferProgress p = transfer.progress();
    return "; "
        + p.piecesVerified()
        + " of "
        + p.piecesTotal()
        + " pieces are verified and kept in "
        + dir
        + " (run the same command again to resume)";
  }

  private static Path torrentFile(String arg) throws UserError {
    Path f;
    try {
      f = Path.of(arg);
    } catch (InvalidPathException e) {
      throw UserError.badInput("'" + arg + "' is neither a magnet link nor a file path");
    }
    if (!Files.exists(f)) {
      throw UserError.badInput(
          "no such file: "
              + arg
              + " (give a magnet link, magnet:?xt=urn:btih:..., or a .torrent file)");
    }
    if (!Files.isRegularFile(f)) {
      throw UserError.badInput(arg + " is not a .torrent file");
    }
    byte[] bytes;
    try {
      if (Files.size(f) > 64L << 20) {
        throw UserError.badInput(arg + " is larger than 64 MiB: not a .torrent file");
      }
      bytes = Files.readAllBytes(f);
    } catch (IOException e) {
      throw UserError.badInput("cannot read " + arg + ": " + DownloadTarget.reason(e));
    }
    String problem = TorrentFileCheck.problem(bytes);
    if (problem != null) {
      throw UserError.badInput(arg + " is not a valid .torrent file: " + problem);
    }
    return f;
  }
}
