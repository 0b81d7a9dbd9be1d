package io.natswarm.holepunch.reach;

/**
 * Where a candidate address comes from, with its type preference for the ICE priority (RFC 8445
 * section 5.1.2.2 recommends 126 for host, 110 for peer-reflexive, 100 for server-reflexive and 0
 * for relayed). A port mapping on the gateway (PCP, NAT-PMP, UPnP-IGD) is not an ICE type: it is
 * ranked below host and above peer-reflexive, because, unlike a reflexive address, peers can open a
 * connection to it unasked.
 */
public enum CandidateType {
  HOST(126, "host"),
  MAPPED(120, "mapped"),
  PEER_REFLEXIVE(110, "prflx"),
  SERVER_REFLEXIVE(100, "srflx"),
  RELAYED(0, "relay");

  private final int typePreference;
  private final String label;

  CandidateType(int typePreference, String label) {
    this.typePreference = typePreference;
    this.label = label;
  }

  /** The type preference, 0 to 126. */
  public int typePreference() {
    return typePreference;
  }

  /** The short name ICE uses ("host", "srflx", ...), "mapped" for a gateway mapping. */
  public String label() {
    return label;
  }
}
