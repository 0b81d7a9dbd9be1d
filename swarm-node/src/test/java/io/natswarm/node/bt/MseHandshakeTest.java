package io.natswarm.node.bt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.natswarm.node.PeerEncryption;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@link MseHandshake} (the I/O half) over a scripted channel: step 3 and A's BitTorrent handshake
 * arrive in one read, as libtorrent sends them; the bytes past the handshake land in Bt's inbound
 * buffer still encrypted, and the returned decryption cipher turns them into A's handshake.
 */
class MseHandshakeTest {

  /** A channel whose reads return the scripted chunks in order, then end of stream. */
  static final class Scripted implements ByteChannel {
    final ArrayDeque<byte[]> reads = new ArrayDeque<>();
    final ByteArrayOutputStream written = new ByteArrayOutputStream();

    @Override
    public int read(ByteBuffer dst) {
      byte[] next = reads.poll();
      if (next == null) {
        return -1;
      }
      dst.put(next);
      return next.length;
    }

    @Override
    public int write(ByteBuffer src) {
      int n = src.remaining();
      byte[] b = new byte[n];
      src.get(b);
      written.write(b, 0, n);
      return n;
    }

    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public void close() {}
  }

  @Test
  void step3AndHandshakeInOneReadLeaveTheHandshakeEncryptedForThePipeline() throws Exception {
    MseTranscript t = new MseTranscript().build(PeerEncryption.REQUIRE_ENCRYPTED);
    Scripted ch = new Scripted();
    ch.reads.add(Arrays.copyOfRange(t.bytes, 0, t.step1Length));
    ch.reads.add(Arrays.copyOfRange(t.bytes, t.step1Length, t.bytes.length));
    ByteBuffer inbound = ByteBuffer.allocate(1 << 16);
    inbound.put(new byte[] {9, 9, 9}); // stale bytes are cleared
    Optional<MseCrypto.Ciphers> c =
        MseHandshake.run(
            new MseReceiver(
                PeerEncryption.REQUIRE_ENCRYPTED, MseTranscript.TORRENTS, t.receiverRandom()),
            ch,
            inbound);
    assertThat(c).isPresent();
    assertThat(inbound.position()).isEqualTo(t.after.length);
    byte[] left = Arrays.copyOf(inbound.array(), inbound.position());
    assertThat(c.get().decrypt().update(left)).isEqualTo(t.after);
    assertThat(ch.written.size()).as("Yb+PadB and step 4").isGreaterThanOrEqualTo(96 + 14);
  }

  @Test
  void failureIsTyped() {
    Scripted ch = new Scripted();
    ch.reads.add(MseTranscript.handshake());
    assertThatThrownBy(
            () ->
                MseHandshake.run(
                    new MseReceiver(
                        PeerEncryption.REQUIRE_ENCRYPTED,
                        MseTranscript.TORRENTS,
                        MseTranscript.seeded(1)),
                    ch,
                    ByteBuffer.allocate(1024)))
        .isInstanceOfSatisfying(
            MseHandshake.Failure.class,
            f -> assertThat(f.error()).isEqualTo(MseError.PLAINTEXT_REFUSED));
  }

  @Test
  void peerClosingMidwayIsEndOfStream() {
    MseTranscript t = new MseTranscript().build(PeerEncryption.REQUIRE_ENCRYPTED);
    Scripted ch = new Scripted();
    ch.reads.add(Arrays.copyOfRange(t.bytes, 0, 150));
    assertThatThrownBy(
            () ->
                MseHandshake.run(
                    new MseReceiver(
                        PeerEncryption.REQUIRE_ENCRYPTED,
                        MseTranscript.TORRENTS,
                        t.receiverRandom()),
                    ch,
                    ByteBuffer.allocate(1024)))
        .isInstanceOf(EOFException.class);
  }

  @Test
  void aPeerTricklingItsBytesRunsOutOfTime() {
    MseTranscript t = new MseTranscript().build(PeerEncryption.REQUIRE_ENCRYPTED);
    Scripted ch = new Scripted();
    for (int i = 0; i < 120; i++) {
      ch.reads.add(new byte[] {t.bytes[i]});
    }
    long[] now = {0};
    // each read takes a simulated second; the handshake may take 30
    assertThatThrownBy(
            () ->
                MseHandshake.run(
                    new MseReceiver(
                        PeerEncryption.REQUIRE_ENCRYPTED,
                        MseTranscript.TORRENTS,
                        t.receiverRandom()),
                    ch,
                    ByteBuffer.allocate(1024),
                    java.util.concurrent.TimeUnit.SECONDS.toNanos(30),
                    () -> now[0] += 1_000_000_000L))
        .isInstanceOf(java.net.SocketTimeoutException.class);
    // the start takes the clock's first tick; reads 1..30 are in time, read 31 is not
    assertThat(ch.reads).as("reads left when it gave up").hasSize(120 - 31);
  }
}
