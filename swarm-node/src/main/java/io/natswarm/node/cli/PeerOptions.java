package io.natswarm.node.cli;

import io.natswarm.config.HostPort;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** {@code --peer HOST:PORT}, the peers a command dials directly (a picocli mixin). */
final class PeerOptions {
  @Option(
      names = "--peer",
      paramLabel = "HOST:PORT",
      split = ",",
      description = "Connect to this peer directly (repeatable).")
  List<String> peers = new ArrayList<>();

  /** The peers given, resolved; a malformed one is a usage error that names it. */
  List<InetSocketAddress> resolve(CommandLine commandLine) {
    List<InetSocketAddress> out = new ArrayList<>();
    for (String p : peers) {
      HostPort hp = HostPort.parse(p.strip());
      if (hp == null) {
        throw new ParameterException(
            commandLine, "--peer needs HOST:PORT (IPv6 as [addr]:port), not '" + p + "'");
      }
      out.add(hp.resolve());
    }
    return out;
  }
}
