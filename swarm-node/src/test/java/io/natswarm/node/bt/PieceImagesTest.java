package io.natswarm.node.bt;

import static org.assertj.core.api.Assertions.assertThat;

import bt.metainfo.TorrentId;
import bt.net.buffer.DelegatingByteBufferView;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * {@link PieceImages}: a piece is hashable from memory only once every block went through its
 * image, the hash is the piece's SHA-1, and the byte budget is never exceeded.
 */
class PieceImagesTest {
  static final TorrentId T = TorrentId.fromBytes(new byte[20]);

  @Test
  void anImageIsFullOnlyWhenEveryBlockIsMarkedAndHashesToThePieceSha1() throws Exception {
    PieceImages images = new PieceImages(1 << 20);
    byte[] piece = new byte[40]; // blocks of 16 bytes: 16, 16, 8
    for (int i = 0; i < piece.length; i++) {
      piece[i] = (byte) (i * 7 + 3);
    }
    PieceImages.Image image = images.start(T, 4, 1, piece.length, 3);
    assertThat(image).isNotNull();
    byte[] scratch = new byte[16];
    for (int block : new int[] {2, 0, 0, 1}) { // out of order, one block twice
      int offset = block * 16;
      int length = Math.min(16, piece.length - offset);
      ByteBuffer b = ByteBuffer.wrap(piece, offset, length).slice();
      PieceImages.copy(image, offset, new DelegatingByteBufferView(b), scratch);
      assertThat(b.position()).as("the view is not consumed").isZero();
      assertThat(image.full()).isFalse();
      image.mark(block);
    }
    assertThat(image.full()).isTrue();
    assertThat(images.get(T, 4, 1)).isSameAs(image);
    assertThat(images.sha1(image))
        .isEqualTo(MessageDigest.getInstance("SHA-1").digest(piece))
        .isNotEqualTo(MessageDigest.getInstance("SHA-1").digest(Arrays.copyOf(piece, 39)));
  }

  @Test
  void theBudgetLimitsImagesAndDroppingReleasesIt() {
    PieceImages images = new PieceImages(100);
    assertThat(images.start(T, 4, 0, 60, 4)).isNotNull();
    assertThat(images.start(T, 4, 1, 60, 4)).as("over the budget").isNull();
    assertThat(images.usedBytes()).isEqualTo(60);
    PieceImages.Image first = images.get(T, 4, 0);
    assertThat(images.start(T, 4, 0, 60, 4)).as("a new image replaces the old one").isNotNull();
    assertThat(images.get(T, 4, 0).bytes).as("the released array is reused").isSameAs(first.bytes);
    assertThat(images.usedBytes()).isEqualTo(60);
    images.drop(T, 4, 0);
    assertThat(images.get(T, 4, 0)).isNull();
    assertThat(images.usedBytes()).as("kept for the next piece").isEqualTo(60);
    assertThat(images.start(T, 4, 1, 100, 4))
        .as("an array of another length is let go")
        .isNotNull();
    assertThat(images.usedBytes()).isEqualTo(100);
  }

  @Test
  void piecesLongerThanTheLimitGetNoImage() {
    PieceImages images = new PieceImages(Long.MAX_VALUE);
    assertThat(images.start(T, 1, 0, PieceImages.MAX_PIECE_BYTES + 1, 1)).isNull();
    assertThat(images.usedBytes()).isZero();
  }
}
