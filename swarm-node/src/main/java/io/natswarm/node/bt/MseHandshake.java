package io.natswarm.node.bt;

import bt.metainfo.TorrentId;
import bt.torrent.TorrentDescriptor;
import bt.torrent.TorrentRegistry;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Runs an {@link MseExchange} over a peer stream's blocking view: writes what the exchange has to
 * send, reads what arrived (whatever size the transport hands out) and feeds it in, until the
 * exchange is done or failed. The I/O half of the sans-IO MSE handshakes; the protocol is in {@link
 * MseReceiver} and {@link MseInitiator}.
 *
 * <p>On success, Bt's inbound buffer holds the stream's first bytes after the handshake: the
 * exchange's {@link MseExchange#initialPlaintext} and then every byte read past the handshake, as
 * it came off the wire, so that the message pipeline's RC4 decoder (positioned by the exchange)
 * decrypts each of them exactly once.
 *
 * <p>Thread: the caller's (a Bt connection worker); blocks for up to the view's read timeout per
 * read.
 */
final class MseHandshake {
  /** Read size: larger than any handshake, so one read may carry the stream's first messages. */
  static final int READ_BYTES = 16 * 1024;

  /** Longest whole handshake (each read also times out on its own, in the stream's view). */
  static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);

  /** The exchange failed on the peer's bytes or our policy. */
  static final class Failure extends IOException {
    private static final long serialVersionUID = 1L;
    private final transient MseError error;

    Failure(MseError error, String where) {
      super("MSE handshake failed: " + error.description() + " (" + where + ")");
      this.error = error;
    }

    MseError error() {
      return error;
    }
  }

  private MseHandshake() {}

  /**
   * Runs {@code exchange} to its end over {@code channel}; on success puts the bytes that follow
   * the handshake into {@code inbound} (cleared first, left in write mode) and returns the RC4
   * ciphers if RC4 was chosen.
   */
  static Optional<MseCrypto.Ciphers> run(
      MseExchange exchange, ByteChannel channel, ByteBuffer inbound) throws IOException {
    return run(exchange, channel, inbound, TIMEOUT_NANOS, System::nanoTime);
  }

  /**
   * As {@link #run(MseExchange, ByteChannel, ByteBuffer)}, failing with a {@link
   * SocketTimeoutException} once {@code timeoutNanos} of {@code clock} have passed: the spec bounds
   * the bytes, this bounds the time a peer that trickles them can hold a connection worker.
   */
  static Optional<MseCrypto.Ciphers> run(
      MseExchange exchange,
      ByteChannel channel,
      ByteBuffer inbound,
      long timeoutNanos,
      LongSupplier clock)
      throws IOException {
    long deadline = clock.getAsLong() + timeoutNanos;
    ByteBuffer read = ByteBuffer.allocate(READ_BYTES).flip(); // empty until the first read
    long total = 0;
    while (true) {
      ByteBuffer out;
      while ((out = exchange.pollOutput()) != null) {
        while (out.hasRemaining()) {
          channel.write(out);
        }
      }
      if (exchange.isFailed()) {
        throw new Failure(
            exchange.error(), "at " + exchange.stateName() + " after " + total + " bytes");
      }
      if (exchange.isDone()) {
        ByteBuffer first = exchange.initialPlaintext();
        if (inbound.capacity() < first.remaining() + read.remaining()) {
          throw new IOException("Bt's inbound buffer cannot take the bytes after MSE");
        }
        inbound.clear();
        inbound.put(first).put(read);
        return Optional.ofNullable(exchange.ciphers());
      }
      read.clear();
      int n = channel.read(read);
      if (n < 0) {
        throw new EOFException(
            "peer closed the stream during MSE at "
                + exchange.stateName()
                + " after "
                + total
                + " bytes");
      }
      total += n;
      if (clock.getAsLong() - deadline > 0) {
        throw new SocketTimeoutException(
            "MSE handshake unfinished after "
                + TimeUnit.NANOSECONDS.toSeconds(timeoutNanos)
                + " s at "
                + exchange.stateName());
      }
      read.flip();
      exchange.handle(read);
    }
  }

  /** The SKEY lookup of an {@link MseReceiver} over Bt's torrents (active or being fetched). */
  static MseReceiver.Torrents torrents(TorrentRegistry registry) {
    return req2 -> {
      for (TorrentId id : registry.getTorrentIds()) {
        byte[] infoHash = id.getBytes();
        if (Arrays.equals(MseCrypto.hash("req2", infoHash), req2)) {
          Optional<TorrentDescriptor> d = registry.getDescriptor(id);
          // as Bt: a torrent without a descriptor may still be fetching its metadata
          return d.isPresent() && !d.get().isActive() ? null : infoHash;
        }
      }
      return null;
    };
  }
}
