package io.natswarm.utp;

import io.natswarm.netsim.Binding;
import io.natswarm.netsim.Host;
import io.natswarm.netsim.LinkConfig;
import io.natswarm.netsim.Network;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.SplittableRandom;

/**
 * Two µTP stacks bound directly to two netsim hosts ("a" dials "b") and a one-way bulk transfer
 * from a to b with byte-exact verification. Tests poke the stacks and call {@code net.wake} on the
 * binding afterwards. Test helper.
 */
final class SimPair {
  final Network net;
  final Host hostA;
  final Host hostB;
  final UtpStack a;
  final UtpStack b;
  final Binding bindA;
  final Binding bindB;

  UtpConnection client;
  UtpConnection server;
  long sentBytes;
  long receivedBytes;
  long mismatches = 0;
  boolean serverEof;
  long doneAtNanos = -1;
  private long total;

  /** When false the client never shuts its output down (an idle, open connection). */
  boolean shutdownWhenDone = true;

  /** While true the server does not read (its receive buffer fills). */
  boolean pauseServerReads;

  private final ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
  private final ByteBuffer readBuf = ByteBuffer.allocate(64 * 1024);

  SimPair(long seed, LinkConfig aLink, LinkConfig bLink, UtpSettings settings) {
    this(seed, aLink, bLink, settings, new SplittableRandom(seed), new SplittableRandom(~seed));
  }

  SimPair(
      long seed,
      LinkConfig aLink,
      LinkConfig bLink,
      UtpSettings settings,
      java.util.random.RandomGenerator ra,
      java.util.random.RandomGenerator rb) {
    this(seed, aLink, bLink, settings, settings, ra, rb);
  }

  SimPair(
      long seed,
      LinkConfig aLink,
      LinkConfig bLink,
      UtpSettings settingsA,
      UtpSettings settingsB,
      java.util.random.RandomGenerator ra,
      java.util.random.RandomGenerator rb) {
    net = Network.withSeed(seed);
    hostA = net.addHost("a", net.internet(), "203.0.113.1");
    hostB = net.addHost("b", net.internet(), "203.0.113.2");
    hostA.link(aLink);
    hostB.link(bLink);
    a = new UtpStack(settingsA, ra);
    b = new UtpStack(settingsB, rb);
    b.setListening(true);
    bindA = hostA.bind(6881, a);
    bindB = hostB.bind(6881, b);
  }

  static byte pattern(long i) {
    return (byte) ((i ^ (i >>> 8) ^ (i >>> 16)) * 31 + 7);
  }

  /** Starts a transfer of {@code bytes} from a to b; run the network afterwards. */
  void startTransfer(long bytes) {
    total = bytes;
    b.setAcceptListener(
        () -> {
          UtpConnection c = b.pollAccepted();
          if (c == null) {
            return;
          }
          server = c;
          c.setListener(
              new UtpConnectionListener() {
                @Override
                public void onReadable(UtpConnection conn) {
                  drain(conn);
                }
              });
        });
    client = a.connect(bindB.localAddress(), net.nowNanos());
    client.setListener(
        new UtpConnectionListener() {
          @Override
          public void onWritable(UtpConnection conn) {
            fill(conn);
          }

          @Override
          public void onConnected(UtpConnection conn) {
            fill(conn);
          }
        });
    fill(client);
    net.wake(bindA);
  }

  void fill(UtpConnection c) {
    while (sentBytes < total) {
      chunk.clear();
      int n = (int) Math.min(chunk.capacity(), total - sentBytes);
      for (int i = 0; i < n; i++) {
        chunk.put(pattern(sentBytes + i));
      }
      chunk.flip();
      int w = c.write(chunk, net.nowNanos());
      if (w <= 0) {
        return;
      }
      sentBytes += w;
      if (w < n) {
        return;
      }
    }
    if (shutdownWhenDone) {
      c.shutdownOutput(net.nowNanos());
    }
  }

  void drain(UtpConnection c) {
    while (!pauseServerReads) {
      readBuf.clear();
      int n = c.read(readBuf, net.nowNanos());
      if (n < 0) {
        if (!serverEof) {
          serverEof = true;
          doneAtNanos = net.nowNanos();
          c.shutdownOutput(net.nowNanos());
        }
        return;
      }
      if (n == 0) {
        return;
      }
      readBuf.flip();
      for (int i = 0; i < n; i++) {
        if (readBuf.get(i) != pattern(receivedBytes + i)) {
          mismatches++;
        }
      }
      receivedBytes += n;
    }
  }

  /** Runs until the receiver saw end of stream, up to {@code limit} of virtual time. */
  boolean runTransfer(Duration limit) {
    return net.runUntil(() -> serverEof, limit);
  }

  /** Runs until both connections are CLOSED. */
  boolean runUntilClosed(Duration limit) {
    return net.runUntil(
        () ->
            client.state() == UtpState.CLOSED
                && server != null
                && server.state() == UtpState.CLOSED,
        limit);
  }
}
