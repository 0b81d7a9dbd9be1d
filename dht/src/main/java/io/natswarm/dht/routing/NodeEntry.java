package io.natswarm.dht.routing;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * One remote node in the routing table (BEP 5, "Routing Table"): its id, address, liveness and
 * measured round trip. Its compact form (id + address, 26 or 38 bytes) is cached for writing {@code
 * nodes}/{@code nodes6} without allocating. Owned by the DHT node's thread.
 */
public final class NodeEntry {
  /** BEP 5: a node is good if it answered within the last 15 minutes. */
  public static final long GOOD_NANOS = 15L * 60 * 1_000_000_000L;

  /** Timeouts in a row after which a node is bad. */
  public static final int MAX_FAILURES = 2;

  private final NodeId id;
  private final InetSocketAddress address;
  private final byte[] compact;
  private final boolean verified;
  private long lastResponse = Long.MIN_VALUE;
  private long lastSeen;
  private int failures;
  private long rttNanos = -1;
  private boolean pingInFlight;

  public NodeEntry(NodeId id, InetSocketAddress address, boolean verified, long nowNanos) {
    this.id = id;
    this.address = address;
    this.verified = verified;
    this.lastSeen = nowNanos;
    boolean v4 = address.getAddress() instanceof Inet4Address;
    ByteBuffer b = ByteBuffer.allocate(v4 ? 26 : 38);
    id.write(b);
    b.put(address.getAddress().getAddress());
    b.putShort((short) address.getPort());
    this.compact = b.array();
  }

  public NodeId id() {
    return id;
  }

  public InetSocketAddress address() {
    return address;
  }

  /** The compact node info: 20-byte id, address, big-endian port. */
  public byte[] compact() {
    return compact;
  }

  /** Whether the id is valid for the address under BEP 42. */
  public boolean verified() {
    return verified;
  }

  public NodeStatus status(long nowNanos) {
    if (failures >= MAX_FAILURES) {
      return NodeStatus.BAD;
    }
    if (lastResponse != Long.MIN_VALUE && nowNanos - lastResponse < GOOD_NANOS && failures == 0) {
      return NodeStatus.GOOD;
    }
    return NodeStatus.QUESTIONABLE;
  }

  /** The node answered one of our queries. */
  public void responded(long nowNanos, long rtt) {
    lastResponse = nowNanos;
    lastSeen = nowNanos;
    failures = 0;
    pingInFlight = false;
    if (rtt >= 0) {
      rttNanos = rttNanos < 0 ? rtt : (rttNanos * 7 + rtt) / 8;
    }
  }

  /** The node sent us a query. */
  public void queried(long nowNanos) {
    lastSeen = nowNanos;
  }

  public void failed() {
    failures++;
    pingInFlight = false;
  }

  public int failures() {
    return failures;
  }

  public long lastSeen() {
    return lastSeen;
  }

  public boolean everResponded() {
    return lastResponse != Long.MIN_VALUE;
  }

  /** Smoothed round trip in nanoseconds, or -1. */
  public long rttNanos() {
    return rttNanos;
  }

  boolean pingInFlight() {
    return pingInFlight;
  }

  void setPingInFlight() {
    pingInFlight = true;
  }

  @Override
  public String toString() {
    return id + "@" + address;
  }
}
