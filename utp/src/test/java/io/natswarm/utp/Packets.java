package io.natswarm.utp;

import java.nio.ByteBuffer;

/** Test helpers to read and build raw µTP datagrams. */
final class Packets {
  private Packets() {}

  static int type(ByteBuffer b) {
    return (b.get(b.position()) & 0xFF) >>> 4;
  }

  static int connectionId(ByteBuffer b) {
    return b.getShort(b.position() + 2) & 0xFFFF;
  }

  static int seq(ByteBuffer b) {
    return b.getShort(b.position() + 16) & 0xFFFF;
  }

  static int ack(ByteBuffer b) {
    return b.getShort(b.position() + 18) & 0xFFFF;
  }

  static long window(ByteBuffer b) {
    return b.getInt(b.position() + 12) & 0xFFFF_FFFFL;
  }

  static ByteBuffer build(int type, int connId, int seq, int ack, long wnd, byte[] payload) {
    ByteBuffer b = ByteBuffer.allocate(UtpHeader.SIZE + payload.length);
    UtpHeader.write(b, type, 0, connId, 1000, 0, wnd, seq, ack);
    b.put(payload);
    b.flip();
    return b;
  }
}
