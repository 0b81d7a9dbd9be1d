package io.natswarm.pex;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * What we tell one connected peer through ut_pex (BEP 11), sans-IO: given the peers we are
 * connected to now, it hands out the diff against what this peer has already been told, under the
 * rate rules: the first message as soon as there is something to say, then at most one per {@link
 * #INTERVAL_NANOS} (libtorrent disconnects a peer whose seventh message arrives within 60 s), at
 * most {@link #MAX_ADDED} added and {@link #MAX_DROPPED} dropped entries per message (the rest wait
 * for the next one), never the recipient itself, never an empty message. Reachable peers (flag
 * 0x10) go first: they are the ones most worth dialling.
 *
 * <p>Owned by the thread that owns the connection; {@link #nextDeadlineNanos(long)} says when to
 * poll again. Reads no clock.
 */
public final class PexSender {
  /** The shortest time between two of our messages to one peer. */
  public static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(60);

  /** The most added entries in one message. */
  public static final int MAX_ADDED = 50;

  /** The most dropped entries in one message. */
  public static final int MAX_DROPPED = 50;

  private final InetSocketAddress recipient;
  private final PexCounters counters;
  private final Map<InetSocketAddress, PexPeer> told = new LinkedHashMap<>();
  private long nextAllowedNanos;
  private boolean sentAny;

  /**
   * @param recipient the endpoint of the peer this sender writes to (left out of every message)
   * @param counters where messages sent are counted
   */
  public PexSender(InetSocketAddress recipient, PexCounters counters) {
    this.recipient = Objects.requireNonNull(recipient, "recipient");
    this.counters = Objects.requireNonNull(counters, "counters");
  }

  /**
   * The message to send now, or null when there is nothing new or the interval has not passed.
   *
   * @param connected the peers we are connected to now, with the flags we would give them
   * @param nowNanos the caller's clock
   */
  public PexMessage poll(Collection<PexPeer> connected, long nowNanos) {
    if (sentAny && nowNanos - nextAllowedNanos < 0) {
      return null;
    }
    List<PexPeer> reachable = new ArrayList<>();
    List<PexPeer> others = new ArrayList<>();
    Set<InetSocketAddress> now = new HashSet<>();
    for (PexPeer peer : connected) {
      if (peer.endpoint().equals(recipient) || !now.add(peer.endpoint())) {
        continue;
      }
      if (!told.containsKey(peer.endpoint())) {
        (PexFlags.has(peer.flags(), PexFlags.REACHABLE) ? reachable : others).add(peer);
      }
    }
    List<PexPeer> added = new ArrayList<>(Math.min(MAX_ADDED, reachable.size() + others.size()));
    for (List<PexPeer> group : List.of(reachable, others)) {
      for (PexPeer peer : group) {
        if (added.size() < MAX_ADDED) {
          added.add(peer);
        }
      }
    }
    List<InetSocketAddress> dropped = new ArrayList<>();
    for (InetSocketAddress endpoint : told.keySet()) {
      if (dropped.size() < MAX_DROPPED && !now.contains(endpoint)) {
        dropped.add(endpoint);
      }
    }
    if (added.isEmpty() && dropped.isEmpty()) {
      return null;
    }
    for (InetSocketAddress endpoint : dropped) {
      told.remove(endpoint);
    }
    for (PexPeer peer : added) {
      told.put(peer.endpoint(), peer);
    }
    sentAny = true;
    nextAllowedNanos = nowNanos + INTERVAL_NANOS;
    counters.messagesSent++;
    counters.peersAdvertised += added.size();
    counters.dropsAdvertised += dropped.size();
    return new PexMessage(added, dropped);
  }

  /**
   * When {@link #poll} may next return a message: now if nothing was sent yet, else a minute after
   * the last message.
   */
  public long nextDeadlineNanos(long nowNanos) {
    return sentAny ? nextAllowedNanos : nowNanos;
  }

  /** How many peers this recipient currently believes we are connected to. */
  public int toldCount() {
    return told.size();
  }
}
