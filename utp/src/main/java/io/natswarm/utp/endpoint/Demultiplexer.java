package io.natswarm.utp.endpoint;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Routes each received datagram to the protocol core it belongs to, in the fixed order of {@link
 * DatagramKind}: µTP, then KRPC, then STUN, then hole-punch probes (DESIGN.md, "One event loop per
 * UDP socket"). A datagram is offered to the registered handlers of each kind whose cheap test
 * matches until one consumes it; what no handler takes is counted as unclaimed and dropped.
 *
 * <p>Owned by the endpoint's event-loop thread (or the test that drives it); not thread-safe. Does
 * not allocate per datagram.
 */
public final class Demultiplexer {
  private static final DatagramHandler[] NONE = new DatagramHandler[0];

  private final DatagramKind[] kinds = DatagramKind.inOrder();
  private final DatagramHandler[][] byKind = new DatagramHandler[kinds.length][];
  private DatagramHandler[] all = NONE;
  private DatagramHandler fallback;
  private final long[] consumed = new long[kinds.length];
  private long unclaimed;
  private long datagrams;

  public Demultiplexer() {
    Arrays.fill(byKind, NONE);
  }

  /** Adds a handler for a kind; handlers of one kind are tried in registration order. */
  public void register(DatagramKind kind, DatagramHandler handler) {
    int k = indexOf(kind);
    DatagramHandler[] old = byKind[k];
    DatagramHandler[] grown = Arrays.copyOf(old, old.length + 1);
    grown[old.length] = handler;
    byKind[k] = grown;
    for (DatagramHandler h : all) {
      if (h == handler) {
        return;
      }
    }
    all = Arrays.copyOf(all, all.length + 1);
    all[all.length - 1] = handler;
  }

  /** Removes a handler from every kind it was registered for. Returns whether it was registered. */
  public boolean unregister(DatagramHandler handler) {
    boolean found = false;
    for (int k = 0; k < byKind.length; k++) {
      DatagramHandler[] hs = byKind[k];
      for (int i = 0; i < hs.length; i++) {
        if (hs[i] == handler) {
          byKind[k] = without(hs, i);
          found = true;
          break;
        }
      }
    }
    for (int i = 0; i < all.length; i++) {
      if (all[i] == handler) {
        all = without(all, i);
        break;
      }
    }
    return found;
  }

  private static DatagramHandler[] without(DatagramHandler[] hs, int i) {
    DatagramHandler[] out = new DatagramHandler[hs.length - 1];
    System.arraycopy(hs, 0, out, 0, i);
    System.arraycopy(hs, i + 1, out, i, hs.length - i - 1);
    return out;
  }

  /**
   * Offers one datagram (between {@code packet}'s position and limit) to the handlers in order.
   *
   * @return the kind that consumed it, or null when it was unclaimed
   */
  public DatagramKind dispatch(ByteBuffer packet, InetSocketAddress from, long nowNanos) {
    datagrams++;
    int pos = packet.position();
    int lim = packet.limit();
    int len = lim - pos;
    for (int k = 0; k < kinds.length; k++) {
      DatagramHandler[] hs = byKind[k];
      if (hs.length == 0 || !kinds[k].matches(packet, pos, len)) {
        continue;
      }
      for (DatagramHandler h : hs) {
        packet.limit(lim).position(pos);
        if (h.handleDatagram(packet, from, nowNanos)) {
          consumed[k]++;
          return kinds[k];
        }
      }
    }
    unclaimed++;
    if (fallback != null) {
      packet.limit(lim).position(pos);
      fallback.handleDatagram(packet, from, nowNanos);
    }
    return null;
  }

  /**
   * Sets a handler that sees every unclaimed datagram after it was counted (µTP uses it to answer
   * packets of unknown connections with ST_RESET, as libtorrent does). Its answer is ignored; it
   * must also be {@link #register registered} for its transmits to be polled.
   */
  public void setFallback(DatagramHandler handler) {
    this.fallback = handler;
  }

  /** Every distinct registered handler, in first-registration order (the loop's polling order). */
  DatagramHandler[] handlers() {
    return all;
  }

  /** Tells every handler that the socket has been read dry. */
  public void receiveDrained(long nowNanos) {
    for (DatagramHandler h : all) {
      h.handleReceiveDrained(nowNanos);
    }
  }

  /** Fires {@link DatagramHandler#handleTimeout} on every handler whose deadline has passed. */
  public void fireTimeouts(long nowNanos) {
    for (DatagramHandler h : all) {
      long t = h.pollTimeout();
      if (t != Long.MAX_VALUE && t - nowNanos <= 0) {
        h.handleTimeout(nowNanos);
      }
    }
  }

  /** The earliest deadline of all handlers, or {@link Long#MAX_VALUE}. */
  public long earliestTimeout() {
    long earliest = Long.MAX_VALUE;
    for (DatagramHandler h : all) {
      long t = h.pollTimeout();
      if (t != Long.MAX_VALUE && (earliest == Long.MAX_VALUE || t - earliest < 0)) {
        earliest = t;
      }
    }
    return earliest;
  }

  /** Datagrams consumed by handlers of {@code kind}. */
  public long consumed(DatagramKind kind) {
    return consumed[indexOf(kind)];
  }

  private int indexOf(DatagramKind kind) {
    for (int k = 0; k < kinds.length; k++) {
      if (kinds[k] == kind) {
        return k;
      }
    }
    throw new IllegalArgumentException("unknown kind " + kind);
  }

  /** Datagrams no handler consumed. */
  public long unclaimed() {
    return unclaimed;
  }

  /** Every datagram dispatched. */
  public long datagrams() {
    return datagrams;
  }
}
