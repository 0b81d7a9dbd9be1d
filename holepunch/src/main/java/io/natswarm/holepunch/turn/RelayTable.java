package io.natswarm.holepunch.turn;

import io.natswarm.datagram.Deadlines;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * What a {@link TurnClient} relays for: the permitted peer addresses (RFC 8656 section 9; at most
 * {@link #MAX_PERMISSIONS}, the oldest dropped first), the peer endpoints heard from through the
 * allocation (at most {@link #MAX_ROUTES}, each tied to its address's permission and gone with it),
 * and their channels (section 12: the client binds only 0x4000 to 0x40FF, so that ChannelData
 * always starts with 0x40, and keeps a released number unused for {@link
 * #CHANNEL_QUARANTINE_NANOS}, the binding's 10 minutes plus the 5 minutes section 12 asks before a
 * number is given to another peer).
 *
 * <p>Lookups by address and by channel allocate nothing. Owned by its client's thread.
 */
final class RelayTable {
  /** Permitted addresses at most. */
  static final int MAX_PERMISSIONS = 64;

  /** Peer endpoints at most, and channels: 0x4000 to 0x40FF. */
  static final int MAX_ROUTES = 256;

  /** How long a released channel number stays unused: 15 minutes. */
  static final long CHANNEL_QUARANTINE_NANOS = 15 * 60 * 1_000_000_000L;

  /** A permitted peer address. */
  static final class Permission {
    final InetAddress address;

    /** The address's bytes, kept so that wrapping a datagram does not copy them. */
    final byte[] raw;

    boolean installed;
    long refreshAt = Deadlines.NONE;
    TurnTransaction pending;
    boolean removed;

    Permission(InetAddress address) {
      this.address = address;
      this.raw = address.getAddress();
    }
  }

  /** A peer endpoint heard from through the allocation, and its channel. */
  static final class Route {
    final InetSocketAddress peer;
    final Permission permission;

    /** The channel number assigned, or -1. */
    int channel = -1;

    /** True once the server confirmed the binding: ChannelData may be sent. */
    boolean bound;

    long boundAt;
    long refreshAt = Deadlines.NONE;
    long lastUsed;
    TurnTransaction pending;
    boolean removed;

    Route(InetSocketAddress peer, Permission permission) {
      this.peer = peer;
      this.permission = permission;
    }
  }

  private final LinkedHashMap<InetAddress, Permission> permissions = new LinkedHashMap<>();
  private final LinkedHashMap<InetSocketAddress, Route> routes = new LinkedHashMap<>();
  private final Route[] byChannel = new Route[MAX_ROUTES];
  private final long[] reusableAt = new long[MAX_ROUTES];
  private final boolean[] everBound = new boolean[MAX_ROUTES];

  /** The permission of {@code address}, or null. */
  Permission permission(InetAddress address) {
    return permissions.get(address);
  }

  /** Adds a permission for {@code address} (not present), dropping the oldest past the cap. */
  Permission permit(InetAddress address, long now) {
    if (permissions.size() >= MAX_PERMISSIONS) {
      Iterator<Permission> oldest = permissions.values().iterator();
      Permission p = oldest.next();
      oldest.remove();
      dropped(p, now);
    }
    Permission p = new Permission(address);
    permissions.put(address, p);
    return p;
  }

  /** Drops the permission of {@code address} and its routes; returns whether there was one. */
  boolean forget(InetAddress address, long now) {
    Permission p = permissions.remove(address);
    if (p == null) {
      return false;
    }
    dropped(p, now);
    return true;
  }

  private void dropped(Permission p, long now) {
    p.removed = true;
    List<Route> gone = new ArrayList<>();
    for (Route r : routes.values()) {
      if (r.permission == p) {
        gone.add(r);
      }
    }
    for (Route r : gone) {
      routes.remove(r.peer);
      release(r, now);
    }
  }

  /** The permissions, oldest first. */
  Collection<Permission> permissions() {
    return permissions.values();
  }

  /** The route to {@code peer}, or null. */
  Route route(InetSocketAddress peer) {
    return routes.get(peer);
  }

  /** Adds a route to {@code peer} under {@code p}, dropping the oldest route past the cap. */
  Route addRoute(InetSocketAddress peer, Permission p, long now) {
    if (routes.size() >= MAX_ROUTES) {
      Iterator<Route> oldest = routes.values().iterator();
      Route r = oldest.next();
      oldest.remove();
      release(r, now);
    }
    Route r = new Route(peer, p);
    routes.put(peer, r);
    return r;
  }

  /** The routes, oldest first. */
  Collection<Route> routes() {
    return routes.values();
  }

  /** The route whose channel is {@code channel}, or null. */
  Route byChannel(int channel) {
    int i = channel - TurnCodec.FIRST_CHANNEL;
    return i >= 0 && i < MAX_ROUTES ? byChannel[i] : null;
  }

  /** Gives {@code r} the lowest free channel number; returns it, or -1 when none is free. */
  int assignChannel(Route r, long now) {
    for (int i = 0; i < MAX_ROUTES; i++) {
      if (byChannel[i] == null && (!everBound[i] || Deadlines.isDue(reusableAt[i], now))) {
        byChannel[i] = r;
        everBound[i] = true;
        r.channel = TurnCodec.FIRST_CHANNEL + i;
        r.bound = false;
        return r.channel;
      }
    }
    return -1;
  }

  /** Takes {@code r}'s channel away (it stays a route, sent to with Send indications). */
  void unbind(Route r, long now) {
    if (r.channel >= 0) {
      int i = r.channel - TurnCodec.FIRST_CHANNEL;
      byChannel[i] = null;
      reusableAt[i] = now + CHANNEL_QUARANTINE_NANOS;
    }
    r.channel = -1;
    r.bound = false;
    r.refreshAt = Deadlines.NONE;
    r.pending = null;
  }

  private void release(Route r, long now) {
    r.removed = true;
    unbind(r, now);
  }

  /** Drops everything (the allocation is gone). */
  void clear(long now) {
    for (Permission p : permissions.values()) {
      p.removed = true;
    }
    for (Route r : routes.values()) {
      release(r, now);
    }
    permissions.clear();
    routes.clear();
  }
}
