package io.natswarm.node.reach;

import io.natswarm.holepunch.portmap.PortMapping;
import io.natswarm.holepunch.reach.AddressFamily;
import io.natswarm.holepunch.reach.Candidate;
import io.natswarm.holepunch.reach.ExternalAddress;
import io.natswarm.holepunch.reach.FamilyReachability;
import io.natswarm.holepunch.reach.Transport;
import io.natswarm.holepunch.stun.FilteringBehavior;
import io.natswarm.holepunch.stun.MappingBehavior;
import java.util.List;
import java.util.Map;

/**
 * Where the node stands now, one snapshot.
 *
 * @param families the verdict for IPv4, then IPv6
 * @param candidates the node's candidates, highest priority first
 * @param externalAddresses what each source says our external address is
 * @param mapping the NAT's mapping behaviour, {@code UNKNOWN} when not measured
 * @param filtering the NAT's filtering behaviour, {@code UNKNOWN} when not measured
 * @param stunStatus what STUN found or why it found nothing, for a person
 * @param mappings port mappings the gateway holds for us
 * @param mappingStatus what port mapping did: held, failed with each protocol's answer, or off
 * @param gatewayRestarts how often the gateway's PCP or NAT-PMP epoch showed it had restarted and
 *     lost the node's mappings, each time followed by asking for them again
 * @param inboundTcp TCP peer connections that came in from global addresses
 * @param inboundUtp µTP peer connections that came in from global addresses
 * @param unsolicitedDht DHT queries from nodes we had not contacted
 * @param dialBacks the latest dial-back results per family and transport (true: a peer reached us
 *     from a fresh port)
 */
public record ReachabilityReport(
    List<FamilyReachability> families,
    List<Candidate> candidates,
    List<ExternalAddress> externalAddresses,
    MappingBehavior mapping,
    FilteringBehavior filtering,
    String stunStatus,
    List<PortMapping> mappings,
    String mappingStatus,
    long gatewayRestarts,
    long inboundTcp,
    long inboundUtp,
    long unsolicitedDht,
    Map<AddressFamily, Map<Transport, Boolean>> dialBacks) {
  /** Copies the lists. */
  public ReachabilityReport {
    families = List.copyOf(families);
    candidates = List.copyOf(candidates);
    externalAddresses = List.copyOf(externalAddresses);
    mappings = List.copyOf(mappings);
    dialBacks = Map.copyOf(dialBacks);
  }
}
