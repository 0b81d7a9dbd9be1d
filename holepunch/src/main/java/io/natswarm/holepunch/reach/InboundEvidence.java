package io.natswarm.holepunch.reach;

/**
 * What came in unasked from the internet (global-scope sources only: a LAN peer proves nothing
 * about the NAT): peer connections per transport, and DHT queries from nodes this node had never
 * sent to (each one crossed the NAT's filter on its own).
 *
 * @param tcp inbound TCP peer connections accepted
 * @param utp inbound µTP peer connections accepted
 * @param unsolicitedDht DHT queries from nodes we never contacted
 */
public record InboundEvidence(long tcp, long utp, long unsolicitedDht) {
  /** Nothing came in. */
  public static final InboundEvidence NONE = new InboundEvidence(0, 0, 0);

  /** Whether anything at all came in. */
  public boolean any() {
    return tcp > 0 || utp > 0 || unsolicitedDht > 0;
  }
}
