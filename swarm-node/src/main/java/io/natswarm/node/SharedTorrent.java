package io.natswarm.node;

/**
 * A torrent the node made with {@link SwarmNode#share} and now seeds: its metainfo, its magnet link
 * and the seeding {@link Transfer}. Immutable.
 */
public final class SharedTorrent {
  private final byte[] metainfo;
  private final String magnetUri;
  private final Transfer transfer;

  /**
   * What {@link SwarmNode#share} returns; the node makes it (the metainfo is copied).
   *
   * @param metainfo the v1 {@code .torrent} file's bytes
   * @param magnetUri the torrent's magnet link
   * @param transfer the transfer that seeds it
   */
  public SharedTorrent(byte[] metainfo, String magnetUri, Transfer transfer) {
    this.metainfo = metainfo.clone();
    this.magnetUri = magnetUri;
    this.transfer = transfer;
  }

  /** The BEP 3 metainfo: a v1 {@code .torrent} file's bytes (a copy). */
  public byte[] metainfo() {
    return metainfo.clone();
  }

  /** The BEP 9 magnet link ({@code xt=urn:btih:}, {@code dn=}). */
  public String magnetUri() {
    return magnetUri;
  }

  /** The seeding transfer. */
  public Transfer transfer() {
    return transfer;
  }

  /** The torrent's info-hash as 40 lower-case hex digits. */
  public String infoHash() {
    return transfer.infoHash();
  }
}
