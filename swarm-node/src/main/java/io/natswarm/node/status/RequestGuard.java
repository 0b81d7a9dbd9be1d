package io.natswarm.node.status;

import com.sun.net.httpserver.Headers;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Decides whether a request to the status server is allowed: every request must name this server in
 * its {@code Host} header (a page from another name that resolves here, DNS rebinding, is refused);
 * a state-changing request must also carry the token in {@link #TOKEN_HEADER}, come from no other
 * origin ({@code Origin}, and {@code Sec-Fetch-Site} when a browser sends it) and send JSON (so a
 * cross-origin form cannot post it without a CORS preflight, which is never granted).
 */
final class RequestGuard {
  static final String TOKEN_HEADER = "X-Natswarm-Token";

  private final byte[] token;
  private final Set<String> hosts = new HashSet<>();

  RequestGuard(String token, InetSocketAddress bound) {
    this.token = token.getBytes(StandardCharsets.UTF_8);
    int port = bound.getPort();
    InetAddress a = bound.getAddress();
    hosts.add(hostPort(a, port));
    if (a.isLoopbackAddress() || a.isAnyLocalAddress()) {
      hosts.add("localhost:" + port);
      hosts.add("127.0.0.1:" + port);
      hosts.add("[::1]:" + port);
    }
  }

  private static String hostPort(InetAddress a, int port) {
    String h = a.getHostAddress();
    return (h.contains(":") ? "[" + h + "]" : h) + ":" + port;
  }

  /** Why a request with these headers may not be served at all, or empty if it may. */
  Optional<String> refuseRead(Headers headers) {
    String host = headers.getFirst("Host");
    if (host == null || !hosts.contains(host.toLowerCase(Locale.ROOT))) {
      return Optional.of("the Host header does not name this status server");
    }
    return Optional.empty();
  }

  /** Why a state-changing request with these headers is refused, or empty if it is allowed. */
  Optional<String> refuseChange(Headers headers) {
    Optional<String> read = refuseRead(headers);
    if (read.isPresent()) {
      return read;
    }
    String origin = headers.getFirst("Origin");
    if (origin != null && !origin.equalsIgnoreCase("http://" + headers.getFirst("Host"))) {
      return Optional.of("cross-origin request refused (Origin " + origin + ")");
    }
    String site = headers.getFirst("Sec-Fetch-Site");
    if (site != null && !site.equals("same-origin") && !site.equals("none")) {
      return Optional.of("cross-origin request refused (Sec-Fetch-Site " + site + ")");
    }
    String type = headers.getFirst("Content-Type");
    if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
      return Optional.of("the request body must be JSON (Content-Type: application/json)");
    }
    String given = headers.getFirst(TOKEN_HEADER);
    if (given == null || !MessageDigest.isEqual(token, given.getBytes(StandardCharsets.UTF_8))) {
      return Optional.of("missing or wrong token (header " + TOKEN_HEADER + ")");
    }
    return Optional.empty();
  }
}
