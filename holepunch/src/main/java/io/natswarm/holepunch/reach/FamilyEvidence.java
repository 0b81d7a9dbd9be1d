package io.natswarm.holepunch.reach;

import io.natswarm.holepunch.portmap.PortMapping;
import io.natswarm.holepunch.stun.FilteringBehavior;
import io.natswarm.holepunch.stun.MappingBehavior;
import java.net.InetAddress;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything the node knows about how peers reach it over one address family, gathered by the node
 * from its sockets, peers, the DHT, STUN and the gateway; {@link ReachabilityAssessor} turns it
 * into a verdict.
 *
 * @param family IPv4 or IPv6
 * @param served whether the node's sockets accept peers of this family at all
 * @param listenAddress the address the sockets are bound to (a wildcard for all interfaces)
 * @param port the node's port (UDP and TCP)
 * @param interfaceAddresses this family's addresses on the host's interfaces that are up
 * @param external how the world sees us, from the most trusted source, or null when nobody said
 * @param mapping the NAT's mapping behaviour (STUN, RFC 5780), {@code UNKNOWN} when not measured
 * @param filtering the NAT's filtering behaviour, {@code UNKNOWN} when not measured
 * @param mappings port mappings the gateway holds for us now (UDP and TCP)
 * @param mappingProblem why no mapping is held (every protocol's answer), or null when none was
 *     tried or one is held
 * @param inbound what came in unasked from the internet
 * @param dialBack dial-back results per transport: true when a peer connected back to us, false
 *     when one tried and failed; absent when not tested
 */
public record FamilyEvidence(
    AddressFamily family,
    boolean served,
    InetAddress listenAddress,
    int port,
    List<InetAddress> interfaceAddresses,
    ExternalAddress external,
    MappingBehavior mapping,
    FilteringBehavior filtering,
    List<PortMapping> mappings,
    String mappingProblem,
    InboundEvidence inbound,
    Map<Transport, Boolean> dialBack) {

  /** Copies the collections and checks the rest. */
  public FamilyEvidence {
    Objects.requireNonNull(family, "family");
    Objects.requireNonNull(listenAddress, "listenAddress");
    interfaceAddresses = List.copyOf(interfaceAddresses);
    mapping = mapping == null ? MappingBehavior.UNKNOWN : mapping;
    filtering = filtering == null ? FilteringBehavior.UNKNOWN : filtering;
    mappings = List.copyOf(mappings);
    inbound = inbound == null ? InboundEvidence.NONE : inbound;
    dialBack = dialBack.isEmpty() ? Map.of() : Map.copyOf(new EnumMap<>(dialBack));
  }

  /** Evidence of a family the node has nothing of yet: served, nothing known. */
  public static FamilyEvidence empty(AddressFamily family, InetAddress listenAddress, int port) {
    return new FamilyEvidence(
        family,
        true,
        listenAddress,
        port,
        List.of(),
        null,
        MappingBehavior.UNKNOWN,
        FilteringBehavior.UNKNOWN,
        List.of(),
        null,
        InboundEvidence.NONE,
        Map.of());
  }
}
