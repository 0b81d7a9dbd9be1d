package io.natswarm.node.bt;

import bt.data.ChunkVerifier;
import bt.metainfo.TorrentId;
import bt.net.Peer;
import bt.net.buffer.BufferedData;
import bt.runtime.Config;
import bt.service.IRuntimeLifecycleBinder;
import bt.torrent.TorrentRegistry;
import bt.torrent.data.BlockCache;
import bt.torrent.data.BlockRead;
import bt.torrent.data.BlockWrite;
import bt.torrent.data.DataWorker;
import com.google.inject.Inject;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bt's {@link DataWorker} that reports failed writes ({@link StorageFailures}) and remembers which
 * peers' blocks were written into each piece and, when the piece is hashed, tells {@link PeerBans}
 * who made a good or a bad piece. Reading, writing and hashing are {@link StripedDataWorker}'s (in
 * place of Bt's own {@code DefaultDataWorker}); a piece that fails verification is cleared and Bt
 * 1.10 itself blames nobody (see {@link PeerBans}).
 *
 * <p>A block's peer is turned into its endpoint when Bt hands the block over, so a piece can still
 * be pinned on a peer whose connection closed before the piece was hashed; which blocks belong to
 * which hash check is kept by {@link PieceContributors}. Blocks the worker rejected (their piece
 * was already complete) or failed to write do not count. A first version recorded each block when
 * its write completed, in a {@code thenApply} stage: such a stage runs on the thread that adds it
 * when the write has already finished, out of order with the worker, and honest peers that
 * completed a piece after the corrupt peer's blocks were recorded elsewhere were banned ({@code
 * SwarmFailureTest}).
 */
final class HashFailureBlame implements DataWorker {
  private final DataWorker delegate;
  private final TorrentRegistry torrents;
  private final PeerBans bans;
  private final StorageFailures storage;
  private final Map<TorrentId, PieceContributors> contributors = new ConcurrentHashMap<>();

  @Inject
  HashFailureBlame(
      IRuntimeLifecycleBinder lifecycle,
      TorrentRegistry torrents,
      ChunkVerifier verifier,
      BlockCache cache,
      Config config,
      PeerBans bans,
      StorageFailures storage) {
    this(
        new StripedDataWorker(
            lifecycle,
            torrents,
            verifier,
            cache,
            config,
            new PieceImages(StripedDataWorker.imageBudget())),
        torrents,
        bans,
        storage);
  }

  HashFailureBlame(
      DataWorker delegate, TorrentRegistry torrents, PeerBans bans, StorageFailures storage) {
    this.delegate = delegate;
    this.torrents = torrents;
    this.bans = bans;
    this.storage = storage;
  }

  @Override
  public CompletableFuture<BlockRead> addBlockRequest(
      TorrentId torrentId, Peer peer, int pieceIndex, int offset, int length) {
    return delegate.addBlockRequest(torrentId, peer, pieceIndex, offset, length);
  }

  @Override
  public CompletableFuture<BlockWrite> addBlock(
      TorrentId torrentId, Peer peer, int pieceIndex, int offset, BufferedData buffer) {
    PieceContributors pieces = pieces(torrentId);
    if (pieces == null || pieceIndex < 0 || pieceIndex >= pieces.pieceCount()) {
      return delegate
          .addBlock(torrentId, peer, pieceIndex, offset, buffer)
          .thenApply(
              write -> {
                write.getError().ifPresent(e -> storage.writeFailed(torrentId, e));
                return write;
              });
    }
    long seq = pieces.add(pieceIndex, bans.endpointOf(peer));
    return delegate
        .addBlock(torrentId, peer, pieceIndex, offset, buffer)
        .thenApply(
            write -> {
              if (write.isRejected() || write.getError().isPresent()) {
                pieces.drop(pieceIndex, seq);
                write.getError().ifPresent(e -> storage.writeFailed(torrentId, e));
                return write;
              }
              var verification = write.getVerificationFuture();
              if (verification.isPresent()) {
                var unused =
                    verification
                        .get()
                        .whenComplete(
                            (ok, error) ->
                                judge(pieces.take(pieceIndex, seq), pieceIndex, ok, error));
              }
              return write;
            });
  }

  private void judge(Set<InetSocketAddress> made, int pieceIndex, Boolean ok, Throwable error) {
    if (error != null || made.isEmpty()) {
      return; // an I/O failure blames no peer
    }
    if (Boolean.TRUE.equals(ok)) {
      bans.pieceVerified(made);
    } else {
      bans.pieceFailed(pieceIndex, List.copyOf(made));
    }
  }

  private PieceContributors pieces(TorrentId id) {
    PieceContributors a = contributors.get(id);
    if (a != null) {
      return a;
    }
    var descriptor = torrents.getDescriptor(id);
    if (descriptor.isEmpty() || descriptor.get().getDataDescriptor() == null) {
      return null;
    }
    int n = descriptor.get().getDataDescriptor().getChunkDescriptors().size();
    return contributors.computeIfAbsent(id, k -> new PieceContributors(n));
  }
}
