package io.natswarm.node.reach;

import io.natswarm.dht.DhtPort;
import io.natswarm.holepunch.portmap.PortMapping;
import io.natswarm.holepunch.reach.AddressFamily;
import io.natswarm.holepunch.reach.AddressKind;
import io.natswarm.holepunch.reach.Candidates;
import io.natswarm.holepunch.reach.ExternalAddress;
import io.natswarm.holepunch.reach.FamilyEvidence;
import io.natswarm.holepunch.reach.FamilyReachability;
import io.natswarm.holepunch.reach.InboundEvidence;
import io.natswarm.holepunch.reach.ReachabilityAssessor;
import io.natswarm.holepunch.reach.Transport;
import io.natswarm.holepunch.stun.FilteringBehavior;
import io.natswarm.holepunch.stun.MappingBehavior;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Gathers what the node learns about how peers can reach it, as it happens, and answers with a
 * {@link ReachabilityReport} on demand: inbound peer connections from global addresses (per family
 * and transport, from the node's acceptor), the DHT's external-address votes (BEP 42 {@code ip}, as
 * the node's {@link DhtPort}) and its unsolicited queries, peers' BEP 10 {@code yourip} votes, a
 * STUN measurement and the gateway's port mappings when the node makes them. The verdict itself is
 * holepunch's {@link ReachabilityAssessor}.
 *
 * <p>Thread-safe: events come from the UDP event loop, Bt's threads and the port mapper; reports
 * are read by the status server and the CLI.
 */
public final class ReachabilityMonitor implements DhtPort {
  private static final String MAPPING_SOURCE = ", the gateway's mapping";

  private final InetSocketAddress listen;
  private final Supplier<List<InetAddress>> interfaces;
  private final Supplier<Map<InetAddress, Integer>> yourIpVotes;
  private final LongSupplier unsolicitedDhtQueries;

  /** Inbound connections from global addresses, of one family. */
  private static final class Inbound {
    long tcp;
    long utp;
  }

  private final Map<AddressFamily, Inbound> inbound = new EnumMap<>(AddressFamily.class);
  private final Map<AddressFamily, ExternalAddress> dhtVotes = new EnumMap<>(AddressFamily.class);
  private final Map<AddressFamily, Map<Transport, Boolean>> dialBacks =
      new EnumMap<>(AddressFamily.class);
  private ExternalAddress stun;
  private String stunProblem;
  private MappingBehavior mapping = MappingBehavior.UNKNOWN;
  private FilteringBehavior filtering = FilteringBehavior.UNKNOWN;
  private List<PortMapping> mappings = List.of();
  private String mappingStatus = "off";
  private String mappingProblem;
  private long gatewayRestarts;

  /**
   * A monitor for a node listening on {@code listen}.
   *
   * @param interfaces the host's interface addresses now (see {@link #interfaceAddresses()})
   * @param yourIpVotes peers' BEP 10 {@code yourip} votes now
   * @param unsolicitedDhtQueries the DHT's count of unsolicited queries now (0 without a DHT)
   */
  public ReachabilityMonitor(
      InetSocketAddress listen,
      Supplier<List<InetAddress>> interfaces,
      Supplier<Map<InetAddress, Integer>> yourIpVotes,
      LongSupplier unsolicitedDhtQueries) {
    this.listen = Objects.requireNonNull(listen);
    this.interfaces = Objects.requireNonNull(interfaces);
    this.yourIpVotes = Objects.requireNonNull(yourIpVotes);
    this.unsolicitedDhtQueries = Objects.requireNonNull(unsolicitedDhtQueries);
    for (AddressFamily f : AddressFamily.values()) {
      inbound.put(f, new Inbound());
    }
  }

  /** The addresses of the host's interfaces that are up, loopback included. */
  public static List<InetAddress> interfaceAddresses() {
    List<InetAddress> out = new ArrayList<>();
    try {
      for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (nif.isUp()) {
          out.addAll(Collections.list(nif.getInetAddresses()));
        }
      }
    } catch (SocketException e) {
      // no interfaces to report: the verdict says what it can without them
    }
    return out;
  }

  /** A peer connected to us over {@code transport} from {@code remote}. */
  public void inbound(Transport transport, InetSocketAddress remote) {
    InetAddress a = remote.getAddress();
    if (a == null || AddressKind.of(a) != AddressKind.GLOBAL) {
      return; // a LAN or loopback peer says nothing about the NAT
    }
    synchronized (this) {
      Inbound in = inbound.get(AddressFamily.of(a));
      if (transport == Transport.TCP) {
        in.tcp++;
      } else {
        in.utp++;
      }
    }
  }

  /** The DHT's votes settled on {@code address}:{@code port} (on the UDP event loop). */
  @Override
  public synchronized void externalAddressVoted(InetAddress address, int port, int votes) {
    dhtVotes.put(
        AddressFamily.of(address),
        new ExternalAddress(address, port, votes + " DHT nodes' BEP 42 ip"));
  }

  /** A STUN measurement from the node's port against {@code server}. */
  public synchronized void stunMeasured(
      InetSocketAddress server,
      InetSocketAddress mapped,
      MappingBehavior mapping,
      FilteringBehavior filtering) {
    this.stun =
        mapped == null
            ? null
            : new ExternalAddress(mapped.getAddress(), mapped.getPort(), "STUN " + server);
    this.mapping = mapping;
    this.filtering = filtering;
    this.stunProblem = null;
  }

  /**
   * A dial-back test over {@code transport} and {@code family}: whether a peer reached us from a
   * fresh port of its own. The latest result per family and transport counts.
   */
  public synchronized void dialBack(AddressFamily family, Transport transport, boolean reached) {
    dialBacks.computeIfAbsent(family, f -> new EnumMap<>(Transport.class)).put(transport, reached);
  }

  /** A STUN measurement against {@code server} failed ({@code why}: no answer, an error). */
  public synchronized void stunFailed(InetSocketAddress server, String why) {
    this.stunProblem = "STUN " + server + ": " + why;
  }

  /**
   * What port mapping holds now.
   *
   * @param held the mappings the gateway holds (empty when none)
   * @param status one line for a person: which protocol holds them, or what each one answered
   * @param problem why none is held, or null when one is or none was tried
   */
  public synchronized void portMappings(List<PortMapping> held, String status, String problem) {
    this.mappings = List.copyOf(held);
    this.mappingStatus = Objects.requireNonNull(status);
    this.mappingProblem = problem;
  }

  /**
   * How often the gateway's epoch has shown it restarted (RFC 6887 section 8.5, RFC 6886 section
   * 3.6), so far.
   */
  public synchronized void gatewayRestarts(long restarts) {
    this.gatewayRestarts = restarts;
  }

  /** Where the node stands now. */
  public ReachabilityReport report() {
    List<InetAddress> ifs = interfaces.get();
    Map<InetAddress, Integer> yourIp = yourIpVotes.get();
    long unsolicited = unsolicitedDhtQueries.getAsLong();
    synchronized (this) {
      List<ExternalAddress> externals = externalAddresses(yourIp);
      List<FamilyReachability> families = new ArrayList<>();
      for (AddressFamily f : AddressFamily.values()) {
        families.add(ReachabilityAssessor.assess(evidence(f, ifs, externals, unsolicited)));
      }
      List<InetAddress> hosts = new ArrayList<>();
      for (InetAddress a : ifs) {
        if (serves(AddressFamily.of(a))
            && (listen.getAddress().isAnyLocalAddress() || a.equals(listen.getAddress()))) {
          hosts.add(a);
        }
      }
      if (hosts.isEmpty() && !listen.getAddress().isAnyLocalAddress()) {
        hosts.add(listen.getAddress());
      }
      return new ReachabilityReport(
          families,
          Candidates.gather(listen.getPort(), hosts, externals, mappings),
          externals,
          mapping,
          filtering,
          stunStatus(),
          mappings,
          mappingStatus,
          gatewayRestarts,
          inbound.values().stream().mapToLong(i -> i.tcp).sum(),
          inbound.values().stream().mapToLong(i -> i.utp).sum(),
          unsolicited,
          copyOfDialBacks());
    }
  }

  private Map<AddressFamily, Map<Transport, Boolean>> copyOfDialBacks() {
    Map<AddressFamily, Map<Transport, Boolean>> out = new EnumMap<>(AddressFamily.class);
    dialBacks.forEach((f, m) -> out.put(f, Map.copyOf(m)));
    return out;
  }

  private String stunStatus() {
    if (stun != null) {
      return "external "
          + stun.address().getHostAddress()
          + ":"
          + stun.port()
          + " ("
          + stun.source()
          + ")";
    }
    return stunProblem != null ? stunProblem : "no STUN server configured (nat.stun_server)";
  }

  private List<ExternalAddress> externalAddresses(Map<InetAddress, Integer> yourIp) {
    List<ExternalAddress> out = new ArrayList<>();
    for (PortMapping m : mappings) {
      out.add(
          new ExternalAddress(
              m.external().getAddress(),
              m.external().getPort(),
              m.via() + " " + m.protocol() + MAPPING_SOURCE));
    }
    if (stun != null) {
      out.add(stun);
    }
    for (AddressFamily f : AddressFamily.values()) {
      ExternalAddress d = dhtVotes.get(f);
      if (d != null) {
        out.add(d);
      }
      InetAddress best = null;
      int bestVotes = 0;
      for (Map.Entry<InetAddress, Integer> e : yourIp.entrySet()) {
        if (AddressFamily.of(e.getKey()) == f && e.getValue() > bestVotes) {
          best = e.getKey();
          bestVotes = e.getValue();
        }
      }
      if (best != null) {
        out.add(
            new ExternalAddress(
                best, 0, bestVotes + (bestVotes == 1 ? " peer's" : " peers'") + " BEP 10 yourip"));
      }
    }
    return out;
  }

  private boolean serves(AddressFamily f) {
    InetAddress a = listen.getAddress();
    if (a.isAnyLocalAddress()) {
      return a instanceof Inet6Address || f == AddressFamily.IPV4; // :: serves both
    }
    return AddressFamily.of(a) == f;
  }

  private FamilyEvidence evidence(
      AddressFamily f, List<InetAddress> ifs, List<ExternalAddress> externals, long unsolicited) {
    List<InetAddress> addresses = new ArrayList<>();
    for (InetAddress a : ifs) {
      if (AddressFamily.of(a) == f && !a.isLoopbackAddress()) {
        addresses.add(a);
      }
    }
    // How the world sees us, from outside the gateway (not the gateway's own word in a mapping,
    // so that a mapping on a gateway that is itself behind a NAT shows).
    ExternalAddress external = null;
    for (ExternalAddress e : externals) {
      if (AddressFamily.of(e.address()) == f && !e.source().endsWith(MAPPING_SOURCE)) {
        external = e;
        break; // the list is in order of trust
      }
    }
    List<PortMapping> held = new ArrayList<>();
    for (PortMapping m : mappings) {
      if (AddressFamily.of(m.external().getAddress()) == f) {
        held.add(m);
      }
    }
    boolean stunIsThisFamily = stun != null && AddressFamily.of(stun.address()) == f;
    Inbound in = inbound.get(f);
    // The DHT node serves the listen address's family (IPv4 on a wildcard).
    boolean dhtFamily =
        f
            == (listen.getAddress() instanceof Inet4Address
                    || listen.getAddress().isAnyLocalAddress()
                ? AddressFamily.IPV4
                : AddressFamily.IPV6);
    return new FamilyEvidence(
        f,
        serves(f),
        listen.getAddress(),
        listen.getPort(),
        addresses,
        external,
        stunIsThisFamily ? mapping : MappingBehavior.UNKNOWN,
        stunIsThisFamily ? filtering : FilteringBehavior.UNKNOWN,
        held,
        held.isEmpty() && f == AddressFamily.IPV4 ? mappingProblem : null,
        new InboundEvidence(in.tcp, in.utp, dhtFamily ? unsolicited : 0),
        dialBacks.getOrDefault(f, Map.of()));
  }
}
