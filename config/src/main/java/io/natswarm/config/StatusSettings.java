package io.natswarm.config;

/**
 * The node's status server (issue 10): JSON status, Prometheus metrics and a web page.
 *
 * @param listen where it listens, or null when the node serves no status
 * @param token the secret state-changing requests must carry; empty: the node makes one at start (a
 *     loopback-only page is given it). A non-loopback {@code listen} needs one.
 */
public record StatusSettings(HostPort listen, String token) {
  /** True if the node serves a status. */
  public boolean enabled() {
    return listen != null;
  }
}
