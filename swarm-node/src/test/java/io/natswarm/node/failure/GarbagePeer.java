package io.natswarm.node.failure;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * A hand-written peer that connects over TCP, completes a valid plaintext BitTorrent handshake (BEP
 * 3) for a torrent, then sends bytes that are not valid messages, and reports whether the other
 * side closed the connection.
 */
final class GarbagePeer {
  private GarbagePeer() {}

  /**
   * Connects to {@code node}, handshakes for {@code infoHashHex}, sends {@code garbage} and waits
   * up to {@code waitMillis} for the node to close the connection. Returns true if it did; throws
   * if the handshake was not answered.
   */
  static boolean sendAfterHandshake(
      InetSocketAddress node, String infoHashHex, byte[] garbage, int waitMillis)
      throws IOException {
    try (Socket s = new Socket()) {
      s.connect(node, 5_000);
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(19);
      out.write("BitTorrent protocol".getBytes(StandardCharsets.US_ASCII));
      out.write(new byte[8]);
      out.write(HexFormat.of().parseHex(infoHashHex));
      out.write("-GP0001-garbagepeer!".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      DataInputStream in = new DataInputStream(s.getInputStream());
      byte[] answer = new byte[68];
      in.readFully(answer);
      if (answer[0] != 19) {
        throw new IOException("not a BitTorrent handshake: " + HexFormat.of().formatHex(answer));
      }
      byte[] hash = new byte[20];
      System.arraycopy(answer, 28, hash, 0, 20);
      if (!HexFormat.of().formatHex(hash).equals(infoHashHex)) {
        throw new IOException("handshake for another torrent: " + HexFormat.of().formatHex(hash));
      }
      try {
        out.write(garbage);
        out.flush();
      } catch (SocketException e) {
        return true; // closed while we were still writing
      }
      return closedWithin(s.getInputStream(), s, waitMillis);
    }
  }

  private static boolean closedWithin(InputStream in, Socket s, int waitMillis) throws IOException {
    long end = System.nanoTime() + waitMillis * 1_000_000L;
    byte[] sink = new byte[4096];
    while (System.nanoTime() < end) {
      s.setSoTimeout((int) Math.max(1, (end - System.nanoTime()) / 1_000_000L));
      try {
        if (in.read(sink) < 0) {
          return true;
        }
      } catch (SocketTimeoutException e) {
        return false;
      } catch (SocketException e) {
        return true; // reset
      }
    }
    return false;
  }
}
