package io.natswarm.holepunch.relay;

import io.natswarm.holepunch.punch.PeerRef;

/**
 * The ns_relay messages {@link RelaySwitch} has for the engine to send: a bounded first-in
 * first-out ring of parallel arrays, so that queueing and draining allocate nothing. The switch
 * decides what fits (it keeps room for the messages that end circuits). Owned by the engine thread,
 * like the switch.
 */
final class RelayQueue {
  private final PeerRef[] to;
  private final RelayMessage[] message;
  private int head;
  private int size;

  RelayQueue(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("relay outgoing capacity " + capacity + " < 1");
    }
    to = new PeerRef[capacity];
    message = new RelayMessage[capacity];
  }

  int capacity() {
    return to.length;
  }

  int size() {
    return size;
  }

  /** Appends a message; the caller made sure there is room. */
  void add(PeerRef peer, RelayMessage m) {
    if (size == to.length) {
      throw new IllegalStateException("relay outgoing queue full");
    }
    int i = (head + size) % to.length;
    to[i] = peer;
    message[i] = m;
    size++;
  }

  /** Moves the oldest message into {@code out}; false when empty. */
  boolean poll(RelayOutgoing out) {
    if (size == 0) {
      return false;
    }
    out.set(to[head], message[head]);
    to[head] = null;
    message[head] = null;
    head = (head + 1) % to.length;
    size--;
    return true;
  }

  /** Drops every queued message addressed to {@code peer} (it is gone). */
  void removeTo(PeerRef peer) {
    int kept = 0;
    for (int k = 0; k < size; k++) {
      int from = (head + k) % to.length;
      if (peer.equals(to[from])) {
        continue;
      }
      int dest = (head + kept) % to.length;
      to[dest] = to[from];
      message[dest] = message[from];
      kept++;
    }
    for (int k = kept; k < size; k++) {
      int i = (head + k) % to.length;
      to[i] = null;
      message[i] = null;
    }
    size = kept;
  }
}
