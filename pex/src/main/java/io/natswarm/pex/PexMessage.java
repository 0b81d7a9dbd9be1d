package io.natswarm.pex;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * One ut_pex message (BEP 11): the peers the sender connected to since its last message and the
 * ones it lost, IPv4 and IPv6 together (the codec writes each family under its own key).
 *
 * @param added peers the sender is now connected to, with their flags
 * @param dropped peers the sender is no longer connected to
 */
public record PexMessage(List<PexPeer> added, List<InetSocketAddress> dropped) {
  public PexMessage {
    added = List.copyOf(added);
    dropped = List.copyOf(dropped);
  }

  /** Whether the message says nothing (never sent: an empty message wastes the minute). */
  public boolean isEmpty() {
    return added.isEmpty() && dropped.isEmpty();
  }
}
