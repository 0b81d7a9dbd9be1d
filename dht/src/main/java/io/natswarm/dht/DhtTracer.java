package io.natswarm.dht;

import io.natswarm.dht.krpc.KrpcError;
import io.natswarm.dht.krpc.KrpcMethod;
import io.natswarm.dht.routing.NodeId;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Events of one {@link DhtNode}, for tests and diagnostics (docs/ARCHITECTURE.md, "Observability":
 * an injected tracer with a no-op default; tests assert event sequences and counters, not log
 * text). Every method has an empty default, so a tracer overrides only what it watches. Injected
 * with {@link DhtConfig.Builder#tracer}. Called on the node's thread, in the order things happen:
 * keep it cheap and never call back into the node.
 */
public interface DhtTracer {
  /** The tracer that does nothing. */
  DhtTracer NOOP = new DhtTracer() {};

  /**
   * A datagram of our family that is not usable KRPC (or is too large) was counted. Without a
   * readable transaction id it is dropped; a query with one is answered with error 203 (within its
   * rate), a reply with one fails the call it names. Never a penalty for its (forgeable) source.
   */
  default void malformed(InetSocketAddress from, int length, KrpcError error) {}

  /** A query (or a malformed query we would have answered with an error) was over its rate. */
  default void queryRateLimited(InetSocketAddress from) {}

  /** An announce_peer carried a token that is not ours for its source address. */
  default void badToken(InetSocketAddress from) {}

  /**
   * {@code source} is banned until {@code untilNanos}, for abuse proven by a valid write token (see
   * {@link SourceGuard}); {@code reason} says which.
   */
  default void sourceBanned(InetAddress source, long untilNanos, String reason) {}

  /** A datagram from a banned source was dropped. */
  default void bannedDropped(InetSocketAddress from) {}

  /** A query passed its adaptive timeout without an answer; a lookup moves on. */
  default void rpcStalled(KrpcMethod method, InetSocketAddress to, long waitedNanos) {}

  /** A query reached its hard timeout: the call failed and the node's failure count went up. */
  default void rpcTimedOut(KrpcMethod method, InetSocketAddress to) {}

  /** A query was answered with a KRPC error (or a reply we could not use). */
  default void rpcFailed(KrpcMethod method, InetSocketAddress to) {}

  /** A lookup ({@code method} find_node or get_peers) for {@code target} started. */
  default void lookupStarted(NodeId target, KrpcMethod method) {}

  /** BEP 42: the votes settled on {@code external}, which {@code old} was not valid for. */
  default void nodeIdChanged(NodeId old, NodeId now, InetAddress external) {}

  /** A lookup ended; {@code result} has its hops, queries (messages), peers and closest nodes. */
  default void lookupFinished(LookupResult result) {}
}
