package io.natswarm.bench;

import io.natswarm.datagram.UdpEndpoint;
import io.natswarm.utp.stream.UtpChannel;
import io.natswarm.utp.stream.UtpSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The idle peers of {@code swarm-loopback}'s heap figure, run in a JVM of their own so that their
 * memory is not counted in the node's: {@code IdlePeerHerd utp|tcp HOST PORT INFO_HASH_HEX COUNT}
 * opens COUNT connections to a natswarm node, completes the BitTorrent handshake on each (BEP 3: 68
 * bytes each way, the extension-protocol bit of BEP 10 set as every modern client does, then
 * nothing: no bitfield, no extended handshake), and keeps them open, reading and discarding what
 * the node sends, until its stdin reaches EOF. It prints one line {@code handshaken N failed M}
 * once every connection has been tried; errors go to stderr.
 */
public final class IdlePeerHerd {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static final byte[] PROTOCOL = "BitTorrent protocol".getBytes(StandardCharsets.US_ASCII);

  private IdlePeerHerd() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 5) {
      System.err.println("usage: IdlePeerHerd utp|tcp HOST PORT INFO_HASH_HEX COUNT");
      System.exit(2);
    }
    boolean utp = args[0].toLowerCase(Locale.ROOT).equals("utp");
    InetSocketAddress node =
        new InetSocketAddress(InetAddress.getByName(args[1]), Integer.parseInt(args[2]));
    byte[] infoHash = HexFormat.of().parseHex(args[3]);
    int count = Integer.parseInt(args[4]);
    List<AutoCloseable> open = new ArrayList<>();
    int ok = 0;
    int failed = 0;
    UtpSocket utpSocket = null;
    if (utp) {
      UdpEndpoint endpoint =
          UdpEndpoint.builder()
              .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
              .threadName("idle-peers-udp")
              .open();
      utpSocket = UtpSocket.open(endpoint);
      open.add(endpoint);
    }
    for (int i = 0; i < count; i++) {
      try {
        open.add(utp ? utpPeer(utpSocket, node, infoHash) : tcpPeer(node, infoHash));
        ok++;
      } catch (IOException | RuntimeException e) {
        failed++;
        System.err.println("idle peer " + i + ": " + e);
      }
    }
    System.out.println("handshaken " + ok + " failed " + failed);
    System.out.flush();
    // Holds the connections until the benchmark closes our stdin.
    while (System.in.read() >= 0) {
      // nothing to do
    }
    for (int i = open.size() - 1; i >= 0; i--) {
      try {
        open.get(i).close();
      } catch (Exception e) {
        // closing anyway
      }
    }
    if (utpSocket != null) {
      utpSocket.close();
    }
    System.exit(0);
  }

  /** The 68-byte BitTorrent handshake (BEP 3) with the BEP 10 extension bit and a random id. */
  static byte[] handshake(byte[] infoHash) {
    ByteBuffer b = ByteBuffer.allocate(68);
    b.put((byte) PROTOCOL.length).put(PROTOCOL);
    byte[] reserved = new byte[8];
    reserved[5] = 0x10;
    b.put(reserved).put(infoHash);
    byte[] peerId = new byte[20];
    byte[] prefix = "-NB0001-".getBytes(StandardCharsets.US_ASCII);
    ThreadLocalRandom.current().nextBytes(peerId);
    System.arraycopy(prefix, 0, peerId, 0, prefix.length);
    b.put(peerId);
    return b.array();
  }

  /** Checks the node's handshake: the protocol string and our info-hash. */
  static void check(byte[] answer, byte[] infoHash) throws IOException {
    if (answer[0] != PROTOCOL.length
        || !Arrays.equals(answer, 1, 20, PROTOCOL, 0, PROTOCOL.length)
        || !Arrays.equals(answer, 28, 48, infoHash, 0, 20)) {
      throw new IOException("not a BitTorrent handshake for our torrent");
    }
  }

  private static AutoCloseable tcpPeer(InetSocketAddress node, byte[] infoHash) throws IOException {
    Socket s = new Socket();
    try {
      s.connect(node, (int) TIMEOUT.toMillis());
      s.setSoTimeout((int) TIMEOUT.toMillis());
      OutputStream out = s.getOutputStream();
      out.write(handshake(infoHash));
      out.flush();
      InputStream in = s.getInputStream();
      byte[] answer = in.readNBytes(68);
      if (answer.length < 68) {
        throw new IOException("closed during the handshake after " + answer.length + " bytes");
      }
      check(answer, infoHash);
      s.setSoTimeout(0);
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
    drain(
        "idle-tcp-" + s.getLocalPort(),
        () -> {
          byte[] sink = new byte[16 * 1024];
          InputStream in = s.getInputStream();
          while (in.read(sink) >= 0) {
            // discard
          }
        });
    return s;
  }

  private static AutoCloseable utpPeer(UtpSocket socket, InetSocketAddress node, byte[] infoHash)
      throws IOException {
    UtpChannel c = socket.connect(node, TIMEOUT);
    try {
      c.setReadTimeout(TIMEOUT);
      ByteBuffer out = ByteBuffer.wrap(handshake(infoHash));
      while (out.hasRemaining()) {
        c.write(out);
      }
      ByteBuffer answer = ByteBuffer.allocate(68);
      while (answer.hasRemaining()) {
        if (c.read(answer) < 0) {
          throw new IOException("closed during the handshake after " + answer.position());
        }
      }
      check(answer.array(), infoHash);
      c.setReadTimeout(Duration.ofDays(1));
    } catch (IOException | RuntimeException e) {
      c.close();
      throw e;
    }
    drain(
        "idle-utp-" + c.localAddress().getPort(),
        () -> {
          ByteBuffer sink = ByteBuffer.allocate(16 * 1024);
          while (c.read(sink.clear()) >= 0) {
            // discard
          }
        });
    return c;
  }

  private interface Drain {
    void run() throws IOException;
  }

  private static void drain(String name, Drain d) {
    Thread t =
        new Thread(
            () -> {
              try {
                d.run();
              } catch (IOException e) {
                // closed: the node or the benchmark ended the connection
              }
            },
            name);
    t.setDaemon(true);
    t.start();
  }
}
