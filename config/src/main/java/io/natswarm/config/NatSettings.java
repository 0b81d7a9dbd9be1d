package io.natswarm.config;

/**
 * Reachability and NAT traversal (issue 11).
 *
 * @param portMapping whether the node asks its gateway to map its port (PCP, then NAT-PMP, then
 *     UPnP-IGD)
 * @param portMappingLifetimeSeconds the lifetime asked of the gateway for each PCP and NAT-PMP
 *     mapping, 120 to 86400 seconds
 * @param stunServer the STUN server the node measures its NAT with (RFC 5780 behaviour when it has
 *     two addresses), or null for none: the peers' and the DHT's votes still tell the address
 * @param peerRelay whether the node relays connections between its peers and asks peers to relay
 *     its own (issue 12)
 * @param turn the TURN server of the ladder's last rung and its credentials, or null for none
 */
public record NatSettings(
    boolean portMapping,
    int portMappingLifetimeSeconds,
    HostPort stunServer,
    boolean peerRelay,
    Turn turn) {

  /**
   * A TURN server the operator runs (RFC 8656) and its long-term credentials.
   *
   * @param server where it listens for UDP
   * @param username the user name
   * @param password the password (never shown)
   */
  public record Turn(HostPort server, String username, String password) {
    @Override
    public String toString() {
      return "Turn[server=" + server + ", username=" + username + "]";
    }
  }
}
