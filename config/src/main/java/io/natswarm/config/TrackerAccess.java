package io.natswarm.config;

/** Which trackers a torrent or magnet link names the node may contact. */
public enum TrackerAccess {
  /** Only trackers on a loopback address (tests and offline demos). */
  LOOPBACK_ONLY,
  /** Every HTTP and UDP tracker. */
  ANY
}
