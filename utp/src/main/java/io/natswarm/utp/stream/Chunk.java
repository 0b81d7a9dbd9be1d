package io.natswarm.utp.stream;

import java.nio.ByteBuffer;

/**
 * One block of a {@link ByteQueue}: bytes [readIndex, writeIndex) are queued. Carries its own
 * reusable {@link ByteBuffer} view so that handing a region to the µTP core allocates nothing.
 * Guarded by the owning channel's monitor.
 */
final class Chunk {
  final byte[] data;
  final ByteBuffer view;
  int readIndex;
  int writeIndex;

  Chunk(int bytes) {
    this.data = new byte[bytes];
    this.view = ByteBuffer.wrap(data);
  }

  int readable() {
    return writeIndex - readIndex;
  }

  int writable() {
    return data.length - writeIndex;
  }

  void reset() {
    readIndex = 0;
    writeIndex = 0;
  }
}
