package io.natswarm.node.bt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.natswarm.holepunch.relay.RelayCipher;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Two ends of a relayed circuit wired back to back (what a relay forwards, unaltered or not): bytes
 * arrive in order through sealed frames, the sender stops at the credit the reader granted and goes
 * on once the reader read, an altered frame ends the stream with an error, and a close reads as the
 * end of the stream.
 */
class RelayPeerStreamTest {
  private static final int WINDOW = 64 * 1024;
  private static final byte[] INFO_HASH = new byte[20];
  private static final byte[] ID_I = id(1);
  private static final byte[] ID_T = id(2);

  private static byte[] id(int b) {
    byte[] id = new byte[20];
    java.util.Arrays.fill(id, (byte) b);
    return id;
  }

  /** What one end sent, held until the test passes it on. */
  private static final class Wire implements RelayPeerStream.Circuit {
    final ArrayDeque<byte[]> frames = new ArrayDeque<>();
    long granted;
    boolean closed;

    @Override
    public void sendData(byte[] frame) {
      frames.add(frame);
    }

    @Override
    public void grant(int credit) {
      granted += credit;
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  private RelayPeerStream a;
  private RelayPeerStream b;
  private final Wire aOut = new Wire();
  private final Wire bOut = new Wire();

  private void connect() {
    SecureRandom random = new SecureRandom();
    RelayCipher initiator = RelayCipher.initiator(INFO_HASH, ID_I, random);
    RelayCipher target = RelayCipher.target(INFO_HASH, ID_T, initiator.publicKey(), ID_I, random);
    assertThat(target).isNotNull();
    assertThat(initiator.complete(target.publicKey(), ID_T)).isTrue();
    a = new RelayPeerStream(initiator, new InetSocketAddress("192.0.2.2", 6881), true, WINDOW);
    b = new RelayPeerStream(target, new InetSocketAddress("192.0.2.1", 6881), false, WINDOW);
    a.attach(aOut);
    b.attach(bOut);
  }

  /** Moves a's frames to b and b's grants to a. */
  private void forward() {
    byte[] f;
    while ((f = aOut.frames.poll()) != null) {
      assertThat(b.deliver(ByteBuffer.wrap(f))).isTrue();
    }
    if (bOut.granted > 0) {
      a.credit((int) bOut.granted);
      bOut.granted = 0;
    }
  }

  @Test
  void bytesArriveInOrderWithinTheCreditTheReaderGrants() throws IOException {
    connect();
    byte[] data = new byte[1 << 20];
    new Random(5).nextBytes(data);
    ByteBuffer src = ByteBuffer.wrap(data);
    ByteBuffer got = ByteBuffer.allocate(data.length);
    int stalls = 0;
    while (got.hasRemaining()) {
      a.write(ByteBuffer.wrap(data, src.position(), Math.min(src.remaining(), 100_000)));
      src.position(Math.min(data.length, src.position() + 100_000));
      int inFlight = aOut.frames.stream().mapToInt(x -> x.length).sum();
      assertThat(inFlight).as("sealed frames not yet granted back").isLessThanOrEqualTo(WINDOW);
      if (a.pendingBytes() > 0) {
        stalls++; // out of credit: bytes wait in the stream
      }
      forward();
      ByteBuffer chunk = ByteBuffer.allocate(7000);
      int n;
      while ((n = b.read(chunk)) > 0) {
        chunk.flip();
        got.put(chunk);
        chunk.clear();
      }
      assertThat(n).isZero();
      forward();
    }
    assertThat(got.array()).isEqualTo(data);
    // 1 MiB through a 64 KiB window: the writer ran out of credit again and again
    assertThat(stalls).isGreaterThanOrEqualTo(10);
    assertThat(a.pendingBytes()).isZero();
  }

  @Test
  void theWriterSendsOnlyWithinItsCreditAndKeepsTheRestUntilAGrant() throws IOException {
    connect();
    ByteBuffer src = ByteBuffer.allocate(4 * WINDOW);
    // Bt's dispatch thread writes: the write takes everything (it must not wait for credit)
    assertThat(a.write(src)).isEqualTo(4 * WINDOW);
    int framed = aOut.frames.stream().mapToInt(x -> x.length).sum();
    assertThat(framed).isLessThanOrEqualTo(WINDOW).isGreaterThan(WINDOW / 2);
    assertThat(a.pendingBytes()).isGreaterThanOrEqualTo(3 * WINDOW - 1024);
    int before = aOut.frames.size();
    a.credit(framed);
    assertThat(aOut.frames.size()).isGreaterThan(before);
    // past MAX_PENDING, writes are short
    ByteBuffer big = ByteBuffer.allocate(RelayPeerStream.MAX_PENDING);
    int took = a.write(big);
    assertThat(took).isLessThan(RelayPeerStream.MAX_PENDING);
    assertThat(a.pendingBytes()).isEqualTo(RelayPeerStream.MAX_PENDING);
    assertThat(a.write(ByteBuffer.allocate(10))).isZero();
  }

  @Test
  void anAlteredFrameEndsTheStreamWithAnError() throws IOException {
    connect();
    a.write(
        ByteBuffer.wrap("hello, relayed world".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    byte[] frame = aOut.frames.poll();
    frame[3] ^= 1;
    assertThat(b.deliver(ByteBuffer.wrap(frame))).isFalse();
    assertThatThrownBy(() -> b.read(ByteBuffer.allocate(64)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("authentication");
  }

  @Test
  void aReplayedFrameEndsTheStream() throws IOException {
    connect();
    a.write(ByteBuffer.wrap(new byte[100]));
    byte[] frame = aOut.frames.poll();
    assertThat(b.deliver(ByteBuffer.wrap(frame))).isTrue();
    assertThat(b.deliver(ByteBuffer.wrap(frame))).isFalse();
  }

  @Test
  void aCloseReadsAsTheEndOfTheStreamAndTellsTheCircuit() throws IOException {
    connect();
    a.write(ByteBuffer.wrap(new byte[10]));
    forward();
    b.remoteClosed("closed by the other end (NORMAL)");
    ByteBuffer dst = ByteBuffer.allocate(64);
    assertThat(b.read(dst)).isEqualTo(10); // bytes before the close are still read
    assertThat(b.read(dst)).isEqualTo(-1);
    assertThatThrownBy(() -> b.write(ByteBuffer.allocate(1))).isInstanceOf(IOException.class);
    a.close();
    assertThat(aOut.closed).isTrue();
    assertThat(a.isOpen()).isFalse();
  }

  @Test
  void theHandshakeViewTimesOutWithoutBytes() {
    connect();
    var view = b.blockingView(Duration.ofMillis(50));
    assertThatThrownBy(() -> view.read(ByteBuffer.allocate(8)))
        .isInstanceOf(SocketTimeoutException.class);
  }
}
