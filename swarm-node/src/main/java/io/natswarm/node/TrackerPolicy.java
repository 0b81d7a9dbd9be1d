package io.natswarm.node;

/**
 * Which trackers (BEP 3 HTTP, BEP 15 UDP) named in a torrent or a magnet link the node contacts.
 */
public enum TrackerPolicy {
  /**
   * Only trackers on a loopback address (127.0.0.0/8, ::1, "localhost"); every other tracker URL is
   * treated as unsupported and never contacted. For tests and offline demos (LAB.md: the network
   * rule).
   */
  LOOPBACK_ONLY,
  /** Every HTTP and UDP tracker the torrent names. */
  ANY
}
