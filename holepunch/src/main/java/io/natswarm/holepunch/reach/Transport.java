package io.natswarm.holepunch.reach;

/** How a peer connects: µTP over the node's UDP socket, or TCP on the same port number. */
public enum Transport {
  UTP("µTP"),
  TCP("TCP");

  private final String label;

  Transport(String label) {
    this.label = label;
  }

  /** "µTP" or "TCP". */
  public String label() {
    return label;
  }
}
