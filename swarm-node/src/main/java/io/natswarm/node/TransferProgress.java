package io.natswarm.node;

/**
 * One snapshot of a {@link Transfer}: immutable, taken on the engine's thread.
 *
 * @param piecesTotal pieces in the torrent (0 while a magnet link's metadata is still missing)
 * @param piecesVerified pieces present and verified against their SHA-1 hash (BEP 3)
 * @param downloadedBytes payload bytes received from peers in this session
 * @param uploadedBytes payload bytes sent to peers in this session
 * @param connectedPeers peer connections open now (Bt's count)
 * @param utpPeers of the open connections, those carried by µTP
 * @param tcpPeers of the open connections, those carried by TCP
 * @param holepunchedPeers of the open connections, those made by a BEP 55 hole punch (either
 *     transport)
 */
public record TransferProgress(
    int piecesTotal,
    int piecesVerified,
    long downloadedBytes,
    long uploadedBytes,
    int connectedPeers,
    int utpPeers,
    int tcpPeers,
    int holepunchedPeers) {

  /** Nothing known yet. */
  public static final TransferProgress NONE = new TransferProgress(0, 0, 0, 0, 0, 0, 0, 0);

  /** A snapshot that does not say which connections were hole-punched. */
  public TransferProgress(
      int piecesTotal,
      int piecesVerified,
      long downloadedBytes,
      long uploadedBytes,
      int connectedPeers,
      int utpPeers,
      int tcpPeers) {
    this(
        piecesTotal,
        piecesVerified,
        downloadedBytes,
        uploadedBytes,
        connectedPeers,
        utpPeers,
        tcpPeers,
        0);
  }

  /** A snapshot that does not say which transports carry the connections. */
  public TransferProgress(
      int piecesTotal,
      int piecesVerified,
      long downloadedBytes,
      long uploadedBytes,
      int connectedPeers) {
    this(piecesTotal, piecesVerified, downloadedBytes, uploadedBytes, connectedPeers, 0, 0, 0);
  }

  /** True when the torrent's metadata is known and every piece is verified. */
  public boolean complete() {
    return piecesTotal > 0 && piecesVerified == piecesTotal;
  }
}
