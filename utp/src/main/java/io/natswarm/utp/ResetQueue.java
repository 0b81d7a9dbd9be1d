package io.natswarm.utp;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * ST_RESETs owed to peers that have no connection here: SYNs refused while not listening and
 * packets of unknown connections (as libtorrent answers them). Bounded: beyond {@link #CAPACITY}
 * pending resets more are not queued (a flood of strays must not grow memory). Preallocated; owned
 * by the stack's event-loop thread.
 */
final class ResetQueue {
  static final int CAPACITY = 64;

  private final InetSocketAddress[] to = new InetSocketAddress[CAPACITY];
  private final int[] connectionId = new int[CAPACITY];
  private final int[] ackNr = new int[CAPACITY];
  private int count;

  boolean isEmpty() {
    return count == 0;
  }

  /** Queues a reset on {@code id} acking {@code ack}; false (not queued) when full. */
  boolean add(InetSocketAddress destination, int id, int ack) {
    if (count == CAPACITY) {
      return false;
    }
    to[count] = destination;
    connectionId[count] = id;
    ackNr[count] = ack;
    count++;
    return true;
  }

  /**
   * Writes the most recently queued reset into {@code out} from position 0 with sequence number
   * {@code seq} and returns its destination. Call only when not {@link #isEmpty()}.
   */
  InetSocketAddress writeNext(ByteBuffer out, long nowNanos, int seq) {
    count--;
    out.clear();
    UtpHeader.write(
        out, UtpHeader.ST_RESET, 0, connectionId[count], nowNanos / 1000, 0, 0, seq, ackNr[count]);
    InetSocketAddress d = to[count];
    to[count] = null;
    return d;
  }
}
