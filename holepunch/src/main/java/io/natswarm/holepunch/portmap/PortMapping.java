package io.natswarm.holepunch.portmap;

import java.net.InetSocketAddress;

/**
 * A port mapping a gateway granted: immutable; a renewal or a new epoch yields a new value.
 *
 * @param protocol UDP or TCP
 * @param internalPort this host's port
 * @param external the gateway's external address and the mapped port
 * @param goodUntilNanos when the gateway forgets the mapping unless renewed (host clock)
 * @param renewAfterNanos when to renew it: half its lifetime for NAT-PMP (RFC 6886 section 3.3) and
 *     UPnP, a random point between 1/2 and 5/8 of it for PCP (RFC 6887 section 11.2.1)
 * @param via how it was obtained: "PCP", "NAT-PMP" or "UPnP-IGD"
 */
public record PortMapping(
    Protocol protocol,
    int internalPort,
    InetSocketAddress external,
    long goodUntilNanos,
    long renewAfterNanos,
    String via) {}
