package io.natswarm.holepunch.reach;

import io.natswarm.holepunch.portmap.PortMapping;
import io.natswarm.holepunch.portmap.Protocol;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Gathers the node's candidates (RFC 8445 section 5.1.1): a host candidate per usable interface
 * address and transport, a server-reflexive one per external address whose port is known (STUN, the
 * DHT's {@code ip}; UDP only: nothing tells us a TCP mapping's port), a mapped one per gateway port
 * mapping; redundant ones dropped (section 5.1.3: a reflexive address equal to a host address);
 * ordered by priority.
 *
 * <p>Local preference (section 5.1.2.2 leaves it to the agent): IPv6 above IPv4 (RFC 8421 prefers
 * IPv6 when both work), µTP above TCP (the node's own transport, congestion-friendly), then the
 * interfaces' order.
 */
public final class Candidates {
  private Candidates() {}

  /**
   * The candidates for a node on {@code port}.
   *
   * @param port the node's port number (UDP and TCP)
   * @param hostAddresses the interfaces' addresses the node listens on (loopback and link-local
   *     addresses are skipped unless every address is loopback)
   * @param reflexive external addresses others told us, with the UDP port when known
   * @param mappings port mappings the gateway holds
   */
  public static List<Candidate> gather(
      int port,
      List<InetAddress> hostAddresses,
      List<ExternalAddress> reflexive,
      List<PortMapping> mappings) {
    List<Candidate> out = new ArrayList<>();
    Set<InetSocketAddress> seenUdp = new HashSet<>();
    Set<InetSocketAddress> seenTcp = new HashSet<>();
    boolean onlyLoopback = hostAddresses.stream().allMatch(InetAddress::isLoopbackAddress);
    int order = 0;
    for (InetAddress a : hostAddresses) {
      if ((a.isLoopbackAddress() && !onlyLoopback)
          || a.isLinkLocalAddress()
          || a.isAnyLocalAddress()
          || a.isMulticastAddress()) {
        continue;
      }
      InetSocketAddress sa = new InetSocketAddress(a, port);
      for (Transport t : Transport.values()) {
        if ((t == Transport.UTP ? seenUdp : seenTcp).add(sa)) {
          out.add(candidate(CandidateType.HOST, t, sa, order));
        }
      }
      order++;
    }
    for (PortMapping m : mappings) {
      Transport t = m.protocol() == Protocol.UDP ? Transport.UTP : Transport.TCP;
      if ((t == Transport.UTP ? seenUdp : seenTcp).add(m.external())) {
        out.add(candidate(CandidateType.MAPPED, t, m.external(), order++));
      }
    }
    for (ExternalAddress r : reflexive) {
      if (r.port() == 0) {
        continue;
      }
      InetSocketAddress sa = new InetSocketAddress(r.address(), r.port());
      if (seenUdp.add(sa)) {
        out.add(candidate(CandidateType.SERVER_REFLEXIVE, Transport.UTP, sa, order++));
      }
    }
    out.sort(Comparator.comparingLong(Candidate::priority).reversed());
    return out;
  }

  private static Candidate candidate(
      CandidateType type, Transport t, InetSocketAddress sa, int order) {
    int local =
        (AddressFamily.of(sa.getAddress()) == AddressFamily.IPV6 ? 1 << 15 : 0)
            | (t == Transport.UTP ? 1 << 14 : 0)
            | Math.max(0, (1 << 14) - 1 - order);
    return new Candidate(type, t, sa, Candidate.priorityOf(type, local));
  }
}
