package io.natswarm.netsim.traffic;

import io.natswarm.datagram.DatagramCore;
import io.natswarm.datagram.Transmit;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * The receiving end of a {@link BulkFlow}: acknowledges every DATA segment with the cumulative
 * acknowledgement (next sequence number expected), the segment's timestamp and its sequence number,
 * buffers out-of-order segments, and counts the payload bytes delivered in order. Sans-IO; owned by
 * the thread that runs the network.
 */
public final class BulkReceiver implements DatagramCore {
  private static final int WINDOW = 1 << 16;

  private final boolean[] buffered = new boolean[WINDOW];
  private long next;
  private long bytesDelivered;
  private long segmentsReceived;
  private long duplicates;
  private long badDatagrams;
  private long beyondWindow;
  private boolean ackPending;
  private long ackEcho;
  private long ackSelective;
  private InetSocketAddress ackTo;
  private long firstAt = -1;
  private long lastAt = -1;

  @Override
  public boolean handleDatagram(ByteBuffer packet, InetSocketAddress from, long nowNanos) {
    if (FlowSegment.parse(packet) != FlowSegment.DATA) {
      badDatagrams++;
      return true;
    }
    long seq = FlowSegment.number(packet);
    int payload = packet.remaining() - FlowSegment.HEADER;
    segmentsReceived++;
    if (seq < next || (seq - next < WINDOW && buffered[(int) (seq & (WINDOW - 1))])) {
      duplicates++;
    } else if (seq - next >= WINDOW) {
      beyondWindow++;
      return true;
    } else if (seq == next) {
      bytesDelivered += payload;
      next++;
      while (buffered[(int) (next & (WINDOW - 1))]) {
        buffered[(int) (next & (WINDOW - 1))] = false;
        bytesDelivered += payload; // segments of one flow have one size
        next++;
      }
    } else {
      buffered[(int) (seq & (WINDOW - 1))] = true;
    }
    if (firstAt < 0) {
      firstAt = nowNanos;
    }
    lastAt = nowNanos;
    ackPending = true;
    ackEcho = FlowSegment.timestamp(packet);
    ackSelective = seq;
    ackTo = from;
    return true;
  }

  @Override
  public boolean pollTransmit(Transmit out, long nowNanos) {
    if (!ackPending) {
      return false;
    }
    ackPending = false;
    FlowSegment.writeAck(out.buffer(), next, ackEcho, ackSelective);
    out.setDestination(ackTo);
    return true;
  }

  @Override
  public long pollTimeout() {
    return Long.MAX_VALUE;
  }

  @Override
  public void handleTimeout(long nowNanos) {}

  /** Payload bytes delivered in order so far. */
  public long bytesDelivered() {
    return bytesDelivered;
  }

  /** The next sequence number expected (= segments delivered in order). */
  public long nextExpected() {
    return next;
  }

  public long segmentsReceived() {
    return segmentsReceived;
  }

  public long duplicates() {
    return duplicates;
  }

  /** Datagrams that were not DATA segments. */
  public long badDatagrams() {
    return badDatagrams;
  }

  /** Segments too far ahead to buffer (dropped). */
  public long beyondWindow() {
    return beyondWindow;
  }

  /** Virtual time of the first and last DATA segment, or -1. */
  public long firstArrivalNanos() {
    return firstAt;
  }

  public long lastArrivalNanos() {
    return lastAt;
  }
}
