package io.natswarm.node.status;

import io.natswarm.node.TransferProgress;
import java.util.List;

/**
 * One torrent of a node, as the status server reports it.
 *
 * @param infoHash the BEP 3 info-hash, 40 lower-case hex digits
 * @param name the torrent's name, or empty while a magnet link's metadata is missing
 * @param state "active" (downloading or seeding) or "paused" (no client, no connections; its pieces
 *     stay on disk)
 * @param progress the transfer's latest progress snapshot (a paused one's last, with no peers)
 * @param peers the torrent's open peer connections
 */
public record TorrentView(
    String infoHash, String name, String state, TransferProgress progress, List<PeerView> peers) {

  /** True if the torrent is paused. */
  public boolean paused() {
    return state.equals("paused");
  }
}
