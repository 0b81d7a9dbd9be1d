package io.natswarm.holepunch.reach;

import io.natswarm.holepunch.portmap.PortMapping;
import io.natswarm.holepunch.portmap.Protocol;
import io.natswarm.holepunch.stun.FilteringBehavior;
import io.natswarm.holepunch.stun.MappingBehavior;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns one family's {@link FamilyEvidence} into a {@link FamilyReachability}: whether peers can
 * connect to us, on what evidence, and what the user can do. Proof beats expectation: an inbound
 * connection from the internet or a working dial-back makes the family reachable whatever else is
 * known; a failed dial-back on both transports makes it unreachable; otherwise the verdict follows
 * from the addresses, the gateway's port mappings and the NAT's behaviour (RFC 4787 terms, measured
 * with RFC 5780).
 *
 * <p>A pure function of its input: no I/O, callable from any thread.
 */
public final class ReachabilityAssessor {
  private ReachabilityAssessor() {}

  /** The verdict on {@code e}, for the family and for each transport. */
  public static FamilyReachability assess(FamilyEvidence e) {
    FamilyReachability f = assessFamily(e);
    List<TransportReachability> transports = new ArrayList<>(2);
    for (Transport t : Transport.values()) {
      transports.add(assessTransport(e, f, t));
    }
    return new FamilyReachability(f.family(), f.verdict(), f.summary(), f.advice(), transports);
  }

  /**
   * One transport: its own proof first (a dial-back over it, connections that came in over it, DHT
   * queries from strangers for µTP, which shares the UDP port), then its own refusal (a failed
   * dial-back), then a mapping of its protocol on the gateway; otherwise the family's verdict.
   */
  private static TransportReachability assessTransport(
      FamilyEvidence e, FamilyReachability f, Transport t) {
    if (f.verdict() == Verdict.NOT_SERVED) {
      return new TransportReachability(t, Verdict.NOT_SERVED, "the family is not served");
    }
    Boolean dialBack = e.dialBack().get(t);
    long inbound = t == Transport.TCP ? e.inbound().tcp() : e.inbound().utp();
    if (Boolean.TRUE.equals(dialBack)) {
      return new TransportReachability(t, Verdict.REACHABLE, "a peer connected back when asked");
    }
    if (inbound > 0) {
      return new TransportReachability(
          t, Verdict.REACHABLE, inbound + " connections came in from the internet unasked");
    }
    if (t == Transport.UTP && e.inbound().unsolicitedDht() > 0) {
      return new TransportReachability(
          t, Verdict.REACHABLE, "DHT nodes we never contacted reach the same UDP port");
    }
    if (Boolean.FALSE.equals(dialBack)) {
      return new TransportReachability(
          t, Verdict.NOT_REACHABLE, "a peer could not connect back when asked");
    }
    Protocol protocol = t == Transport.TCP ? Protocol.TCP : Protocol.UDP;
    boolean mapped = false;
    for (PortMapping m : e.mappings()) {
      if (m.protocol() == protocol) {
        mapped = true;
        if (f.verdict() != Verdict.NOT_REACHABLE) {
          return new TransportReachability(
              t,
              Verdict.PROBABLY_REACHABLE,
              "mapped on the gateway (" + m.via() + "); no peer has come in over it yet");
        }
      }
    }
    boolean behindNat = ofKind(e.interfaceAddresses(), AddressKind.GLOBAL).isEmpty();
    if (behindNat && !mapped && f.verdict() != Verdict.NOT_REACHABLE) {
      if (t == Transport.UTP && e.filtering() == FilteringBehavior.ENDPOINT_INDEPENDENT) {
        return new TransportReachability(
            t, Verdict.PROBABLY_REACHABLE, "the NAT lets datagrams from anyone in (full cone)");
      }
      return new TransportReachability(
          t,
          Verdict.NOT_REACHABLE,
          "behind a NAT without a "
              + protocol
              + " mapping: connections nobody asked for stop at the NAT");
    }
    if (f.verdict() == Verdict.REACHABLE) {
      // Proven over the other transport only: the same port number is likely open for this one.
      return new TransportReachability(
          t, Verdict.PROBABLY_REACHABLE, "proven over the other transport, not over this one yet");
    }
    return new TransportReachability(t, f.verdict(), "as the family: " + f.summary());
  }

  private static FamilyReachability assessFamily(FamilyEvidence e) {
    String family = e.family().label();
    int port = e.port();
    List<String> advice = new ArrayList<>();
    if (!e.served()) {
      return new FamilyReachability(
          e.family(),
          Verdict.NOT_SERVED,
          "the node does not listen on " + family + " (bound to " + host(e.listenAddress()) + ")",
          List.of(
              "listen on :: (the default) to take both IPv4 and IPv6 peers: set listen.address"));
    }
    if (e.listenAddress().isLoopbackAddress()) {
      return new FamilyReachability(
          e.family(),
          Verdict.NOT_REACHABLE,
          "the node listens on " + host(e.listenAddress()) + ", which only this machine can reach",
          List.of("set listen.address to :: (the default) to take peers from other machines"));
    }
    List<InetAddress> global = ofKind(e.interfaceAddresses(), AddressKind.GLOBAL);
    List<InetAddress> lan = ofKind(e.interfaceAddresses(), AddressKind.PRIVATE);
    if (e.family() == AddressFamily.IPV6 && global.isEmpty() && e.external() == null) {
      return new FamilyReachability(
          e.family(),
          Verdict.NOT_SERVED,
          "this machine has no global IPv6 address",
          List.of(
              "IPv6 lets peers reach each other without NATs: ask your provider or enable it on"
                  + " your router"));
    }

    InboundEvidence in = e.inbound();
    if (in.any()
        || Boolean.TRUE.equals(e.dialBack().get(Transport.TCP))
        || Boolean.TRUE.equals(e.dialBack().get(Transport.UTP))) {
      return new FamilyReachability(
          e.family(), Verdict.REACHABLE, provenBy(in), missingTransportAdvice(e));
    }

    PortMapping held = e.mappings().isEmpty() ? null : e.mappings().get(0);
    InetAddress external =
        held != null
            ? held.external().getAddress()
            : e.external() != null ? e.external().address() : null;
    AddressKind externalKind = external == null ? null : AddressKind.of(external);
    // The gateway mapped us on an address the world does not see us at: another NAT is in front.
    if (held != null
        && e.external() != null
        && externalKind == AddressKind.GLOBAL
        && AddressKind.of(e.external().address()) == AddressKind.GLOBAL
        && !held.external().getAddress().equals(e.external().address())) {
      advice.add(
          "a port mapping on your own router cannot help behind a second NAT: ask your provider for"
              + " a public "
              + family
              + " address, or use IPv6");
      advice.add("peers that are reachable, and hole punching, still connect you");
      return new FamilyReachability(
          e.family(),
          Verdict.NOT_REACHABLE,
          "behind a second NAT: the gateway mapped port "
              + port
              + " on "
              + host(held.external().getAddress())
              + ", but the world sees us at "
              + host(e.external().address())
              + " ("
              + e.external().source()
              + ")",
          advice);
    }

    // A gateway whose own external address is private or shared: a second NAT sits in front.
    if (externalKind == AddressKind.CARRIER_GRADE_NAT || externalKind == AddressKind.PRIVATE) {
      String what =
          externalKind == AddressKind.CARRIER_GRADE_NAT
              ? "a carrier-grade NAT of your provider (" + host(external) + " is shared space)"
              : "a second NAT (the address outside your router, "
                  + host(external)
                  + ", is private)";
      advice.add(
          "a port mapping on your own router cannot help: ask your provider for a public "
              + family
              + " address, or use IPv6");
      advice.add("peers that are reachable, and hole punching, still connect you");
      return new FamilyReachability(
          e.family(),
          Verdict.NOT_REACHABLE,
          "behind " + what + (held != null ? "; the mapping on your router stops there" : ""),
          advice);
    }

    boolean dialBackFailed =
        Boolean.FALSE.equals(e.dialBack().get(Transport.TCP))
            && Boolean.FALSE.equals(e.dialBack().get(Transport.UTP));
    if (held != null) {
      String summary =
          "port "
              + port
              + " is mapped on the gateway ("
              + held.via()
              + ") as "
              + host(held.external().getAddress())
              + ":"
              + held.external().getPort();
      if (dialBackFailed) {
        advice.add(
            "a peer could not connect through the mapping: a second NAT or a firewall may sit in"
                + " front of the gateway");
        return new FamilyReachability(
            e.family(), Verdict.NOT_REACHABLE, summary + ", but a dial-back failed", advice);
      }
      return new FamilyReachability(
          e.family(), Verdict.PROBABLY_REACHABLE, summary + "; no peer has come in yet", advice);
    }

    // Behind a NAT: the world sees another address than ours, or we have only LAN addresses.
    boolean natted =
        external != null
            ? !e.interfaceAddresses().contains(external) && !e.listenAddress().equals(external)
            : global.isEmpty() && !lan.isEmpty();
    if (!natted && (!global.isEmpty() || e.mapping() == MappingBehavior.NO_NAT)) {
      // the no-NAT case: a public address of our own
      String addr = !global.isEmpty() ? host(global.get(0)) : host(external);
      boolean filtered =
          dialBackFailed
              || e.filtering() == FilteringBehavior.ADDRESS_DEPENDENT
              || e.filtering() == FilteringBehavior.ADDRESS_AND_PORT_DEPENDENT;
      if (filtered) {
        advice.add(firewallAdvice(port));
        return new FamilyReachability(
            e.family(),
            Verdict.NOT_REACHABLE,
            "the machine has a public address, "
                + addr
                + ", but a firewall drops what peers send unasked",
            advice);
      }
      if (e.family() == AddressFamily.IPV6) {
        advice.add(
            "most home routers filter incoming IPv6: if no peer comes in, " + firewallAdvice(port));
      }
      return new FamilyReachability(
          e.family(),
          Verdict.PROBABLY_REACHABLE,
          "the machine has a public address, "
              + addr
              + ", with no NAT in front; no peer has come"
              + " in yet",
          advice);
    }

    if (natted || e.mapping() != MappingBehavior.UNKNOWN) {
      String seen = external == null ? "" : " (peers see it at " + host(external) + ")";
      if (e.filtering() == FilteringBehavior.ENDPOINT_INDEPENDENT && !dialBackFailed) {
        return new FamilyReachability(
            e.family(),
            Verdict.PROBABLY_REACHABLE,
            "behind a full-cone NAT" + seen + ": peers that learn the external address can come in",
            advice);
      }
      String problem = e.mappingProblem() == null ? "" : "; no port mapping: " + e.mappingProblem();
      advice.add(
          "turn on UPnP-IGD, NAT-PMP or PCP on your router, or forward port "
              + port
              + " (UDP and TCP) to "
              + (lan.isEmpty() ? "this machine" : host(lan.get(0)))
              + (external == null
                  ? ""
                  : "; if your router's own WAN address is not "
                      + host(external)
                      + ", a second NAT (your provider's) is in front and forwarding cannot help"));
      if (e.mapping() == MappingBehavior.ADDRESS_DEPENDENT
          || e.mapping() == MappingBehavior.ADDRESS_AND_PORT_DEPENDENT) {
        advice.add(
            "your NAT gives each destination a new port (symmetric): hole punching works only"
                + " with peers behind friendlier NATs; others need a relay");
      } else {
        advice.add("until then, hole punching through peers still connects you to most peers");
      }
      if (!global.isEmpty() || e.family() == AddressFamily.IPV4) {
        advice.add("IPv6, where both ends have it, needs no NAT traversal");
      }
      return new FamilyReachability(
          e.family(), Verdict.NOT_REACHABLE, "behind a NAT" + seen + problem, advice);
    }

    advice.add(
        "not enough evidence yet: no peer or DHT node has told us our address; configure a STUN"
            + " server (nat.stun_server) or wait for peers");
    if (e.mappingProblem() != null) {
      advice.add("no port mapping: " + e.mappingProblem());
    }
    return new FamilyReachability(
        e.family(), Verdict.UNKNOWN, "unknown: nothing has come in, nobody has said", advice);
  }

  private static String provenBy(InboundEvidence in) {
    List<String> parts = new ArrayList<>();
    if (in.tcp() > 0) {
      parts.add(in.tcp() + " TCP");
    }
    if (in.utp() > 0) {
      parts.add(in.utp() + " µTP");
    }
    if (in.unsolicitedDht() > 0) {
      parts.add(in.unsolicitedDht() + " DHT queries from nodes we never contacted");
    }
    String summary =
        parts.isEmpty()
            ? "a peer connected back to us when asked"
            : "peers on the internet connected to us (" + String.join(", ", parts) + ")";
    return summary;
  }

  private static List<String> missingTransportAdvice(FamilyEvidence e) {
    Map<Transport, Boolean> d = e.dialBack();
    List<String> advice = new ArrayList<>();
    for (Transport t : Transport.values()) {
      if (Boolean.FALSE.equals(d.get(t))) {
        advice.add(
            t.label()
                + " did not get through when a peer dialled back: allow port "
                + e.port()
                + "/"
                + (t == Transport.TCP ? "tcp" : "udp"));
      }
    }
    return advice;
  }

  private static String firewallAdvice(int port) {
    return "allow incoming port " + port + "/udp and " + port + "/tcp in the firewall";
  }

  private static List<InetAddress> ofKind(List<InetAddress> addresses, AddressKind kind) {
    List<InetAddress> out = new ArrayList<>();
    for (InetAddress a : addresses) {
      if (AddressKind.of(a) == kind) {
        out.add(a);
      }
    }
    return out;
  }

  private static String host(InetAddress a) {
    return a == null ? "?" : a.getHostAddress();
  }
}
