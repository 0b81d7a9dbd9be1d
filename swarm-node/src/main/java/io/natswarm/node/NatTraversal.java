package io.natswarm.node;

import java.net.InetSocketAddress;

/**
 * What the node does about NATs (issues 11 and 12): whether it maps its port on the gateway, which
 * STUN server, if any, it measures its NAT with, and whether it relays for its peers.
 *
 * @param portMapping ask the gateway (PCP, then NAT-PMP, then UPnP-IGD) to map the node's port for
 *     UDP and TCP, renew it, and delete it when the node closes; never on a loopback address
 * @param stunServer the STUN server to ask from the node's own port, or null for none
 * @param portMappingLifetimeSeconds the lifetime asked of the gateway for each PCP and NAT-PMP
 *     mapping
 * @param peerRelay relay connections between two peers that cannot reach each other, and ask peers
 *     to relay the node's own (ns_relay)
 * @param turn the TURN server the operator runs, the ladder's last rung, or null for none
 */
public record NatTraversal(
    boolean portMapping,
    InetSocketAddress stunServer,
    int portMappingLifetimeSeconds,
    boolean peerRelay,
    TurnServer turn) {
  /** The lifetime RFC 6886 recommends and the node asks for unless told otherwise: 2 hours. */
  public static final int DEFAULT_PORT_MAPPING_LIFETIME_SECONDS = 7200;

  /** No port mapping and no STUN: what tests and loopback nodes use. */
  public static final NatTraversal OFF = new NatTraversal(false, null);

  /** Port mapping on, no STUN server: a node on a home network. */
  public static final NatTraversal MAP_PORT = new NatTraversal(true, null);

  /** With the default mapping lifetime, relaying on. */
  public NatTraversal(boolean portMapping, InetSocketAddress stunServer) {
    this(portMapping, stunServer, DEFAULT_PORT_MAPPING_LIFETIME_SECONDS);
  }

  /** Relaying on. */
  public NatTraversal(
      boolean portMapping, InetSocketAddress stunServer, int portMappingLifetimeSeconds) {
    this(portMapping, stunServer, portMappingLifetimeSeconds, true, null);
  }

  /** These settings with peer relaying ({@code ns_relay}) on or off. */
  public NatTraversal withPeerRelay(boolean value) {
    return new NatTraversal(portMapping, stunServer, portMappingLifetimeSeconds, value, turn);
  }

  /** These settings with a TURN server ({@code null}: none). */
  public NatTraversal withTurn(TurnServer value) {
    return new NatTraversal(portMapping, stunServer, portMappingLifetimeSeconds, peerRelay, value);
  }

  /**
   * A TURN server (RFC 8656, UDP) and the long-term credentials the node authenticates with.
   *
   * @param server its UDP endpoint
   * @param username the user name
   * @param password the password (not shown by {@link #toString()})
   */
  public record TurnServer(InetSocketAddress server, String username, String password) {
    @Override
    public String toString() {
      return "TurnServer[server=" + server + ", username=" + username + "]";
    }
  }
}
