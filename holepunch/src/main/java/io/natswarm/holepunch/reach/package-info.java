/**
 * Where the node stands: the evidence of how peers can reach it (its interfaces' addresses, what
 * peers and STUN say its external address is, the NAT's behaviour, the gateway's port mappings,
 * inbound connections and dial-back tests), the verdict per address family with what the user can
 * do about it, and the node's connection candidates with ICE priorities (RFC 8445 section 5.1.2).
 * Pure values and functions: no I/O, no clock.
 */
package io.natswarm.holepunch.reach;
