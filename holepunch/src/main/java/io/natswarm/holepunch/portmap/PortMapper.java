package io.natswarm.holepunch.portmap;

import io.natswarm.datagram.DatagramCore;

/**
 * A port-mapping client on the node's socket (NAT-PMP, PCP): one mapping per {@link Protocol} of
 * one internal port, held as an immutable {@link PortMapping}, renewed until released.
 *
 * <p>Owned by the thread of the socket it is registered on.
 */
public interface PortMapper extends DatagramCore {
  /** Asks for {@code internalPort} to be mapped for {@code protocol}, the same port if possible. */
  void map(Protocol protocol, int internalPort, long nowNanos);

  /** Deletes {@code protocol}'s mapping; does nothing when there is none (idempotent). */
  void release(Protocol protocol, long nowNanos);

  /** Where {@code protocol}'s mapping stands. */
  MappingStatus status(Protocol protocol);

  /** The mapping held for {@code protocol}, or null. */
  PortMapping mapping(Protocol protocol);

  /** Why {@code protocol}'s mapping failed or waits, for a person; null otherwise. */
  String failure(Protocol protocol);

  /** True when no request is being sent or waited for. */
  boolean idle();
}
