package io.natswarm.holepunch.relay;

import io.natswarm.holepunch.punch.PeerRef;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * One peer connection as {@link RelaySwitch} knows it: where the peer is, its peer id, whether it
 * speaks ns_relay, and the circuits it is an end of. Mutable; owned by the switch, on the engine
 * thread.
 */
final class RelayLink {
  final PeerRef ref;
  InetSocketAddress endpoint;
  InetSocketAddress alias; // null: none
  byte[] peerId;
  boolean relay;
  final List<RelayCircuit> circuits = new ArrayList<>(); // as either end
  private int nextId; // the free bits of the next id R picks for an INCOMING hop to this peer

  RelayLink(PeerRef ref) {
    this.ref = ref;
  }

  /** True when a CONNECT to {@code e} names this peer: its endpoint or its alias. */
  boolean at(InetSocketAddress e) {
    return endpoint.equals(e) || e.equals(alias);
  }

  /** The circuit a message from this peer with circuit id {@code id} is for, or null. */
  RelayCircuit find(int id) {
    for (RelayCircuit c : circuits) {
      if (c.isInitiatorEnd(this, id) || c.isTargetEnd(this, id)) {
        return c;
      }
    }
    return null;
  }

  /** The circuit this peer opened with CONNECT {@code id}, or null. */
  RelayCircuit initiated(int id) {
    for (RelayCircuit c : circuits) {
      if (c.isInitiatorEnd(this, id)) {
        return c;
      }
    }
    return null;
  }

  /**
   * A fresh id, with {@link RelayCircuit#RELAY_HOP_BIT} set, for an INCOMING hop to this peer.
   * Terminates: the peer has far fewer circuits than there are ids.
   */
  int newIncomingId() {
    while (true) {
      int id = RelayCircuit.RELAY_HOP_BIT | nextId;
      nextId = (nextId + 1) & RelayCircuit.FREE_BITS;
      if (find(id | RelayCircuit.REPLY_BIT) == null) {
        return id;
      }
    }
  }
}
