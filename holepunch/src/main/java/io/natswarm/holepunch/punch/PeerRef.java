package io.natswarm.holepunch.punch;

/**
 * An opaque handle of one peer connection, chosen by the engine that owns the connections (BEP 55
 * messages travel on the BitTorrent connection to a peer, so every message here is addressed to
 * one). Two connections are two handles even when they come from the same endpoint. Immutable; made
 * by the engine thread that owns the connections.
 *
 * @param id the engine's number for the connection
 */
public record PeerRef(long id) {}
