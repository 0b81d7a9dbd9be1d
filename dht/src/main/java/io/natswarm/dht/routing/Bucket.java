package io.natswarm.dht.routing;

import java.util.ArrayList;
import java.util.List;

/**
 * A k-bucket (BEP 5): up to k live nodes and a replacement cache of up to k more. Owned by the DHT
 * node's thread.
 */
final class Bucket {
  final List<NodeEntry> live;
  final List<NodeEntry> replacements;
  long lastChanged;

  Bucket(int k, long nowNanos) {
    live = new ArrayList<>(k);
    replacements = new ArrayList<>(k);
    lastChanged = nowNanos;
  }

  NodeEntry find(NodeId id) {
    for (int i = 0; i < live.size(); i++) {
      if (live.get(i).id().equals(id)) {
        return live.get(i);
      }
    }
    return null;
  }

  int findReplacement(NodeId id) {
    for (int i = 0; i < replacements.size(); i++) {
      if (replacements.get(i).id().equals(id)) {
        return i;
      }
    }
    return -1;
  }
}
