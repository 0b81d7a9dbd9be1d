package io.natswarm.utp.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ByteQueueTest {
  private final ChunkPool small = new ChunkPool(16, 8);
  private final ChunkPool large = new ChunkPool(64, 8);

  @Test
  void bytesComeOutInOrderAcrossChunkBoundariesAndChunksGoBackWhenEmpty() {
    ByteQueue q = new ByteQueue(small, large);
    byte[] data = new byte[1000];
    new Random(7).nextBytes(data);
    ByteBuffer src = ByteBuffer.wrap(data);
    ByteBuffer out = ByteBuffer.allocate(1000);
    while (src.hasRemaining() || !q.isEmpty()) {
      q.writeFrom(src, 37);
      out.limit(Math.min(1000, out.position() + 23));
      q.readInto(out);
    }
    assertArrayEquals(data, out.array());
    assertEquals(0, q.size());
    assertTrue(large.pooled() > 0, "chunks returned to the pool");
  }

  @Test
  void shortMessageTakesASmallChunkLongOneLargeChunks() {
    ByteQueue q = new ByteQueue(small, large);
    q.writeFrom(ByteBuffer.allocate(10), 10);
    q.readInto(ByteBuffer.allocate(10));
    assertEquals(1, small.pooled(), "10 bytes went through a 16-byte chunk");
    assertEquals(0, large.pooled());
    q.writeFrom(ByteBuffer.allocate(200), 200);
    assertEquals(200, q.size());
    q.readInto(ByteBuffer.allocate(200));
    assertEquals(4, large.pooled(), "200 bytes in 64-byte chunks");
  }

  @Test
  void producerAndConsumerViewsMoveBytes() {
    ByteQueue q = new ByteQueue(small, large);
    assertNull(q.head());
    ByteBuffer t = q.tail(100);
    t.put(new byte[] {1, 2, 3});
    q.produced(3);
    ByteBuffer h = q.head();
    assertEquals(3, h.remaining());
    assertEquals(1, h.get());
    q.consumed(1);
    assertEquals(2, q.size());
    q.clear();
    assertEquals(0, q.size());
    q.tail(5);
    q.produced(0);
    assertNull(q.head(), "an unused tail chunk is given back");
  }
}
