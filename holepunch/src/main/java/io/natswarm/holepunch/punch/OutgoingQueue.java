package io.natswarm.holepunch.punch;

import java.net.InetSocketAddress;

/**
 * The ut_holepunch messages (BEP 55) a core has for the engine to send: a bounded first-in
 * first-out ring, kept as parallel arrays so that queueing and draining allocate nothing. Full
 * means the caller is not draining; the caller decides what to drop. Owned by the engine thread,
 * like the core that holds it.
 */
final class OutgoingQueue {
  private final PeerRef[] to;
  private final MessageType[] type;
  private final InetSocketAddress[] endpoint;
  private final int[] errorCode;
  private int head;
  private int size;

  OutgoingQueue(int capacity) {
    if (capacity < 2) {
      throw new IllegalArgumentException("outgoing capacity " + capacity + " < 2");
    }
    to = new PeerRef[capacity];
    type = new MessageType[capacity];
    endpoint = new InetSocketAddress[capacity];
    errorCode = new int[capacity];
  }

  /** Room for {@code n} more messages. */
  boolean hasRoom(int n) {
    return size + n <= to.length;
  }

  /** Appends a message; the caller checked {@link #hasRoom}. */
  void add(PeerRef peer, MessageType t, InetSocketAddress ep, int code) {
    if (!hasRoom(1)) {
      throw new IllegalStateException("outgoing queue full");
    }
    int i = (head + size) % to.length;
    to[i] = peer;
    type[i] = t;
    endpoint[i] = ep;
    errorCode[i] = code;
    size++;
  }

  /** Moves the oldest message into {@code out}; false when empty. */
  boolean poll(Outgoing out) {
    if (size == 0) {
      return false;
    }
    out.set(to[head], type[head], endpoint[head], errorCode[head]);
    to[head] = null;
    endpoint[head] = null;
    head = (head + 1) % to.length;
    size--;
    return true;
  }

  /** Drops every queued message addressed to {@code peer} (it disconnected). */
  void removeTo(PeerRef peer) {
    int kept = 0;
    for (int k = 0; k < size; k++) {
      int from = (head + k) % to.length;
      if (peer.equals(to[from])) {
        continue;
      }
      int dest = (head + kept) % to.length;
      to[dest] = to[from];
      type[dest] = type[from];
      endpoint[dest] = endpoint[from];
      errorCode[dest] = errorCode[from];
      kept++;
    }
    for (int k = kept; k < size; k++) {
      int i = (head + k) % to.length;
      to[i] = null;
      endpoint[i] = null;
    }
    size = kept;
  }

  int size() {
    return size;
  }
}
