package io.natswarm.node.bt;

import bt.data.ChunkDescriptor;
import bt.data.ChunkVerifier;
import bt.data.DataDescriptor;
import bt.metainfo.TorrentId;
import bt.net.Peer;
import bt.net.buffer.BufferedData;
import bt.net.buffer.ByteBufferView;
import bt.net.buffer.DelegatingByteBufferView;
import bt.runtime.Config;
import bt.service.IRuntimeLifecycleBinder;
import bt.torrent.TorrentRegistry;
import bt.torrent.data.BlockCache;
import bt.torrent.data.BlockRead;
import bt.torrent.data.BlockWrite;
import bt.torrent.data.DataWorker;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's data worker: writes received blocks to storage and verifies each completed piece (BEP
 * 3: the SHA-1 of the piece against the metainfo's {@code pieces}) before Bt marks it verified, in
 * place of Bt 1.10's {@code DefaultDataWorker}, which does all of it on one thread and reads every
 * piece back from storage to hash it.
 *
 * <p>Threads: {@code stripes} single-threaded executors (Bt's {@code numOfHashingThreads}, from
 * {@code EngineTuning.hashingThreads()}); all the work on piece {@code p} (its writes in arrival
 * order, then its check) runs on stripe {@code p % stripes}, so one piece's block set and image are
 * only ever touched by one thread, as under Bt's single worker, while different pieces are written
 * and hashed in parallel. Bt's storage is safe for that: positional writes through its open-file
 * cache, a locked bitfield. A piece's check is queued behind its last write on the same stripe, as
 * Bt does, so that whoever waits on the write (Bt's {@code PieceConsumer}, {@link
 * HashFailureBlame}) sees it before the check's result.
 *
 * <p>A piece is hashed from its in-memory copy ({@link PieceImages}) when all its blocks were
 * copied there as they were written, else read back from storage with Bt's {@link ChunkVerifier} as
 * before. Nothing is marked verified before its hash matched; a piece that fails is cleared, as Bt
 * does. A failed write drops the piece's copy (storage may then differ from it).
 *
 * <p>Measured (issue 9 stage 3, step 2): see {@link EngineConfig}.
 */
final class StripedDataWorker implements DataWorker {
  private static final Logger LOG = LoggerFactory.getLogger(StripedDataWorker.class);

  /** The most bytes of piece copies per node: 64 MiB, or a sixteenth of the heap if less. */
  static long imageBudget() {
    return Math.min(64L * 1024 * 1024, Runtime.getRuntime().maxMemory() / 16);
  }

  private final TorrentRegistry torrents;
  private final ChunkVerifier verifier;
  private final BlockCache cache;
  private final PieceImages images;
  private final BlockCopies copies = new BlockCopies(BlockCopies.DEFAULT_LIMIT_BYTES);
  private final Stripe[] stripes;
  private final int maxPendingTasks;
  private final AtomicInteger pendingTasks = new AtomicInteger();

  StripedDataWorker(
      IRuntimeLifecycleBinder lifecycle,
      TorrentRegistry torrents,
      ChunkVerifier verifier,
      BlockCache cache,
      Config config,
      PieceImages images) {
    this.torrents = torrents;
    this.verifier = verifier;
    this.cache = cache;
    this.images = images;
    this.maxPendingTasks = config.getMaxIOQueueSize();
    int n = Math.max(1, config.getNumOfHashingThreads());
    this.stripes = new Stripe[n];
    for (int i = 0; i < n; i++) {
      String name = config.getAcceptorPort() + ".natswarm.data-" + i;
      stripes[i] = new Stripe(Executors.newSingleThreadExecutor(r -> new Thread(r, name)));
    }
    lifecycle.onShutdown(
        "Shutdown natswarm data workers",
        () -> {
          for (Stripe s : stripes) {
            s.executor.shutdownNow();
          }
        });
  }

  /** Threads writing and hashing. */
  int stripeCount() {
    return stripes.length;
  }

  /** One thread and the scratch buffer it copies blocks through. */
  private static final class Stripe {
    final ExecutorService executor;
    byte[] scratch = new byte[0];

    Stripe(ExecutorService executor) {
      this.executor = executor;
    }

    byte[] scratch(int length) {
      if (scratch.length != length) {
        scratch = new byte[length];
      }
      return scratch;
    }
  }

  private Stripe stripe(int piece) {
    return stripes[Math.floorMod(piece, stripes.length)];
  }

  @Override
  public CompletableFuture<BlockRead> addBlockRequest(
      TorrentId torrentId, Peer peer, int pieceIndex, int offset, int length) {
    DataDescriptor data = descriptor(torrentId);
    if (!data.getBitfield().isVerified(pieceIndex)) {
      return CompletableFuture.completedFuture(
          BtDataResults.readRejected(peer, pieceIndex, offset, length));
    }
    if (!tryIncrementPending()) {
      LOG.warn("rejecting a block read (queue full): piece {} offset {}", pieceIndex, offset);
      return CompletableFuture.completedFuture(
          BtDataResults.readFailed(peer, queueFull(), pieceIndex, offset, length));
    }
    try {
      return CompletableFuture.supplyAsync(
          () -> {
            try {
              return BtDataResults.readable(
                  peer,
                  pieceIndex,
                  offset,
                  length,
                  cache.get(torrentId, pieceIndex, offset, length));
            } catch (RuntimeException e) {
              LOG.error("reading piece {} offset {} for {}", pieceIndex, offset, peer, e);
              return BtDataResults.readFailed(peer, e, pieceIndex, offset, length);
            } finally {
              pendingTasks.decrementAndGet();
            }
          },
          stripe(pieceIndex).executor);
    } catch (RejectedExecutionException e) {
      pendingTasks.decrementAndGet();
      return CompletableFuture.completedFuture(
          BtDataResults.readFailed(peer, e, pieceIndex, offset, length));
    }
  }

  @Override
  public CompletableFuture<BlockWrite> addBlock(
      TorrentId torrentId, Peer peer, int pieceIndex, int offset, BufferedData buffer) {
    int length = buffer.length();
    if (!tryIncrementPending()) {
      LOG.warn("rejecting a block write (queue full): piece {} offset {}", pieceIndex, offset);
      buffer.dispose();
      return CompletableFuture.completedFuture(
          BtDataResults.writeFailed(peer, queueFull(), pieceIndex, offset, length));
    }
    Stripe s = stripe(pieceIndex);
    Block block = Block.of(buffer, copies);
    try {
      return CompletableFuture.supplyAsync(
          () -> write(s, torrentId, peer, pieceIndex, offset, block), s.executor);
    } catch (RejectedExecutionException e) {
      pendingTasks.decrementAndGet();
      block.release();
      return CompletableFuture.completedFuture(
          BtDataResults.writeFailed(peer, e, pieceIndex, offset, length));
    }
  }

  /**
   * A received block on its way to storage: a copy in one of our arrays (Bt's buffer already
   * released) or, when too many copies wait, still Bt's buffer.
   */
  private static final class Block {
    final int length;
    final BufferedData held; // null when copied
    final byte[] copy; // null when held
    final BlockCopies copies;

    private Block(int length, BufferedData held, byte[] copy, BlockCopies copies) {
      this.length = length;
      this.held = held;
      this.copy = copy;
      this.copies = copies;
    }

    /** On the dispatcher thread: copies {@code buffer} out and releases it, if there is room. */
    static Block of(BufferedData buffer, BlockCopies copies) {
      int length = buffer.length();
      byte[] copy = copies.take(length);
      if (copy == null) {
        return new Block(length, buffer, null, copies);
      }
      buffer.buffer().duplicate().get(copy);
      buffer.dispose();
      return new Block(length, null, copy, copies);
    }

    ByteBufferView view() {
      return held != null
          ? held.buffer()
          : new DelegatingByteBufferView(ByteBuffer.wrap(copy, 0, length));
    }

    void release() {
      if (held != null) {
        held.dispose();
      } else {
        copies.give(copy);
      }
    }
  }

  /** On {@code s}'s thread. */
  private BlockWrite write(
      Stripe s, TorrentId torrentId, Peer peer, int piece, int offset, Block b) {
    int length = b.length;
    int pieceCount = 0;
    try {
      DataDescriptor data = descriptor(torrentId);
      pieceCount = data.getChunkDescriptors().size();
      ChunkDescriptor chunk = data.getChunkDescriptors().get(piece);
      if (chunk.isComplete()) {
        return BtDataResults.writeRejected(peer, piece, offset, length);
      }
      ByteBufferView view = b.view();
      long blockSize = chunk.blockSize();
      int block = (int) (offset / blockSize);
      boolean whole =
          offset % blockSize == 0
              && block < chunk.blockCount()
              && length == (block == chunk.blockCount() - 1 ? chunk.lastBlockSize() : blockSize);
      PieceImages.Image image = images.get(torrentId, pieceCount, piece);
      if (!whole) {
        images.drop(torrentId, pieceCount, piece);
        image = null;
      } else if (image == null && chunk.isEmpty()) {
        image =
            images.start(torrentId, pieceCount, piece, (int) chunk.length(), chunk.blockCount());
      }
      if (image != null) {
        if (b.copy != null) {
          System.arraycopy(b.copy, 0, image.bytes, offset, length);
        } else {
          PieceImages.copy(image, offset, view, s.scratch((int) blockSize));
        }
      }
      try {
        chunk.getData().getSubrange(offset).putBytes(view);
      } catch (RuntimeException e) {
        images.drop(torrentId, pieceCount, piece);
        throw e;
      }
      if (image != null && chunk.isPresent(block)) {
        image.mark(block);
      }
      CompletableFuture<Boolean> verification = null;
      if (chunk.isComplete()) {
        CompletableFuture<Boolean> v = new CompletableFuture<>();
        int pieces = pieceCount;
        try {
          s.executor.execute(() -> verify(data, chunk, torrentId, pieces, piece, v));
        } catch (RejectedExecutionException e) {
          v.completeExceptionally(e);
        }
        verification = v;
      }
      return BtDataResults.written(peer, piece, offset, length, verification);
    } catch (RuntimeException e) {
      return BtDataResults.writeFailed(peer, e, piece, offset, length);
    } finally {
      pendingTasks.decrementAndGet();
      b.release();
    }
  }

  /** On the piece's stripe, after the write that completed it. */
  private void verify(
      DataDescriptor data,
      ChunkDescriptor chunk,
      TorrentId torrentId,
      int pieceCount,
      int piece,
      CompletableFuture<Boolean> result) {
    try {
      PieceImages.Image image = images.get(torrentId, pieceCount, piece);
      boolean ok;
      if (image != null && image.full()) {
        ok = Arrays.equals(images.sha1(image), chunk.getChecksum());
      } else {
        ok = verifier.verify(chunk);
      }
      images.drop(torrentId, pieceCount, piece);
      if (ok) {
        data.getBitfield().markLocalPieceVerified(piece);
      } else {
        chunk.clear();
      }
      result.complete(ok);
    } catch (RuntimeException e) {
      images.drop(torrentId, pieceCount, piece);
      result.completeExceptionally(e);
    }
  }

  private static Exception queueFull() {
    return new IllegalStateException("Queue is overloaded");
  }

  private boolean tryIncrementPending() {
    int n = pendingTasks.updateAndGet(c -> c == maxPendingTasks ? c : c + 1);
    return n < maxPendingTasks;
  }

  private DataDescriptor descriptor(TorrentId torrentId) {
    return torrents.getDescriptor(torrentId).get().getDataDescriptor();
  }
}
