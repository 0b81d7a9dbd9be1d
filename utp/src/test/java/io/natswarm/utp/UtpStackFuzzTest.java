package io.natswarm.utp;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.natswarm.datagram.Transmit;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;

/**
 * Jazzer target: a stack with an accepted and a dialled connection fed arbitrary datagrams (many of
 * them with a valid header for a known connection id), interleaved with application calls and
 * timeouts. Nothing may throw, and the buffers stay within their bounds.
 */
class UtpStackFuzzTest {
  private static final InetSocketAddress PEER = new InetSocketAddress("198.51.100.7", 6881);

  @FuzzTest(maxDuration = "30s")
  void datagrams(FuzzedDataProvider data) {
    UtpSettings settings =
        UtpSettings.builder()
            .receiveBufferBytes(16_384)
            .sendBufferBytes(16_384)
            .maxHalfOpen(4)
            .maxConnections(8)
            .build();
    UtpStack stack = new UtpStack(settings, new SplittableRandom(5));
    stack.setListening(true);
    Transmit tx = Transmit.heap();
    long now = 1_000_000_000L;
    stack.handleDatagram(
        Packets.build(UtpHeader.ST_SYN, 100, 500, 0, 1 << 20, new byte[0]), PEER, now);
    UtpConnection dialled = stack.connect(PEER, now);
    int acceptedSeq = -1;
    while (stack.pollTransmit(tx, now)) {
      ByteBuffer d = tx.buffer().duplicate().flip();
      if (Packets.type(d) == UtpHeader.ST_STATE) {
        acceptedSeq = Packets.seq(d);
      }
    }
    // The peer's ack of our ST_STATE completes the handshake: only then is the connection accepted.
    stack.handleDatagram(
        Packets.build(
            UtpHeader.ST_STATE, 101, 501, SeqNr.add(acceptedSeq, -1), 1 << 20, new byte[0]),
        PEER,
        now);
    UtpConnection accepted = stack.pollAccepted();
    ByteBuffer io = ByteBuffer.allocate(4096);
    int steps = 0;
    while (data.remainingBytes() > 0 && steps++ < 64) {
      int op = data.consumeInt(0, 7);
      switch (op) {
        case 0, 1, 2 -> {
          // A datagram with a plausible header for one of the connections, then fuzz bytes.
          int type = data.consumeInt(0, 15);
          int id = data.pickValue(new int[] {101, dialled.receiveId(), data.consumeInt(0, 65_535)});
          int seq =
              data.consumeBoolean() ? data.consumeInt(0, 65_535) : 501 + data.consumeInt(0, 8);
          int ack =
              data.consumeBoolean()
                  ? data.consumeInt(0, 65_535)
                  : SeqNr.add(acceptedSeq, data.consumeInt(-2, 4));
          ByteBuffer b = ByteBuffer.allocate(1500);
          UtpHeader.write(
              b,
              type & 7,
              data.consumeInt(0, 3),
              id,
              data.consumeLong(),
              data.consumeLong(),
              data.consumeLong(0, 0xFFFF_FFFFL),
              seq,
              ack);
          b.put(data.consumeBytes(1480));
          b.flip();
          b.put(0, (byte) ((type << 4) | (data.consumeBoolean() ? 1 : data.consumeInt(0, 15))));
          stack.handleDatagram(b, PEER, now);
        }
        case 3 -> stack.handleDatagram(ByteBuffer.wrap(data.consumeBytes(1500)), PEER, now);
        case 4 -> {
          io.clear();
          io.limit(data.consumeInt(0, 4096));
          (data.consumeBoolean() ? accepted : dialled).write(io, now);
        }
        case 5 -> {
          io.clear();
          (data.consumeBoolean() ? accepted : dialled).read(io, now);
        }
        case 6 -> {
          now += data.consumeLong(0, 200_000_000_000L);
          if (stack.pollTimeout() <= now) {
            stack.handleTimeout(now);
          }
        }
        default -> {
          int which = data.consumeInt(0, 2);
          UtpConnection c = data.consumeBoolean() ? accepted : dialled;
          if (which == 0) {
            c.shutdownOutput(now);
          } else if (which == 1) {
            c.close(now);
          } else {
            c.abort(now);
          }
        }
      }
      int sent = 0;
      while (stack.pollTransmit(tx, now) && sent++ < 10_000) {
        assertTrue(tx.length() >= UtpHeader.SIZE);
        assertTrue(tx.length() <= settings.maxPacketSize());
      }
      assertTrue(accepted.readableBytes() <= settings.receiveBufferBytes());
      assertTrue(stack.connectionCount() <= settings.maxConnections());
    }
  }
}
