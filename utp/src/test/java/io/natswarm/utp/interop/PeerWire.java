package io.natswarm.utp.interop;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Just enough of the BitTorrent peer wire protocol (BEP 3) over a {@link ByteChannel} to move
 * pieces between natswarm's µTP and libtorrent in the interop tests: the 68-byte handshake and
 * length-prefixed messages. Test code; blocking.
 */
final class PeerWire {
  static final int CHOKE = 0;
  static final int UNCHOKE = 1;
  static final int INTERESTED = 2;
  static final int NOT_INTERESTED = 3;
  static final int HAVE = 4;
  static final int BITFIELD = 5;
  static final int REQUEST = 6;
  static final int PIECE = 7;
  static final int CANCEL = 8;
  static final int KEEP_ALIVE = -1;

  private static final byte[] PROTOCOL = "BitTorrent protocol".getBytes(StandardCharsets.US_ASCII);

  private final ByteChannel ch;

  /** The last message read: id and payload (payload valid until the next read). */
  int id;

  ByteBuffer payload = ByteBuffer.allocate(1 << 17);

  PeerWire(ByteChannel ch) {
    this.ch = ch;
  }

  void sendHandshake(byte[] infoHash, byte[] peerId) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(68);
    b.put((byte) 19).put(PROTOCOL).put(new byte[8]).put(infoHash).put(peerId).flip();
    writeFully(b);
  }

  /** Reads the peer's handshake and returns its info-hash (20 bytes). */
  byte[] readHandshake() throws IOException {
    ByteBuffer b = ByteBuffer.allocate(68);
    readFully(b);
    b.flip();
    int len = b.get() & 0xFF;
    byte[] pstr = new byte[19];
    b.get(pstr);
    if (len != 19 || !Arrays.equals(pstr, PROTOCOL)) {
      throw new IOException("not a BitTorrent handshake: pstrlen " + len);
    }
    b.position(28);
    byte[] hash = new byte[20];
    b.get(hash);
    return hash;
  }

  void send(int msgId, ByteBuffer body) throws IOException {
    int n = body == null ? 0 : body.remaining();
    ByteBuffer b = ByteBuffer.allocate(5 + n);
    b.putInt(1 + n).put((byte) msgId);
    if (body != null) {
      b.put(body);
    }
    writeFully(b.flip());
  }

  void sendRequest(int index, int begin, int length) throws IOException {
    send(REQUEST, ByteBuffer.allocate(12).putInt(index).putInt(begin).putInt(length).flip());
  }

  void sendPiece(int index, int begin, byte[] data, int off, int len) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(13 + len);
    b.putInt(9 + len).put((byte) PIECE).putInt(index).putInt(begin).put(data, off, len);
    writeFully(b.flip());
  }

  /** Reads one message into {@link #id} and {@link #payload}; returns false at end of stream. */
  boolean read() throws IOException {
    ByteBuffer len = ByteBuffer.allocate(4);
    if (!readFully(len)) {
      return false;
    }
    int n = len.flip().getInt();
    if (n < 0 || n > (1 << 20)) {
      throw new IOException("bad message length " + n);
    }
    if (n == 0) {
      id = KEEP_ALIVE;
      payload.clear().flip();
      return true;
    }
    if (payload.capacity() < n) {
      payload = ByteBuffer.allocate(n);
    }
    payload.clear().limit(n);
    if (!readFully(payload)) {
      throw new EOFException("stream ended inside a message");
    }
    payload.flip();
    id = payload.get() & 0xFF;
    return true;
  }

  private void writeFully(ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      ch.write(b);
    }
  }

  /** Fills {@code b}; false if the stream ended before the first byte. */
  private boolean readFully(ByteBuffer b) throws IOException {
    boolean any = false;
    while (b.hasRemaining()) {
      int n = ch.read(b);
      if (n < 0) {
        if (!any) {
          return false;
        }
        throw new EOFException("stream ended after " + b.position() + " bytes");
      }
      any |= n > 0;
    }
    return true;
  }
}
