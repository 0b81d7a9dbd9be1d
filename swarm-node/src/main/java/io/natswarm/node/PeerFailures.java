package io.natswarm.node;

/**
 * What a {@link SwarmNode} has done about misbehaving peers since it started: an immutable snapshot
 * of counters.
 *
 * @param piecesFailedVerification pieces whose SHA-1 did not match the torrent's (BEP 3) once all
 *     their blocks were written; each was fetched again
 * @param peersBanned peer endpoints (address and port) banned for sending pieces that failed
 *     verification; a banned peer is disconnected and never connected to again by this node
 * @param bannedConnectionsRefused connections to or from a banned endpoint that were refused
 * @param protocolErrorDisconnects connections closed because the peer sent bytes that are not a
 *     valid BitTorrent message (an unknown message id, a malformed message, or a length prefix
 *     longer than a message can be)
 */
public record PeerFailures(
    long piecesFailedVerification,
    long peersBanned,
    long bannedConnectionsRefused,
    long protocolErrorDisconnects) {}
