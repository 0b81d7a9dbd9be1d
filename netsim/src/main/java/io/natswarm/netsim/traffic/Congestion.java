package io.natswarm.netsim.traffic;

/** The congestion controller of a {@link BulkSender}. */
public enum Congestion {
  /** NewReno: slow start, AIMD, fast retransmit and recovery (RFC 5681, RFC 6582). */
  RENO,
  /** CUBIC window growth (RFC 9438) with Reno's loss recovery; beta 0.7, C 0.4. */
  CUBIC
}
