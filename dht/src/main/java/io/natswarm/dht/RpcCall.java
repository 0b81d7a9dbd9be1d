package io.natswarm.dht;

import io.natswarm.dht.krpc.KrpcMethod;
import io.natswarm.dht.routing.NodeId;
import java.net.InetSocketAddress;

/**
 * One outgoing KRPC query and its explicit state machine ({@link RpcState}): transaction id,
 * destination, send time and deadlines. Owned by the DHT node's thread.
 */
final class RpcCall {
  /** Who wants to know how a call ends. */
  interface Listener {
    void onResponse(RpcCall call, io.natswarm.dht.krpc.KrpcMessage msg, long nowNanos);

    /** The call stalled (past its adaptive timeout) but may still answer. */
    void onStall(RpcCall call, long nowNanos);

    /** The call failed: timed out or answered with an error. */
    void onFailure(RpcCall call, long nowNanos);
  }

  final int tx;
  final KrpcMethod method;
  final InetSocketAddress address;

  /** The id we expect, or null when unknown (bootstrap). */
  final NodeId expectedId;

  final Listener listener;

  /** What the listener attached (a lookup's candidate). */
  final Object context;

  final long sentAt;
  final long stallAt;
  final long deadline;
  private RpcState state = RpcState.SENT;

  /** Set by a lookup: the query's round (see {@code LookupResult.rounds}); 0 for other calls. */
  int round;

  RpcCall(
      int tx,
      KrpcMethod method,
      InetSocketAddress address,
      NodeId expectedId,
      Listener listener,
      Object context,
      long sentAt,
      long stallAt,
      long deadline) {
    this.tx = tx;
    this.method = method;
    this.address = address;
    this.expectedId = expectedId;
    this.listener = listener;
    this.context = context;
    this.sentAt = sentAt;
    this.stallAt = stallAt;
    this.deadline = deadline;
  }

  RpcState state() {
    return state;
  }

  /** The next deadline of this call. */
  long nextDeadline() {
    return state == RpcState.SENT ? stallAt : deadline;
  }

  void transition(RpcState next) {
    boolean ok =
        switch (state) {
          case SENT -> next != RpcState.SENT;
          case STALLED -> next.isFinal();
          default -> false;
        };
    if (!ok) {
      throw new IllegalStateException("RPC call " + state + " -> " + next);
    }
    state = next;
  }
}
