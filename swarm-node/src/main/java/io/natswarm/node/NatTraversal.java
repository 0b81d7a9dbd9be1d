package io.natswarm.node;

import java.net.InetSocketAddress;

/**
 * What the node does about NATs (issue 11): whether it maps its port on the gateway, and which STUN
 * server, if any, it measures its NAT with.
 *
 * @param portMapping ask the gateway (PCP, then NAT-PMP, then UPnP-IGD) to map the node's port for
 *     UDP and TCP, renew it, and delete it when the node closes; never on a loopback address
 * @param stunServer the STUN server to ask from the node's own port, or null for none
 */
public record NatTraversal(boolean portMapping, InetSocketAddress stunServer) {
  /** No port mapping and no STUN: what tests and loopback nodes use. */
  public static final NatTraversal OFF = new NatTraversal(false, null);

  /** Port mapping on, no STUN server: a node on a home network. */
  public static final NatTraversal MAP_PORT = new NatTraversal(true, null);
}
