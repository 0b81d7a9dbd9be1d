package io.natswarm.dht;

/**
 * States of one outgoing KRPC query (the idea of mldht's RPCState). Legal transitions: SENT to
 * STALLED, RESPONDED, ERROR or TIMED_OUT; STALLED to RESPONDED, ERROR or TIMED_OUT.
 */
enum RpcState {
  SENT,
  /** Past its adaptive timeout: still waited for, no longer counted as in flight by lookups. */
  STALLED,
  RESPONDED,
  ERROR,
  TIMED_OUT;

  boolean isFinal() {
    return this == RESPONDED || this == ERROR || this == TIMED_OUT;
  }
}
