package io.natswarm.netsim;

import io.natswarm.datagram.DatagramCore;

/** An end host in a {@link Realm}, with UDP ports that {@link DatagramCore}s bind to. */
public final class Host extends Node {
  static final int INLINE_BINDINGS = 4;

  private int nextEphemeral = 49_152;
  // The first few bindings, scanned on delivery without touching the network's port map.
  private final int[] inlinePorts = new int[INLINE_BINDINGS];
  private final Binding[] inline = new Binding[INLINE_BINDINGS];
  int boundCount;
  private int firstPort;
  private Binding first;

  Host(int id, String name, Realm realm, int v4, int v6, SimRandom up, SimRandom down) {
    super(id, name, realm, v4, v6, up, down);
  }

  /**
   * Binds {@code endpoint} to UDP {@code port} (1..65535, or 0 for the next free port from 49152)
   * on all of this host's addresses. Throws IllegalArgumentException if the port is taken.
   */
  public Binding bind(int port, DatagramCore endpoint) {
    if (endpoint == null) {
      throw new IllegalArgumentException("bind " + name + ":" + port + ": endpoint is null");
    }
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException(
          "bind " + name + ": port " + port + " out of range 0..65535");
    }
    if (port == 0) {
      port = ephemeralPort();
    }
    return network.bind(this, port, endpoint);
  }

  private int ephemeralPort() {
    for (int i = 0; i < 16_384; i++) {
      int p = nextEphemeral;
      nextEphemeral = p == 65_535 ? 49_152 : p + 1;
      if (network.bindingAt(this, p) == null) {
        return p;
      }
    }
    throw new IllegalArgumentException("bind " + name + ": no free ephemeral port");
  }

  /** The binding on {@code port}, or null. */
  public Binding binding(int port) {
    return network.bindingAt(this, port);
  }

  private void refreshFirst() {
    first = boundCount > 0 && boundCount <= INLINE_BINDINGS ? inline[0] : null;
    firstPort = first == null ? -1 : inlinePorts[0];
  }

  void attach(Binding b) {
    if (boundCount < INLINE_BINDINGS) {
      inlinePorts[boundCount] = b.port;
      inline[boundCount] = b;
    }
    boundCount++;
    if (boundCount == INLINE_BINDINGS + 1) {
      java.util.Arrays.fill(inline, null); // too many: the network's map answers from now on
    }
    refreshFirst();
  }

  void detach(Binding b) {
    boundCount--;
    if (boundCount == INLINE_BINDINGS) {
      // Back to inline: refill from the network's map.
      int n = 0;
      for (int p = 1; p <= 65_535 && n < INLINE_BINDINGS; p++) {
        Binding x = network.bindingAt(this, p);
        if (x != null && x != b) {
          inlinePorts[n] = p;
          inline[n++] = x;
        }
      }
      refreshFirst();
      return;
    }
    if (boundCount < INLINE_BINDINGS) {
      for (int i = 0; i <= boundCount; i++) {
        if (inline[i] == b) {
          inline[i] = inline[boundCount];
          inlinePorts[i] = inlinePorts[boundCount];
          inline[boundCount] = null;
          break;
        }
      }
    }
    refreshFirst();
  }

  /** The binding on {@code port} while at most {@link #INLINE_BINDINGS} exist, or null. */
  Binding inlineBinding(int port) {
    if (boundCount > 0 && firstPort == port) {
      return first; // the common case, without touching the arrays
    }
    for (int i = 0; i < boundCount; i++) {
      if (inlinePorts[i] == port) {
        return inline[i];
      }
    }
    return null;
  }

  @Override
  void receive(int slot) {
    network.deliverToHost(this, slot);
  }
}
