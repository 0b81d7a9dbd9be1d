package io.natswarm.datagram;

/**
 * Which datagrams leave first when several cores have something to send (docs/ARCHITECTURE.md,
 * "Send classes"). Control traffic — DHT queries and replies, STUN, hole-punch probes, port-mapping
 * requests — is small, rare and often timed (a probe that waits behind a window of bulk data misses
 * the hole it was meant to punch); bulk is µTP payload, which LEDBAT paces anyway.
 */
public enum SendClass {
  /** Small, latency-sensitive datagrams; polled first. */
  CONTROL,
  /** Stream payload; polled when no control core has anything to send. */
  BULK
}
