package io.natswarm.holepunch.portmap;

import java.net.InetSocketAddress;

/**
 * A PCP response (RFC 6887 section 7.2), with the MAP body (section 11.1) when it answers a MAP.
 *
 * @param opcode 0 ANNOUNCE, 1 MAP
 * @param result the result code (section 7.4); 0 is success
 * @param lifetimeSeconds the lifetime granted (or, on an error, how long the error holds)
 * @param epochSeconds the server's epoch time (section 8.5)
 * @param nonceHigh the first 8 bytes of the mapping nonce (MAP only)
 * @param nonceLow the last 4 bytes of the mapping nonce (MAP only)
 * @param protocol the IANA protocol number (17 UDP, 6 TCP; MAP only)
 * @param internalPort the internal port (MAP only)
 * @param external the assigned external address and port (MAP only, else null)
 */
public record PcpResponse(
    int opcode,
    int result,
    long lifetimeSeconds,
    long epochSeconds,
    long nonceHigh,
    int nonceLow,
    int protocol,
    int internalPort,
    InetSocketAddress external) {}
