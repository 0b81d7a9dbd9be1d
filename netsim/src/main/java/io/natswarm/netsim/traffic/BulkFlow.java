package io.natswarm.netsim.traffic;

import io.natswarm.netsim.Binding;
import io.natswarm.netsim.Host;
import java.time.Duration;

/**
 * A TCP-like bulk transfer between two simulated hosts, as competing traffic for LEDBAT tests:
 * {@link BulkSender} (NewReno or CUBIC) on one host, {@link BulkReceiver} on the other.
 *
 * <pre>{@code
 * BulkFlow tcp = BulkFlow.start(hostA, 7000, hostB, 7001, Congestion.RENO, Long.MAX_VALUE,
 *     Duration.ZERO);
 * net.runFor(Duration.ofSeconds(30));
 * long bytes = tcp.receiver().bytesDelivered();
 * }</pre>
 *
 * <p>Datagrams are 1,400 bytes unless given otherwise. The receiver replies to whatever address the
 * data came from, so the flow also works through NATs (the sender must be the one behind).
 */
public final class BulkFlow {
  /** The default datagram size, like a TCP segment on a 1,500-byte path. */
  public static final int DEFAULT_SEGMENT_BYTES = 1400;

  private final BulkSender sender;
  private final BulkReceiver receiver;
  private final Binding senderBinding;
  private final Binding receiverBinding;

  private BulkFlow(BulkSender s, BulkReceiver r, Binding sb, Binding rb) {
    this.sender = s;
    this.receiver = r;
    this.senderBinding = sb;
    this.receiverBinding = rb;
  }

  /**
   * Binds a receiver to {@code to}:{@code toPort} and a sender to {@code from}:{@code fromPort}
   * that starts {@code startAfter} from the network's current time and sends {@code totalBytes}
   * (Long.MAX_VALUE: until stopped).
   */
  public static BulkFlow start(
      Host from,
      int fromPort,
      Host to,
      int toPort,
      Congestion congestion,
      long totalBytes,
      Duration startAfter) {
    return start(
        from, fromPort, to, toPort, congestion, totalBytes, startAfter, DEFAULT_SEGMENT_BYTES);
  }

  /** As {@link #start(Host, int, Host, int, Congestion, long, Duration)} with a segment size. */
  public static BulkFlow start(
      Host from,
      int fromPort,
      Host to,
      int toPort,
      Congestion congestion,
      long totalBytes,
      Duration startAfter,
      int segmentBytes) {
    if (from == null || to == null || startAfter == null || startAfter.isNegative()) {
      throw new IllegalArgumentException("bulk flow needs two hosts and a start delay >= 0");
    }
    BulkReceiver r = new BulkReceiver();
    Binding rb = to.bind(toPort, r);
    long startAt = from.network().nowNanos() + startAfter.toNanos();
    BulkSender s = new BulkSender(rb.localAddress(), segmentBytes, totalBytes, congestion, startAt);
    Binding sb = from.bind(fromPort, s);
    return new BulkFlow(s, r, sb, rb);
  }

  public BulkSender sender() {
    return sender;
  }

  public BulkReceiver receiver() {
    return receiver;
  }

  public Binding senderBinding() {
    return senderBinding;
  }

  public Binding receiverBinding() {
    return receiverBinding;
  }

  /** Stops sending new data. */
  public void stop() {
    sender.stop();
  }
}
