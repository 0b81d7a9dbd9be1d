package io.natswarm.holepunch.portmap;

/** The transport a port mapping is for. */
public enum Protocol {
  UDP,
  TCP
}
