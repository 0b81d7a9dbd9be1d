package io.natswarm.dht;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * Hears a get_peers lookup's peers (BEP 5 "values") as each answer brings them, before the lookup
 * ends: a host can dial the first peers while the lookup still waits for the rest of the k closest
 * nodes. Every peer of the final {@link LookupResult#peers()} is heard exactly once, in the order
 * found, and all of them before the lookup's completion callback runs; peers announced to this node
 * itself are heard when the lookup starts.
 *
 * <p>Thread: called on the DHT node's thread (the socket's event loop), inside the handling of the
 * datagram that carried the peers. It must return quickly and must not block; a host that calls
 * into other code (a BitTorrent engine) hands the peers over to a thread of its own.
 */
@FunctionalInterface
public interface FoundPeers {
  /** Ignores the peers: the lookup's result still lists them all. */
  FoundPeers NONE = peers -> {};

  /**
   * Peers not heard before in this lookup, at least one; the list is the listener's to keep.
   *
   * @param peers the new peers, in the order the answers listed them
   */
  void found(List<InetSocketAddress> peers);
}
