package io.natswarm.node;

import java.net.InetSocketAddress;

/**
 * What the node does about NATs (issue 11): whether it maps its port on the gateway, and which STUN
 * server, if any, it measures its NAT with.
 *
 * @param portMapping ask the gateway (PCP, then NAT-PMP, then UPnP-IGD) to map the node's port for
 *     UDP and TCP, renew it, and delete it when the node closes; never on a loopback address
 * @param stunServer the STUN server to ask from the node's own port, or null for none
 * @param portMappingLifetimeSeconds the lifetime asked of the gateway for each PCP and NAT-PMP
 *     mapping
 */
public record NatTraversal(
    boolean portMapping, InetSocketAddress stunServer, int portMappingLifetimeSeconds) {
  /** The lifetime RFC 6886 recommends and the node asks for unless told otherwise: 2 hours. */
  public static final int DEFAULT_PORT_MAPPING_LIFETIME_SECONDS = 7200;

  /** No port mapping and no STUN: what tests and loopback nodes use. */
  public static final NatTraversal OFF = new NatTraversal(false, null);

  /** Port mapping on, no STUN server: a node on a home network. */
  public static final NatTraversal MAP_PORT = new NatTraversal(true, null);

  /** With the default mapping lifetime. */
  public NatTraversal(boolean portMapping, InetSocketAddress stunServer) {
    this(portMapping, stunServer, DEFAULT_PORT_MAPPING_LIFETIME_SECONDS);
  }
}
