package io.natswarm.node.status;

/**
 * One open peer connection of a torrent, as the status page shows it (issue 10, "Status, metrics
 * and a web page").
 *
 * @param address the peer's IP address
 * @param port the peer's port
 * @param transport "utp", "tcp" or "relay" (carried by a relay peer)
 * @param family "ipv4" or "ipv6"
 * @param path how the connection was made: "direct" (dialled or accepted without NAT help),
 *     "holepunch" (after a BEP 55 rendezvous), "turn" (through a TURN server) or "relay" (through a
 *     relay peer, end-to-end encrypted)
 * @param outgoing true if this node dialled the peer
 * @param client the peer's software as it names itself (BEP 10 {@code v}, else the start of its
 *     peer id), empty before its handshake
 * @param downloadedBytes block bytes received from the peer on this connection
 * @param uploadedBytes block bytes sent to the peer on this connection
 * @param utp the µTP connection's retransmits and delays, or null for TCP (or a µTP connection that
 *     just closed)
 */
public record PeerView(
    String address,
    int port,
    String transport,
    String family,
    String path,
    boolean outgoing,
    String client,
    long downloadedBytes,
    long uploadedBytes,
    UtpPathView utp) {

  /** What tells this connection apart from the torrent's others (for its rates). */
  String key() {
    return address + "|" + port + "|" + (outgoing ? "out" : "in");
  }
}
