package io.natswarm.node.status;

import java.net.InetSocketAddress;
import java.nio.file.Path;

/**
 * How a node's status server is served.
 *
 * @param bind the address and port to listen on (port 0: any free port); loopback unless a token is
 *     set
 * @param token the secret every state-changing request must carry in the {@value
 *     RequestGuard#TOKEN_HEADER} header; null or empty: a random one is made at start (and given to
 *     the page, which only a loopback bind allows)
 * @param downloadDirectory where torrents added through the server (magnet links) are downloaded;
 *     no request can name another directory
 */
public record StatusServerSettings(InetSocketAddress bind, String token, Path downloadDirectory) {

  /** On {@code 127.0.0.1}, any free port, a random token. */
  public static StatusServerSettings loopback(Path downloadDirectory) {
    return new StatusServerSettings(
        new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0),
        null,
        downloadDirectory);
  }

  /** True if a token was configured (not made at start). */
  public boolean hasToken() {
    return token != null && !token.isEmpty();
  }
}
