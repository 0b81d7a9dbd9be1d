package io.natswarm.datagram;

import java.net.InetAddress;

/**
 * Which addresses a socket sent to lately, to tell a datagram that came in unasked (evidence that
 * the NAT in front of us lets strangers in) from one a NAT let through only because we had sent to
 * its source: every core's datagrams count, since a NAT keys its state on the socket, not on the
 * protocol (a µTP connection to a peer lets that peer's DHT queries in). A direct-mapped table, by
 * address hash, of the time of the last datagram out, so recording costs no allocation. A datagram
 * is <em>unsolicited</em> only when its address's slot is empty or was last written more than
 * {@link #WINDOW_NANOS} ago (longer than any NAT keeps an idle UDP mapping: RFC 4787 REQ-5 asks for
 * at least 2 minutes, routers keep 30 s to 5 minutes). When the slot was written recently for
 * another address (a collision), it counts as asked-for: a collision must never pass for proof.
 *
 * <p>Owned by the socket's thread (the {@link Demultiplexer} records every transmit).
 */
public final class RecentDestinations {
  public static final long WINDOW_NANOS = 10L * 60 * 1_000_000_000L;
  private static final int SLOTS = 1 << 14;

  /** Slots of the table. */
  private final long[] lastSentNanos = new long[SLOTS];

  private final boolean[] used = new boolean[SLOTS];

  /** We sent a datagram to {@code address} at {@code nowNanos}. */
  public void sentTo(InetAddress address, long nowNanos) {
    long fp = fingerprint(address);
    int slot = slot(fp);
    lastSentNanos[slot] = nowNanos;
    used[slot] = true;
  }

  /** Whether a datagram from {@code address} at {@code nowNanos} surely came in unasked. */
  public boolean unsolicited(InetAddress address, long nowNanos) {
    int slot = slot(fingerprint(address));
    return !used[slot] || nowNanos - lastSentNanos[slot] > WINDOW_NANOS;
  }

  private static int slot(long fp) {
    long h = fp * 0x9E3779B97F4A7C15L;
    return (int) (h >>> 50) & (SLOTS - 1);
  }

  private static long fingerprint(InetAddress a) {
    // Inet4Address's hash is the address itself, Inet6Address's one over its bytes; neither
    // allocates. Only the slot depends on it: a query is judged by the slot's age alone.
    return a.hashCode();
  }
}
