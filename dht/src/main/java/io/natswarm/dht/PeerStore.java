package io.natswarm.dht;

import io.natswarm.dht.routing.NodeId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Peers announced to us (BEP 5 announce_peer) by info-hash, in compact form (6 or 18 bytes), each
 * with an expiry. Bounded: at most {@code maxTorrents} info-hashes and {@code maxPeers} peers per
 * info-hash (a re-announce refreshes, a new peer over the cap replaces the oldest). Owned by the
 * DHT node's thread.
 */
final class PeerStore {
  private static final class Peer {
    final byte[] compact;
    long expires;

    Peer(byte[] compact, long expires) {
      this.compact = compact;
      this.expires = expires;
    }
  }

  private final Map<NodeId, List<Peer>> torrents = new HashMap<>();
  private final int maxTorrents;
  private final int maxPeers;
  private final long ttl;
  private int rotate;

  PeerStore(int maxTorrents, int maxPeers, long ttl) {
    this.maxTorrents = maxTorrents;
    this.maxPeers = maxPeers;
    this.ttl = ttl;
  }

  /** Stores a peer; false if the store is full of other torrents. */
  boolean announce(NodeId infoHash, byte[] b, int off, int len, long now) {
    List<Peer> peers = torrents.get(infoHash);
    if (peers == null) {
      if (torrents.size() >= maxTorrents) {
        return false;
      }
      peers = new ArrayList<>(4);
      torrents.put(infoHash, peers);
    }
    for (Peer p : peers) {
      if (Arrays.equals(p.compact, 0, p.compact.length, b, off, off + len)) {
        p.expires = now + ttl;
        return true;
      }
    }
    if (peers.size() >= maxPeers) {
      int oldest = 0;
      for (int i = 1; i < peers.size(); i++) {
        if (peers.get(i).expires < peers.get(oldest).expires) {
          oldest = i;
        }
      }
      peers.remove(oldest);
    }
    peers.add(new Peer(Arrays.copyOfRange(b, off, off + len), now + ttl));
    return true;
  }

  /** Number of live peers for {@code infoHash} whose compact length is {@code len}. */
  int count(NodeId infoHash, int len, long now) {
    List<Peer> peers = torrents.get(infoHash);
    int n = 0;
    if (peers != null) {
      for (Peer p : peers) {
        if (p.expires > now && p.compact.length == len) {
          n++;
        }
      }
    }
    return n;
  }

  /**
   * Calls {@code sink} with up to {@code max} live peers of length {@code len}, starting at a
   * rotating offset so that large swarms are served fairly.
   */
  void forEach(
      NodeId infoHash, int len, int max, long now, java.util.function.Consumer<byte[]> sink) {
    List<Peer> peers = torrents.get(infoHash);
    if (peers == null || max <= 0) {
      return;
    }
    int n = peers.size();
    int start = n == 0 ? 0 : Math.floorMod(rotate++, n);
    int given = 0;
    for (int i = 0; i < n && given < max; i++) {
      Peer p = peers.get((start + i) % n);
      if (p.expires > now && p.compact.length == len) {
        sink.accept(p.compact);
        given++;
      }
    }
  }

  /** Drops expired peers and empty torrents. */
  void expire(long now) {
    for (Iterator<List<Peer>> it = torrents.values().iterator(); it.hasNext(); ) {
      List<Peer> peers = it.next();
      peers.removeIf(p -> p.expires <= now);
      if (peers.isEmpty()) {
        it.remove();
      }
    }
  }

  int torrentCount() {
    return torrents.size();
  }

  /** Up to {@code max} random info-hashes we hold peers for (BEP 51). */
  List<NodeId> sample(int max, Random random) {
    List<NodeId> all = new ArrayList<>(torrents.keySet());
    if (all.size() <= max) {
      return all;
    }
    java.util.Collections.shuffle(all, random);
    return all.subList(0, max);
  }
}
