package io.natswarm.netsim;

/** An end host in a {@link Realm}, with UDP ports that {@link SimEndpoint}s bind to. */
public final class Host extends Node {
  private int nextEphemeral = 49_152;

  Host(int id, String name, Realm realm, int v4, int v6, SimRandom up, SimRandom down) {
    super(id, name, realm, v4, v6, up, down);
  }

  /**
   * Binds {@code endpoint} to UDP {@code port} (1..65535, or 0 for the next free port from 49152)
   * on all of this host's addresses. Throws IllegalArgumentException if the port is taken.
   */
  public Binding bind(int port, SimEndpoint endpoint) {
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

  @Override
  void receive(int slot) {
    network.deliverToHost(this, slot);
  }
}
