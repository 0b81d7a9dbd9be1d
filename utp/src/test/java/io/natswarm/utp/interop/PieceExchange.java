package io.natswarm.utp.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.io.BaseEncoding;
import io.natswarm.utp.stream.UtpChannel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Both sides of a BEP 3 piece exchange over a {@link UtpChannel}, for the interop tests: download
 * every piece from a seed (keeping at most {@link #PIPELINE} requests outstanding, as real clients
 * do) and check each SHA-1, or serve pieces to a leech until it goes away. Test code; blocking.
 */
final class PieceExchange {
  static final int BLOCK = 16 * 1024;
  static final int PIPELINE = 64;

  private PieceExchange() {}

  /**
   * A download that may take several connections: the blocks received so far, and counters readable
   * from another thread for a failure message (blocks requested and received, requests repeated
   * after a choke or on a new connection, connections, and the seed's messages by id).
   */
  static final class Download {
    final int size;
    final int piece;
    final List<String> pieceHashes;
    final byte[] got;
    final boolean[] have;
    final AtomicInteger requested = new AtomicInteger();
    final AtomicInteger received = new AtomicInteger();
    final AtomicInteger rerequested = new AtomicInteger();
    final AtomicInteger connections = new AtomicInteger();
    final AtomicIntegerArray messages = new AtomicIntegerArray(21);

    Download(int size, int piece, List<String> pieceHashes) {
      this.size = size;
      this.piece = piece;
      this.pieceHashes = pieceHashes;
      this.got = new byte[size];
      this.have = new boolean[(size + BLOCK - 1) / BLOCK];
    }

    boolean complete() {
      return received.get() == have.length;
    }

    @Override
    public String toString() {
      return "connections="
          + connections
          + " requested="
          + requested
          + " received="
          + received
          + "/"
          + have.length
          + " rerequested="
          + rerequested
          + " messages_by_id="
          + messages;
    }
  }

  /**
   * Continues {@code d} over {@code ch} (a fresh connection: handshake, interested, wait for
   * unchoke) until every block is in, then checks every piece's SHA-1 and returns the bytes. Like a
   * real client (BEP 3): a choke discards the requests outstanding at the seed, so after the next
   * unchoke every block not yet received is requested again. A read that times out (the channel's
   * read timeout) ends this connection's part with {@link java.net.SocketTimeoutException}; the
   * caller may go on with a new connection.
   */
  static byte[] download(UtpChannel ch, byte[] infoHash, Download d)
      throws IOException, NoSuchAlgorithmException {
    d.connections.incrementAndGet();
    PeerWire wire = new PeerWire(ch);
    wire.sendHandshake(infoHash, peerId());
    assertArrayEquals(infoHash, wire.readHandshake(), "the seed answered for our torrent");
    wire.send(PeerWire.INTERESTED, null);
    int blocks = d.have.length;
    boolean[] asked = new boolean[blocks];
    boolean choked = true;
    int outstanding = 0;
    int next = 0; // lowest block that may still need a request on this connection
    while (!d.complete()) {
      while (!choked && outstanding < PIPELINE && next < blocks) {
        if (!d.have[next] && !asked[next]) {
          int off = next * BLOCK;
          int index = off / d.piece;
          wire.sendRequest(index, off - index * d.piece, Math.min(BLOCK, d.size - off));
          asked[next] = true;
          outstanding++;
          if (d.requested.incrementAndGet() > blocks) {
            d.rerequested.incrementAndGet();
          }
        }
        next++;
      }
      assertTrue(wire.read(), "the seed closed mid-transfer");
      if (wire.id >= 0 && wire.id < d.messages.length()) {
        d.messages.incrementAndGet(wire.id);
      }
      if (wire.id == PeerWire.UNCHOKE) {
        choked = false;
      } else if (wire.id == PeerWire.CHOKE && !choked) {
        choked = true;
        Arrays.fill(asked, false);
        outstanding = 0;
        next = 0;
      } else if (wire.id == PeerWire.PIECE) {
        int index = wire.payload.getInt();
        int begin = wire.payload.getInt();
        int off = index * d.piece + begin;
        int b = off / BLOCK;
        if (b < blocks && !d.have[b]) {
          wire.payload.get(d.got, off, wire.payload.remaining());
          d.have[b] = true;
          d.received.incrementAndGet();
          if (asked[b]) {
            outstanding--;
          }
        }
      }
    }
    for (int i = 0; i < d.pieceHashes.size(); i++) {
      int from = i * d.piece;
      assertEquals(
          d.pieceHashes.get(i),
          sha1Hex(d.got, from, Math.min(d.size, from + d.piece)),
          "piece " + i);
    }
    return d.got;
  }

  /** Seeds {@code data} to one peer until it goes away; returns the number of blocks sent. */
  static int serve(UtpChannel ch, byte[] infoHash, byte[] data, int piece) throws IOException {
    PeerWire wire = new PeerWire(ch);
    assertArrayEquals(infoHash, wire.readHandshake());
    wire.sendHandshake(infoHash, peerId());
    int pieces = (data.length + piece - 1) / piece;
    byte[] bits = new byte[(pieces + 7) / 8];
    for (int i = 0; i < pieces; i++) {
      bits[i / 8] |= (byte) (0x80 >>> (i % 8));
    }
    wire.send(PeerWire.BITFIELD, ByteBuffer.wrap(bits));
    wire.send(PeerWire.UNCHOKE, null);
    int served = 0;
    try {
      while (wire.read()) {
        if (wire.id == PeerWire.REQUEST) {
          int index = wire.payload.getInt();
          int begin = wire.payload.getInt();
          int length = wire.payload.getInt();
          wire.sendPiece(index, begin, data, index * piece + begin, length);
          served++;
        }
      }
    } catch (IOException e) {
      // the leech went away once it had everything, or we closed: the test checks its file
      if (served == 0) {
        throw e;
      }
    }
    return served;
  }

  static byte[] hex(String s) {
    return BaseEncoding.base16().lowerCase().decode(s);
  }

  private static String sha1Hex(byte[] b, int from, int to) throws NoSuchAlgorithmException {
    MessageDigest md = MessageDigest.getInstance("SHA-1");
    md.update(b, from, to - from);
    return BaseEncoding.base16().lowerCase().encode(md.digest());
  }

  private static byte[] peerId() {
    byte[] id = Arrays.copyOf("-NS0001-".getBytes(StandardCharsets.US_ASCII), 20);
    Random r = new Random();
    for (int i = 8; i < 20; i++) {
      id[i] = (byte) ('a' + r.nextInt(26));
    }
    return id;
  }
}
