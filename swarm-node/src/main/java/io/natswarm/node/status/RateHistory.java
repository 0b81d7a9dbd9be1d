package io.natswarm.node.status;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Each torrent's byte counters sampled once a second, for its rates now and the chart of the last
 * minutes on the status page; and each open peer connection's, for its rates now. Thread-safe
 * (synchronized: one sample a second, one read a request).
 */
final class RateHistory {
  /** Samples kept per torrent: five minutes at one a second. */
  static final int KEPT = 300;

  /** One sample: when, and the byte counters then. */
  record Sample(long atMillis, long downloaded, long uploaded) {}

  /** Rates between the last two samples, bytes per second. */
  record Rates(double downloadPerSecond, double uploadPerSecond) {
    static final Rates ZERO = new Rates(0, 0);
  }

  private final Map<String, ArrayDeque<Sample>> samples = new HashMap<>();

  /** Each connection's last two samples, keyed by torrent and {@link PeerView#key()}. */
  private final Map<String, Sample[]> peers = new HashMap<>();

  /** When the previous sample was taken, or -1 before the first. */
  private long lastRecordMillis = -1;

  /**
   * Records {@code views} as seen at {@code nowMillis}; forgets torrents no longer listed. A
   * torrent seen for the first time gets a zero sample at the previous tick (its counters count
   * this session's bytes and it was not listed then), so a transfer that starts and finishes
   * between two ticks still shows its rate.
   */
  synchronized void record(List<TorrentView> views, long nowMillis) {
    Map<String, ArrayDeque<Sample>> seen = new HashMap<>();
    for (TorrentView v : views) {
      ArrayDeque<Sample> q = samples.get(v.infoHash());
      if (q == null) {
        q = new ArrayDeque<>();
        if (lastRecordMillis >= 0 && lastRecordMillis < nowMillis) {
          q.addLast(new Sample(lastRecordMillis, 0, 0));
        }
      }
      q.addLast(
          new Sample(nowMillis, v.progress().downloadedBytes(), v.progress().uploadedBytes()));
      while (q.size() > KEPT) {
        q.removeFirst();
      }
      seen.put(v.infoHash(), q);
    }
    samples.clear();
    samples.putAll(seen);
    Map<String, Sample[]> seenPeers = new HashMap<>();
    for (TorrentView v : views) {
      for (PeerView p : v.peers()) {
        String key = v.infoHash() + "|" + p.key();
        Sample[] two = peers.get(key);
        Sample before;
        if (two != null) {
          before = two[1];
        } else if (lastRecordMillis >= 0 && lastRecordMillis < nowMillis) {
          before = new Sample(lastRecordMillis, 0, 0); // a connection's counters start at 0
        } else {
          before = null;
        }
        seenPeers.put(
            key,
            new Sample[] {before, new Sample(nowMillis, p.downloadedBytes(), p.uploadedBytes())});
      }
    }
    peers.clear();
    peers.putAll(seenPeers);
    lastRecordMillis = nowMillis;
  }

  /** The rates of {@code infoHash} between its last two samples. */
  synchronized Rates rates(String infoHash) {
    ArrayDeque<Sample> q = samples.get(infoHash);
    if (q == null || q.size() < 2) {
      return Rates.ZERO;
    }
    Sample last = q.peekLast();
    var it = q.descendingIterator();
    it.next();
    Sample before = it.next();
    return between(before, last);
  }

  /** The rates of one peer connection of {@code infoHash} between its last two samples. */
  synchronized Rates peerRates(String infoHash, PeerView peer) {
    Sample[] two = peers.get(infoHash + "|" + peer.key());
    if (two == null || two[0] == null) {
      return Rates.ZERO;
    }
    return between(two[0], two[1]);
  }

  private static Rates between(Sample before, Sample last) {
    double seconds = Math.max(1, last.atMillis() - before.atMillis()) / 1000.0;
    return new Rates(
        Math.max(0, last.downloaded() - before.downloaded()) / seconds,
        Math.max(0, last.uploaded() - before.uploaded()) / seconds);
  }

  /** The download rate of each second kept for {@code infoHash}, oldest first (bytes/s). */
  synchronized List<Double> downloadRates(String infoHash) {
    return series(infoHash, true);
  }

  /** The upload rate of each second kept for {@code infoHash}, oldest first (bytes/s). */
  synchronized List<Double> uploadRates(String infoHash) {
    return series(infoHash, false);
  }

  private List<Double> series(String infoHash, boolean down) {
    ArrayDeque<Sample> q = samples.get(infoHash);
    List<Double> out = new ArrayList<>();
    if (q == null) {
      return out;
    }
    Sample prev = null;
    for (Sample s : q) {
      if (prev != null) {
        double seconds = Math.max(1, s.atMillis() - prev.atMillis()) / 1000.0;
        long bytes = down ? s.downloaded() - prev.downloaded() : s.uploaded() - prev.uploaded();
        out.add(Math.max(0, bytes) / seconds);
      }
      prev = s;
    }
    return out;
  }
}
