package io.natswarm.node.status;

import io.natswarm.node.PeerFailures;
import io.natswarm.node.Transfer;
import io.natswarm.node.bt.BtEngine;
import io.natswarm.node.bt.HolepunchService;
import io.natswarm.node.bt.Ipv6Upgrade;
import io.natswarm.node.dht.DhtService;
import io.natswarm.node.reach.ReachabilityReport;
import io.natswarm.pex.PexCounters;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What a {@link StatusServer} reads and changes: a BitTorrent node, or a DHT-only node. */
public interface StatusSource {
  InetSocketAddress listenAddress();

  List<TorrentView> torrentViews();

  /** The DHT, or null when the node runs none. */
  DhtService dht();

  PexCounters.Snapshot pexCounters();

  PeerFailures peerFailures();

  /**
   * Adds a magnet link, downloaded into {@code directory}.
   *
   * @throws IllegalArgumentException if the link is not valid
   * @throws IOException if the node cannot take it (already there, no BitTorrent engine)
   */
  Transfer download(String magnet, Path directory) throws IOException;

  /**
   * Adds the torrent of a {@code .torrent} file's bytes, downloaded into {@code directory}.
   *
   * @throws IllegalArgumentException if it is not a valid torrent
   * @throws IOException if the node cannot take it (already there, no BitTorrent engine)
   */
  Transfer download(byte[] metainfo, Path directory) throws IOException;

  Optional<Transfer> transfer(String infoHash);

  /**
   * Pauses a torrent (its pieces stay on disk, its entry stays). Idempotent.
   *
   * @return the torrent, or empty if the node has none of that info-hash
   */
  Optional<Transfer> pause(String infoHash);

  /**
   * Resumes a paused torrent into the same directory. Idempotent.
   *
   * @return the torrent, or empty if the node has none of that info-hash
   * @throws IOException if the engine could not start it again
   */
  Optional<Transfer> resume(String infoHash) throws IOException;

  /** Votes per address that peers said they see this node at (BEP 10 {@code yourip}). */
  Map<InetAddress, Integer> externalAddressVotes();

  /** The IPv6 upgrade's counters, or null when the node makes no peer connections. */
  Ipv6Upgrade.Counters ipv6Upgrades();

  /** The hole punch's counters (BEP 55), or null when the node makes no peer connections. */
  default HolepunchService.Counters holepunch() {
    return null;
  }

  /** The connection ladder's last decisions, oldest first (empty without peer connections). */
  default List<io.natswarm.holepunch.ladder.LadderEvent> ladderEvents() {
    return List.of();
  }

  /**
   * The ladder's counters by name: retries of the direct path while relayed, and relayed
   * connections that a direct or punched one took over (empty without peer connections).
   */
  default java.util.Map<String, Long> ladderCounters() {
    return java.util.Map.of();
  }

  /** The relay's counters (ns_relay), or null when the node makes no peer connections. */
  default io.natswarm.node.bt.RelayService.Counters relay() {
    return null;
  }

  /** The TURN rung's counters (ns_turn), or null when the node makes no peer connections. */
  default io.natswarm.node.bt.TurnService.Counters turn() {
    return null;
  }

  /** Punch probes sent and received by the node's socket, or null when unknown. */
  default long[] punchProbes() {
    return null;
  }

  /** Where the node stands, or null when it judges nothing (a DHT-only node). */
  ReachabilityReport reachability();

  /** A BitTorrent node. */
  static StatusSource of(BtEngine engine) {
    return new StatusSource() {
      @Override
      public InetSocketAddress listenAddress() {
        return engine.listenAddress();
      }

      @Override
      public List<TorrentView> torrentViews() {
        return engine.torrentViews();
      }

      @Override
      public DhtService dht() {
        return engine.dht();
      }

      @Override
      public PexCounters.Snapshot pexCounters() {
        return engine.pexCounters();
      }

      @Override
      public PeerFailures peerFailures() {
        return engine.peerFailures();
      }

      @Override
      public Transfer download(String magnet, Path directory) throws IOException {
        return engine.download(magnet, directory);
      }

      @Override
      public Transfer download(byte[] metainfo, Path directory) throws IOException {
        return engine.download(metainfo, directory);
      }

      @Override
      public Optional<Transfer> transfer(String infoHash) {
        return engine.transfer(infoHash);
      }

      @Override
      public Optional<Transfer> pause(String infoHash) {
        return engine.pause(infoHash);
      }

      @Override
      public Optional<Transfer> resume(String infoHash) throws IOException {
        return engine.resume(infoHash);
      }

      @Override
      public Map<InetAddress, Integer> externalAddressVotes() {
        return engine.externalAddressVotes();
      }

      @Override
      public Ipv6Upgrade.Counters ipv6Upgrades() {
        return engine.ipv6Upgrades();
      }

      @Override
      public HolepunchService.Counters holepunch() {
        return engine.holepunch();
      }

      @Override
      public long[] punchProbes() {
        return engine.punchProbes();
      }

      @Override
      public io.natswarm.node.bt.RelayService.Counters relay() {
        return engine.relay();
      }

      @Override
      public io.natswarm.node.bt.TurnService.Counters turn() {
        return engine.turn();
      }

      @Override
      public List<io.natswarm.holepunch.ladder.LadderEvent> ladderEvents() {
        return engine.ladderEvents();
      }

      @Override
      public java.util.Map<String, Long> ladderCounters() {
        return engine.ladderCounters();
      }

      @Override
      public ReachabilityReport reachability() {
        return engine.reachability().report();
      }
    };
  }

  /** A DHT-only node ({@code natswarm dht}): no torrents, no peers; adding one is refused. */
  static StatusSource dhtOnly(DhtService dht, InetSocketAddress listen) {
    PexCounters.Snapshot noPex = new PexCounters().snapshot();
    PeerFailures none = new PeerFailures(0, 0, 0, 0);
    return new StatusSource() {
      @Override
      public InetSocketAddress listenAddress() {
        return listen;
      }

      @Override
      public List<TorrentView> torrentViews() {
        return List.of();
      }

      @Override
      public DhtService dht() {
        return dht;
      }

      @Override
      public PexCounters.Snapshot pexCounters() {
        return noPex;
      }

      @Override
      public PeerFailures peerFailures() {
        return none;
      }

      @Override
      public Transfer download(String magnet, Path directory) throws IOException {
        throw new IOException("this node runs the DHT only (natswarm dht): it downloads nothing");
      }

      @Override
      public Transfer download(byte[] metainfo, Path directory) throws IOException {
        return download("", directory);
      }

      @Override
      public Optional<Transfer> transfer(String infoHash) {
        return Optional.empty();
      }

      @Override
      public Optional<Transfer> pause(String infoHash) {
        return Optional.empty();
      }

      @Override
      public Optional<Transfer> resume(String infoHash) {
        return Optional.empty();
      }

      @Override
      public Map<InetAddress, Integer> externalAddressVotes() {
        return Map.of(); // the DHT's own votes come with the reachability issues
      }

      @Override
      public Ipv6Upgrade.Counters ipv6Upgrades() {
        return null;
      }

      @Override
      public ReachabilityReport reachability() {
        return null;
      }
    };
  }
}
