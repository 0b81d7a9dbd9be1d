package io.natswarm.node.bt;

import bt.metainfo.TorrentId;
import bt.net.InetPeer;
import bt.net.Peer;
import bt.peer.PeerSource;
import bt.peer.PeerSourceFactory;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Peers the application named for a torrent ({@link io.natswarm.node.Transfer#connect}), as one of
 * Bt's peer sources: Bt's peer registry asks it at every peer-discovery interval, so a peer that
 * could not be reached or that disconnected is dialled again later.
 *
 * <p>Every answer is made of fresh {@link InetPeer} objects: Bt keys its unreachable-peer ban by
 * object identity (DESIGN.md, Bt traps), so a peer that was down when first dialled is not banned
 * for 30 minutes; duplicates are harmless because Bt keys connections by address, port and torrent.
 *
 * <p>Thread-safe: written by application threads, read by Bt's peer-collector thread.
 */
final class DirectPeers implements PeerSourceFactory {
  private final Map<TorrentId, Set<InetSocketAddress>> peers = new ConcurrentHashMap<>();

  /** Remembers {@code peer} for {@code torrent}. */
  void add(TorrentId torrent, InetSocketAddress peer) {
    peers.computeIfAbsent(torrent, t -> ConcurrentHashMap.newKeySet()).add(peer);
  }

  /** Forgets every peer of {@code torrent}. */
  void remove(TorrentId torrent) {
    peers.remove(torrent);
  }

  /** Fresh Bt peers for every address remembered for {@code torrent}. */
  Collection<Peer> snapshot(TorrentId torrent) {
    Set<InetSocketAddress> known = peers.get(torrent);
    Collection<Peer> result = new ArrayList<>();
    if (known != null) {
      for (InetSocketAddress a : known) {
        result.add(btPeer(a));
      }
    }
    return result;
  }

  /** A fresh Bt peer for {@code address}. */
  static Peer btPeer(InetSocketAddress address) {
    return InetPeer.build(address.getAddress(), address.getPort());
  }

  @Override
  public PeerSource getPeerSource(TorrentId torrentId) {
    return new PeerSource() {
      private Collection<Peer> latest = new ArrayList<>();

      @Override
      public boolean update() {
        latest = snapshot(torrentId);
        return !latest.isEmpty();
      }

      @Override
      public Collection<Peer> getPeers() {
        // Bt's registry empties this collection through its iterator.
        return latest;
      }
    };
  }
}
