/**
 * NAT traversal (issues 11 and 12): binding discovery (STUN, RFC 8489 and RFC 5780) so far; port
 * mapping, reachability verdicts, BEP 55 hole punching, relays and the connection ladder to come.
 * Every protocol here is a sans-IO core on the datagram contract ({@link
 * io.natswarm.datagram.DatagramCore}), registered with the node's one UDP socket by the composition
 * root and owned by that socket's thread.
 */
package io.natswarm.holepunch;
