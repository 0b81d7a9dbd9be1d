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

/**
 * Both sides of a BEP 3 piece exchange over a {@link UtpChannel}, for the interop tests: download
 * every piece from a seed (keeping at most {@link #PIPELINE} requests outstanding, as real clients
 * do) and check each SHA-1, or serve pieces to a leech until it goes away. Test code; blocking.
 */
final class PieceExchange {
  static final int BLOCK = 16 * 1024;
  static final int PIPELINE = 64;

  private PieceExchange() {}

  /** Downloads {@code size} bytes in pieces of {@code piece} bytes; checks every piece's SHA-1. */
  static byte[] download(
      UtpChannel ch, byte[] infoHash, int size, int piece, List<String> pieceHashes)
      throws IOException, NoSuchAlgorithmException {
    PeerWire wire = new PeerWire(ch);
    wire.sendHandshake(infoHash, peerId());
    assertArrayEquals(infoHash, wire.readHandshake(), "the seed answered for our torrent");
    wire.send(PeerWire.INTERESTED, null);
    while (true) {
      assertTrue(wire.read(), "the seed closed before unchoking");
      if (wire.id == PeerWire.UNCHOKE) {
        break;
      }
    }
    byte[] got = new byte[size];
    int blocks = (size + BLOCK - 1) / BLOCK;
    int requested = 0;
    int received = 0;
    while (received < blocks) {
      while (requested < blocks && requested - received < PIPELINE) {
        int off = requested * BLOCK;
        int index = off / piece;
        wire.sendRequest(index, off - index * piece, Math.min(BLOCK, size - off));
        requested++;
      }
      assertTrue(wire.read(), "the seed closed mid-transfer");
      if (wire.id != PeerWire.PIECE) {
        continue;
      }
      int index = wire.payload.getInt();
      int begin = wire.payload.getInt();
      wire.payload.get(got, index * piece + begin, wire.payload.remaining());
      received++;
    }
    for (int i = 0; i < pieceHashes.size(); i++) {
      int from = i * piece;
      assertEquals(
          pieceHashes.get(i), sha1Hex(got, from, Math.min(size, from + piece)), "piece " + i);
    }
    return got;
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
