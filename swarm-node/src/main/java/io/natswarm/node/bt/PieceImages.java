package io.natswarm.node.bt;

import bt.metainfo.TorrentId;
import bt.net.buffer.ByteBufferView;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * In-memory copies of the pieces being downloaded, so that a piece can be hashed (BEP 3: SHA-1 of
 * the piece) from the bytes that were written instead of being read back from the file. Each image
 * is filled block by block next to the write of the same block to storage; a piece is hashed from
 * its image only when every one of its blocks went through the image and was marked present by Bt's
 * block set, otherwise the caller reads the piece back from storage as Bt does.
 *
 * <p>Images hold at most {@code budgetBytes} in all (a piece that does not fit gets no image and is
 * read back); pieces longer than {@link #MAX_PIECE_BYTES} never get one. A released image's array
 * is kept (and still counted) for the next piece of the same length: allocating a zeroed 256 KiB
 * array per piece was a third of the worker threads' samples (JFR, swarm-loopback, 2026-12-03). A
 * piece's image is touched only by the one {@link StripedDataWorker} stripe that owns the piece
 * (piece index modulo the stripe count), so an image needs no lock; only the budget and the map of
 * torrents are shared. An image whose piece never completes (its torrent stopped) keeps its share
 * of the budget until the node closes; later pieces are then read back, never hashed wrongly.
 */
final class PieceImages {
  /** Longest piece given an image (libtorrent's default piece sizes go up to 4 MiB for 4 GiB). */
  static final int MAX_PIECE_BYTES = 4 * 1024 * 1024;

  /** One piece's bytes and which of its blocks are in them. */
  static final class Image {
    final byte[] bytes;
    private final boolean[] blocks;
    private int covered;

    Image(byte[] bytes, int blockCount) {
      this.bytes = bytes;
      this.blocks = new boolean[blockCount];
    }

    /** Every block of the piece has been copied in. */
    boolean full() {
      return covered == blocks.length;
    }

    void mark(int block) {
      if (!blocks[block]) {
        blocks[block] = true;
        covered++;
      }
    }
  }

  private final long budgetBytes;
  private final AtomicLong used = new AtomicLong();
  private final Queue<byte[]> free = new ConcurrentLinkedQueue<>();
  private final Map<TorrentId, Image[]> torrents = new ConcurrentHashMap<>();
  private final ThreadLocal<MessageDigest> sha1 = ThreadLocal.withInitial(PieceImages::newSha1);

  PieceImages(long budgetBytes) {
    this.budgetBytes = budgetBytes;
  }

  /** Bytes held now: by images, and by arrays kept for the next images. */
  long usedBytes() {
    return used.get();
  }

  /** The image of {@code piece}, or null. */
  Image get(TorrentId torrent, int pieceCount, int piece) {
    return slots(torrent, pieceCount)[piece];
  }

  /**
   * A new, empty image of {@code piece} ({@code length} bytes, {@code blockCount} blocks), or null
   * when the piece is too long or the budget is spent. Replaces (and releases) any older image.
   */
  Image start(TorrentId torrent, int pieceCount, int piece, int length, int blockCount) {
    Image[] slots = slots(torrent, pieceCount);
    release(slots, piece);
    if (length > MAX_PIECE_BYTES || blockCount <= 0) {
      return null;
    }
    byte[] bytes = reuse(length);
    if (bytes == null) {
      long now = used.addAndGet(length);
      if (now > budgetBytes) {
        used.addAndGet(-length);
        return null;
      }
      bytes = new byte[length];
    }
    Image image = new Image(bytes, blockCount);
    slots[piece] = image;
    return image;
  }

  /** Forgets the image of {@code piece}, if any. */
  void drop(TorrentId torrent, int pieceCount, int piece) {
    release(slots(torrent, pieceCount), piece);
  }

  /**
   * Copies the {@code view}'s remaining bytes (not consuming them) into the image at {@code
   * offset}, using {@code scratch} (at least as long as the block) when the block is not exactly
   * that long: Bt's buffer views can only copy into a whole array.
   */
  static void copy(Image image, int offset, ByteBufferView view, byte[] scratch) {
    int length = view.remaining();
    ByteBufferView v = view.duplicate();
    if (scratch.length == length) {
      v.get(scratch);
    } else {
      byte[] exact = new byte[length]; // the short last block of a torrent only
      v.get(exact);
      System.arraycopy(exact, 0, image.bytes, offset, length);
      return;
    }
    System.arraycopy(scratch, 0, image.bytes, offset, length);
  }

  /** SHA-1 of the whole image. */
  byte[] sha1(Image image) {
    MessageDigest d = sha1.get();
    d.reset();
    d.update(image.bytes, 0, image.bytes.length);
    return d.digest();
  }

  /**
   * A released array of {@code length} bytes (its old contents are overwritten block by block
   * before the image is full), or null; arrays of other lengths are let go.
   */
  private byte[] reuse(int length) {
    byte[] b;
    while ((b = free.poll()) != null) {
      if (b.length == length) {
        return b;
      }
      used.addAndGet(-b.length);
    }
    return null;
  }

  private void release(Image[] slots, int piece) {
    Image old = slots[piece];
    if (old != null) {
      slots[piece] = null;
      free.add(old.bytes); // still counted in used
    }
  }

  private Image[] slots(TorrentId torrent, int pieceCount) {
    return torrents.computeIfAbsent(torrent, t -> new Image[pieceCount]);
  }

  private static MessageDigest newSha1() {
    try {
      return MessageDigest.getInstance("SHA-1");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-1", e);
    }
  }
}
