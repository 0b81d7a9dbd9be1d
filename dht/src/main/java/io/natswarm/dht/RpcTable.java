package io.natswarm.dht;

import io.natswarm.datagram.Deadlines;
import io.natswarm.dht.krpc.KrpcMethod;
import io.natswarm.dht.routing.NodeId;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The queries in flight, by 16-bit transaction id (BEP 5 {@code t}), with their stall and hard
 * deadlines from the {@link RttEstimator}. Owned by the DHT node's thread.
 */
final class RpcTable {
  private final Map<Integer, RpcCall> calls = new HashMap<>();
  private final RttEstimator rtt;
  private final long hardTimeout;
  private final List<RpcCall> fired = new ArrayList<>();
  private int nextTx;

  RpcTable(RttEstimator rtt, long hardTimeout, Random random) {
    this.rtt = rtt;
    this.hardTimeout = hardTimeout;
    this.nextTx = random.nextInt(1 << 16);
  }

  /** Registers a new call and returns it; its {@code tx} goes into the query. */
  RpcCall start(
      KrpcMethod method,
      InetSocketAddress address,
      NodeId expectedId,
      long nodeRtt,
      RpcCall.Listener listener,
      Object context,
      long now) {
    int tx;
    do {
      tx = nextTx;
      nextTx = (nextTx + 1) & 0xffff;
    } while (calls.containsKey(tx));
    long stall = Math.min(rtt.stallTimeout(nodeRtt), hardTimeout);
    RpcCall call =
        new RpcCall(
            tx,
            method,
            address,
            expectedId,
            listener,
            context,
            now,
            now + stall,
            now + hardTimeout);
    calls.put(tx, call);
    return call;
  }

  /** The call answered by a message with transaction {@code tx} from {@code from}, or null. */
  RpcCall match(int tx, InetSocketAddress from) {
    if (tx < 0) {
      return null;
    }
    RpcCall call = calls.get(tx);
    if (call == null || !call.address.equals(from)) {
      return null;
    }
    calls.remove(tx);
    return call;
  }

  void sample(long rttNanos) {
    rtt.sample(rttNanos);
  }

  int inFlight() {
    return calls.size();
  }

  /** The earliest stall or hard deadline of the calls in flight, or {@link Deadlines#NONE}. */
  long nextDeadline() {
    long t = Deadlines.NONE;
    for (RpcCall c : calls.values()) {
      t = Deadlines.earliest(t, c.nextDeadline());
    }
    return t;
  }

  /**
   * Moves calls past their deadlines to STALLED or TIMED_OUT and returns them (a reused list);
   * timed-out calls are removed.
   */
  List<RpcCall> expire(long now) {
    fired.clear();
    for (Iterator<RpcCall> it = calls.values().iterator(); it.hasNext(); ) {
      RpcCall c = it.next();
      boolean dead = Deadlines.isDue(c.deadline, now);
      if (c.state() == RpcState.SENT && Deadlines.isDue(c.stallAt, now) && !dead) {
        c.transition(RpcState.STALLED);
        fired.add(c);
      } else if (dead) {
        c.transition(RpcState.TIMED_OUT);
        it.remove();
        fired.add(c);
      }
    }
    return fired;
  }
}
