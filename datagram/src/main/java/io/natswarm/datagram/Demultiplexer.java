package io.natswarm.datagram;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The node's socket as one {@link DatagramCore}: routes each received datagram to the core it
 * belongs to, in the fixed order of {@link DatagramKind} (µTP, KRPC, STUN, port mapping, TURN
 * ChannelData, hole-punch probes), and merges the cores' transmits, timeouts and drained hooks. The
 * real {@link UdpEndpoint} and netsim each host one; the composition root in {@code swarm-node}
 * fills it.
 *
 * <p>Receiving: a datagram is offered to the cores of each kind whose cheap test matches, in
 * registration order, until one consumes it; what no core takes is counted as unclaimed, shown to
 * the {@link UnclaimedHandler} if one is set, and dropped. A core that throws is counted and traced
 * with its kind and cause, and the datagram counts as consumed.
 *
 * <p>Sending: every {@link SendClass#CONTROL} core is polled before any {@link SendClass#BULK} one,
 * on every call, so a DHT reply or a timed probe never waits behind a window of µTP data; bulk
 * cores share the rest round-robin. Every datagram a core produced then passes the {@link
 * EgressFilter}, if one is set (a TURN client wraps what goes to a peer it relays for); a filter
 * that throws is counted like a failing core and the datagram leaves with the length and
 * destination the core gave it.
 *
 * <p>Owned by its host's thread; not thread-safe. Allocates nothing per datagram.
 */
public final class Demultiplexer implements DatagramCore {
  private static final DatagramCore[] NONE = new DatagramCore[0];

  private final DatagramKind[] kinds = DatagramKind.inOrder();
  private final DatagramCore[][] byKind = new DatagramCore[kinds.length][];
  private DatagramCore[] all = NONE;
  private DatagramCore[] control = NONE;
  private DatagramCore[] bulk = NONE;
  private int nextBulk;
  private UnclaimedHandler unclaimedHandler;
  private EgressFilter egressFilter;
  private EndpointTracer tracer = EndpointTracer.NOOP;
  private final long[] consumed = new long[kinds.length];
  private final long[] failures = new long[kinds.length];
  private long controlSent;
  private long bulkSent;
  private long unclaimed;
  private long datagrams;
  private long coreFailures;
  private long egressFailures;
  private final RecentDestinations destinations = new RecentDestinations();

  public Demultiplexer() {
    Arrays.fill(byKind, NONE);
  }

  /** Where this socket sent datagrams lately, by any core (for "did that come in unasked?"). */
  public RecentDestinations recentDestinations() {
    return destinations;
  }

  /** Sets the tracer that hears of core failures and unclaimed datagrams. */
  public void setTracer(EndpointTracer tracer) {
    this.tracer = tracer == null ? EndpointTracer.NOOP : tracer;
  }

  /** Adds a core for a kind; cores of one kind are tried in registration order. */
  public void register(DatagramKind kind, DatagramCore core) {
    if (core == this) {
      throw new IllegalArgumentException("a demultiplexer cannot contain itself");
    }
    int k = indexOf(kind);
    byKind[k] = with(byKind[k], core);
    for (DatagramCore c : all) {
      if (c == core) {
        return;
      }
    }
    all = with(all, core);
    if (core.sendClass() == SendClass.BULK) {
      bulk = with(bulk, core);
    } else {
      control = with(control, core);
    }
  }

  /** Removes a core from every kind it was registered for. Returns whether it was registered. */
  public boolean unregister(DatagramCore core) {
    boolean found = false;
    for (int k = 0; k < byKind.length; k++) {
      DatagramCore[] cs = without(byKind[k], core);
      if (cs != byKind[k]) {
        byKind[k] = cs;
        found = true;
      }
    }
    all = without(all, core);
    control = without(control, core);
    bulk = without(bulk, core);
    nextBulk = 0;
    return found;
  }

  /**
   * Sets the handler that sees every unclaimed datagram after it was counted (null: none). Its
   * transmits leave through the core it belongs to, which must be registered.
   */
  public void setUnclaimedHandler(UnclaimedHandler handler) {
    this.unclaimedHandler = handler;
  }

  /**
   * Sets the filter that sees (and may rewrite) every datagram a core produced before it is sent
   * (null: none). Datagrams are counted, and their destinations remembered in {@link
   * #recentDestinations()}, as the core wrote them.
   */
  public void setEgressFilter(EgressFilter filter) {
    this.egressFilter = filter;
  }

  private static DatagramCore[] with(DatagramCore[] cs, DatagramCore core) {
    DatagramCore[] grown = Arrays.copyOf(cs, cs.length + 1);
    grown[cs.length] = core;
    return grown;
  }

  private static DatagramCore[] without(DatagramCore[] cs, DatagramCore core) {
    for (int i = 0; i < cs.length; i++) {
      if (cs[i] == core) {
        DatagramCore[] out = new DatagramCore[cs.length - 1];
        System.arraycopy(cs, 0, out, 0, i);
        System.arraycopy(cs, i + 1, out, i, cs.length - i - 1);
        return out;
      }
    }
    return cs;
  }

  /**
   * Offers one datagram (between {@code packet}'s position and limit) to the cores in order.
   *
   * @return the kind that consumed it, or null when it was unclaimed
   */
  public DatagramKind dispatch(ByteBuffer packet, InetSocketAddress from, long nowNanos) {
    datagrams++;
    int pos = packet.position();
    int lim = packet.limit();
    int len = lim - pos;
    for (int k = 0; k < kinds.length; k++) {
      DatagramCore[] cs = byKind[k];
      if (cs.length == 0 || !kinds[k].matches(packet, pos, len)) {
        continue;
      }
      for (DatagramCore c : cs) {
        packet.limit(lim).position(pos);
        boolean taken;
        try {
          taken = c.handleDatagram(packet, from, nowNanos);
        } catch (RuntimeException e) {
          failures[k]++;
          coreFailures++;
          tracer.coreFailed(EndpointTracer.Phase.DATAGRAM, kinds[k], c, e);
          taken = true;
        }
        if (taken) {
          consumed[k]++;
          return kinds[k];
        }
      }
    }
    unclaimed++;
    tracer.unclaimed(from, len);
    if (unclaimedHandler != null) {
      packet.limit(lim).position(pos);
      try {
        unclaimedHandler.handleUnclaimed(packet, from, nowNanos);
      } catch (RuntimeException e) {
        coreFailures++;
        tracer.coreFailed(EndpointTracer.Phase.DATAGRAM, null, null, e);
      }
    }
    return null;
  }

  @Override
  public boolean handleDatagram(ByteBuffer packet, InetSocketAddress from, long nowNanos) {
    return dispatch(packet, from, nowNanos) != null;
  }

  @Override
  public void handleReceiveDrained(long nowNanos) {
    for (DatagramCore c : all) {
      try {
        c.handleReceiveDrained(nowNanos);
      } catch (RuntimeException e) {
        failed(EndpointTracer.Phase.DRAINED, c, e);
      }
    }
  }

  @Override
  public boolean pollTransmit(Transmit out, long nowNanos) {
    for (DatagramCore c : control) {
      if (poll(c, SendClass.CONTROL, out, nowNanos)) {
        return true;
      }
    }
    DatagramCore[] b = bulk;
    int n = b.length;
    for (int i = 0; i < n; i++) {
      int at = nextBulk + i < n ? nextBulk + i : nextBulk + i - n;
      if (poll(b[at], SendClass.BULK, out, nowNanos)) {
        nextBulk = at + 1 < n ? at + 1 : 0;
        return true;
      }
    }
    return false;
  }

  private boolean poll(DatagramCore c, SendClass cls, Transmit out, long nowNanos) {
    out.clear();
    out.setSendClass(cls);
    boolean has;
    try {
      has = c.pollTransmit(out, nowNanos);
    } catch (RuntimeException e) {
      failed(EndpointTracer.Phase.TRANSMIT, c, e);
      return false;
    }
    if (has) {
      destinations.sentTo(out.destination().getAddress(), nowNanos);
      if (out.sendClass() == SendClass.BULK) {
        bulkSent++;
      } else {
        controlSent++;
      }
      filter(out, nowNanos);
    }
    return has;
  }

  /**
   * Runs the egress filter on a produced datagram. If it throws (a bug, traced as a {@link
   * EndpointTracer.Phase#TRANSMIT} failure of no core), the datagram keeps the length and
   * destination the core gave it; a filter must check that a rewrite fits before it writes.
   */
  private void filter(Transmit out, long nowNanos) {
    EgressFilter f = egressFilter;
    if (f == null) {
      return;
    }
    int length = out.buffer().position();
    InetSocketAddress destination = out.destination();
    try {
      f.filter(out, nowNanos);
    } catch (RuntimeException e) {
      coreFailures++;
      egressFailures++;
      out.buffer().limit(out.buffer().capacity()).position(length);
      out.setDestination(destination);
      tracer.coreFailed(EndpointTracer.Phase.TRANSMIT, null, null, e);
    }
  }

  /** Fires {@link DatagramCore#handleTimeout} on every core whose deadline has passed. */
  @Override
  public void handleTimeout(long nowNanos) {
    for (DatagramCore c : all) {
      try {
        if (Deadlines.isDue(c.pollTimeout(), nowNanos)) {
          c.handleTimeout(nowNanos);
        }
      } catch (RuntimeException e) {
        failed(EndpointTracer.Phase.TIMEOUT, c, e);
      }
    }
  }

  /** The earliest deadline of all cores, or {@link Deadlines#NONE}. */
  @Override
  public long pollTimeout() {
    long earliest = Deadlines.NONE;
    for (DatagramCore c : all) {
      earliest = Deadlines.earliest(earliest, c.pollTimeout());
    }
    return earliest;
  }

  private void failed(EndpointTracer.Phase phase, DatagramCore c, RuntimeException e) {
    coreFailures++;
    DatagramKind kind = null;
    for (int k = 0; k < kinds.length && kind == null; k++) {
      for (DatagramCore x : byKind[k]) {
        if (x == c) {
          kind = kinds[k];
          failures[k]++;
          break;
        }
      }
    }
    tracer.coreFailed(phase, kind, c, e);
  }

  /** Every distinct registered core, in first-registration order. */
  public DatagramCore[] cores() {
    return all.clone();
  }

  /** Datagrams consumed by cores of {@code kind}. */
  public long consumed(DatagramKind kind) {
    return consumed[indexOf(kind)];
  }

  /** Exceptions thrown by cores registered for {@code kind}. */
  public long failures(DatagramKind kind) {
    return failures[indexOf(kind)];
  }

  /** Exceptions thrown by any core or the unclaimed handler (a bug each; the host survives). */
  public long coreFailures() {
    return coreFailures;
  }

  /** Exceptions thrown by the egress filter (each also counts in {@link #coreFailures()}). */
  public long egressFailures() {
    return egressFailures;
  }

  /** Datagrams handed out by {@link #pollTransmit} whose transmit carried {@code sendClass}. */
  public long transmitted(SendClass sendClass) {
    return sendClass == SendClass.BULK ? bulkSent : controlSent;
  }

  private int indexOf(DatagramKind kind) {
    for (int k = 0; k < kinds.length; k++) {
      if (kinds[k] == kind) {
        return k;
      }
    }
    throw new IllegalArgumentException("unknown kind " + kind);
  }

  /** Datagrams no core consumed. */
  public long unclaimed() {
    return unclaimed;
  }

  /** Every datagram dispatched. */
  public long datagrams() {
    return datagrams;
  }
}
