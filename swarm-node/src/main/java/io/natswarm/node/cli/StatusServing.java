package io.natswarm.node.cli;

import io.natswarm.config.NodeConfig;
import io.natswarm.config.StatusSettings;
import io.natswarm.node.SwarmNode;
import io.natswarm.node.status.StatusServer;
import io.natswarm.node.status.StatusServerSettings;
import io.natswarm.node.status.StatusSource;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;

/**
 * Starts a node's status server when {@code status.listen} ({@code --status}) is set. Off by
 * default: two commands on one machine would otherwise fight over one port, and a page nobody asked
 * for is one more thing listening.
 */
final class StatusServing {
  private StatusServing() {}

  /** Serves {@code node}'s status if configured; tells a person where on {@code err}. */
  static void startIfConfigured(SwarmNode node, NodeConfig config, PrintWriter err, String command)
      throws UserError {
    var unused = start(node::serveStatus, config, err, command);
  }

  /** Serves a DHT-only node's status if configured (null if not); the caller closes it. */
  static StatusServer startIfConfigured(
      StatusSource source, NodeConfig config, PrintWriter err, String command) throws UserError {
    return start(settings -> StatusServer.start(source, settings), config, err, command);
  }

  private interface Starter {
    StatusServer start(StatusServerSettings settings) throws IOException;
  }

  private static StatusServer start(
      Starter starter, NodeConfig config, PrintWriter err, String command) throws UserError {
    StatusSettings s = config.status();
    if (!s.enabled()) {
      return null;
    }
    InetSocketAddress bind = s.listen().resolve();
    if (bind.isUnresolved()) {
      throw UserError.badInput("status.listen: cannot resolve " + s.listen());
    }
    try {
      StatusServer server =
          starter.start(new StatusServerSettings(bind, s.token(), config.storage().downloadDir()));
      InetSocketAddress a = server.address();
      err.println(
          command
              + ": status page on http://"
              + Units.address(a)
              + "/ (JSON at /api/status, metrics at /metrics)");
      err.flush();
      return server;
    } catch (IllegalArgumentException e) {
      throw UserError.badInput(e.getMessage());
    } catch (IOException e) {
      throw UserError.failed(
          "the status server could not start on " + s.listen() + ": " + e.getMessage());
    }
  }
}
