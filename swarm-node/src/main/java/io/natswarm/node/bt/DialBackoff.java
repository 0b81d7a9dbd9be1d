package io.natswarm.node.bt;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * When a peer address may be dialled again after failures: 1 s after the first, doubling up to
 * {@link #MAX_BACKOFF_MILLIS}, forgotten on success. Keyed by address and port, unlike Bt's own
 * ban, which is keyed by peer object identity (DESIGN.md, Bt traps). Thread-safe.
 */
final class DialBackoff {
  static final long FIRST_BACKOFF_MILLIS = 1_000;
  static final long MAX_BACKOFF_MILLIS = 60_000;

  private record Failures(int count, long retryAtNanos) {}

  private final Map<InetSocketAddress, Failures> failures = new ConcurrentHashMap<>();

  boolean mayDial(InetSocketAddress peer) {
    Failures f = failures.get(peer);
    return f == null || System.nanoTime() - f.retryAtNanos() >= 0;
  }

  void failed(InetSocketAddress peer) {
    failures.compute(
        peer,
        (k, f) -> {
          int n = f == null ? 1 : f.count() + 1;
          long wait = Math.min(MAX_BACKOFF_MILLIS, FIRST_BACKOFF_MILLIS << Math.min(n - 1, 16));
          return new Failures(n, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(wait));
        });
  }

  void succeeded(InetSocketAddress peer) {
    failures.remove(peer);
  }
}
