package io.natswarm.utp.stream;

import io.natswarm.utp.UtpError;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A dialled {@link UtpChannel} waiting for its handshake: the future {@link UtpSocket#connectAsync}
 * returned, completed from the connection's callbacks. The deadline itself is the core's ({@link
 * io.natswarm.utp.UtpStack#connect(InetSocketAddress, long, long)}). Event-loop thread only.
 */
final class PendingConnect {
  private final CompletableFuture<UtpChannel> future;
  private final InetSocketAddress remote;
  private final Duration timeout;
  private final long startedAt;

  PendingConnect(
      CompletableFuture<UtpChannel> future,
      InetSocketAddress remote,
      Duration timeout,
      long startedAt) {
    this.future = future;
    this.remote = remote;
    this.timeout = timeout;
    this.startedAt = startedAt;
  }

  /** The handshake completed. */
  void succeeded(UtpChannel channel) {
    future.complete(channel);
  }

  /** The connection closed with {@code why} before the handshake completed. */
  void failed(UtpError why, long nowNanos) {
    if (why == UtpError.CONNECT_TIMED_OUT) {
      // The deadline passed, or the SYN retries ran out first: say how long was waited.
      Duration waited = Duration.ofNanos(nowNanos - startedAt);
      future.completeExceptionally(
          StreamErrors.connectTimedOut(remote, waited.compareTo(timeout) < 0 ? waited : timeout));
    } else {
      future.completeExceptionally(StreamErrors.failure(remote, why));
    }
  }
}
