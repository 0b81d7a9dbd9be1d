package io.natswarm.netsim;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A NAT box (or stateful firewall) between an outer realm and its own {@link #inside()} realm,
 * behaving as RFC 4787 describes for UDP: endpoint-independent, address-dependent or
 * address-and-port-dependent mapping (section 4.1) and filtering (section 5), preserving,
 * sequential or random port assignment (4.2.1), mappings that expire a timeout after their last
 * outbound datagram (4.3), and optional hairpinning (6). See {@link NatConfig}.
 *
 * <p>Unsolicited inbound datagrams never create state, unless {@code acceptUnsolicitedToSelf} asks
 * for LAB.md's conntrack clash. Mappings expire lazily when next looked at. Owned by the thread
 * that runs the {@link Network}.
 */
public final class NatBox extends Node {
  final NatConfig config;
  final int insideRealmId;
  private final Realm inside;
  private final SimRandom random;
  private final Map<MappingKey, Mapping> byInternal = new HashMap<>();
  private final LongObjectMap<Mapping> byExternal = new LongObjectMap<>(64);
  private final LongLongMap permissions = new LongLongMap(64);
  private final LongLongMap unreplied = new LongLongMap(16);
  private final MappingKey probe = new MappingKey();
  private int[] freeIndexes = new int[16];
  private int freeCount;
  private int nextIndex;
  private int nextSequential;
  private int sweepAt = 1024;

  NatBox(
      int id,
      String name,
      Realm realm,
      int v4,
      int v6,
      NatConfig config,
      int insideRealmId,
      SimRandom up,
      SimRandom down,
      SimRandom random) {
    super(id, name, realm, v4, v6, up, down);
    this.config = config;
    this.insideRealmId = insideRealmId;
    this.random = random;
    this.nextSequential = config.portLow + random.nextInt(config.portHigh - config.portLow + 1);
    this.inside = realm.network.newInsideRealm(name + ".inside", this);
  }

  /** The private realm behind this box; add hosts (or further boxes) to it. */
  public Realm inside() {
    return inside;
  }

  public NatConfig config() {
    return config;
  }

  /** The number of mappings that have not expired at the current virtual time. */
  public int activeMappings() {
    long now = network.now;
    int n = 0;
    for (Mapping m : byInternal.values()) {
      if (!expired(m, now)) {
        n++;
      }
    }
    return n;
  }

  /**
   * The external address the live mapping for {@code internal} talking to {@code remote} uses, or
   * null when there is none (never created, or expired).
   */
  public InetSocketAddress externalAddress(InetSocketAddress internal, InetSocketAddress remote) {
    AddressTable t = network.addresses;
    int ia = t.idOf(internal.getAddress());
    int ra = t.idOf(remote.getAddress());
    Mapping m = null;
    if (config.acceptUnsolicitedToSelf) {
      m = live(probe.set(ia, internal.getPort(), ra, remote.getPort(), true), network.now);
    }
    if (m == null) {
      m = live(keyFor(ia, internal.getPort(), ra, remote.getPort()), network.now);
    }
    return m == null ? null : t.socket(m.extAddr, m.extPort);
  }

  private MappingKey keyFor(int intAddr, int intPort, int remAddr, int remPort) {
    NatConfig.Mapping mb =
        config.translating ? config.mapping : NatConfig.Mapping.ENDPOINT_INDEPENDENT;
    return probe.set(
        intAddr,
        intPort,
        mb == NatConfig.Mapping.ENDPOINT_INDEPENDENT ? -1 : remAddr,
        mb == NatConfig.Mapping.ADDRESS_AND_PORT_DEPENDENT ? remPort : -1,
        false);
  }

  /** A datagram from the inside realm to an address outside it. */
  void outbound(int slot) {
    PacketQueue p = network.packets;
    if (p.decrementHops(slot) < 0) {
      network.drop(slot, DropReason.TTL, id);
      return;
    }
    long now = network.now;
    int intAddr = p.srcAddr(slot);
    int intPort = p.srcPort(slot);
    int remAddr = p.dstAddr(slot);
    int remPort = p.dstPort(slot);
    if (!config.translating) {
      Mapping m = mappingFor(intAddr, intPort, remAddr, remPort, now);
      permit(m, remAddr, remPort, now);
      network.sendUp(this, slot);
      return;
    }
    int ext = network.addresses.isIpv6(remAddr) ? addressV6 : addressV4;
    if (ext < 0) {
      network.drop(slot, DropReason.NO_ROUTE, id);
      return;
    }
    boolean hairpinning = remAddr == ext;
    if (hairpinning && !config.hairpin) {
      network.drop(slot, DropReason.HAIRPIN, id);
      return;
    }
    Mapping m = mappingFor(intAddr, intPort, remAddr, remPort, now);
    if (m == null) {
      network.drop(slot, DropReason.PORTS_EXHAUSTED, id);
      return;
    }
    permit(m, remAddr, remPort, now);
    p.setSrcAddr(slot, ext);
    p.setSrcPort(slot, m.extPort);
    p.setFrom(slot, null);
    if (hairpinning) {
      inbound(slot); // back in as if it had come from outside
    } else {
      network.sendUp(this, slot);
    }
  }

  @Override
  void receive(int slot) {
    inbound(slot);
  }

  private void inbound(int slot) {
    PacketQueue p = network.packets;
    if (p.decrementHops(slot) < 0) {
      network.drop(slot, DropReason.TTL, id);
      return;
    }
    long now = network.now;
    int src = p.srcAddr(slot);
    int sport = p.srcPort(slot);
    int dport = p.dstPort(slot);
    Mapping m = byExternal.get(AddressTable.socketKey(p.dstAddr(slot), dport));
    if (m != null && expired(m, now)) {
      expire(m, now);
      m = null;
    }
    if (m == null || !permitted(m, src, sport, now)) {
      if (config.acceptUnsolicitedToSelf && config.translating) {
        // The router's own input path accepted it: an unreplied conntrack entry now owns the
        // tuple (src:sport -> us:dport).
        unreplied.put(clashKey(dport, src, sport), now);
      }
      network.drop(
          slot, m == null && config.translating ? DropReason.NO_MAPPING : DropReason.FILTER, id);
      return;
    }
    if (config.inboundRefresh) {
      m.lastActive = now;
    }
    p.setDstAddr(slot, m.intAddr);
    p.setDstPort(slot, m.intPort);
    network.route(inside, slot);
  }

  // ---- mappings ----

  private Mapping mappingFor(int intAddr, int intPort, int remAddr, int remPort, long now) {
    boolean clashes = config.acceptUnsolicitedToSelf && config.translating;
    if (clashes) {
      Mapping e = live(probe.set(intAddr, intPort, remAddr, remPort, true), now);
      if (e != null) {
        return e;
      }
    }
    MappingKey key = keyFor(intAddr, intPort, remAddr, remPort);
    Mapping m = live(key, now);
    if (m != null) {
      if (clashes && clash(m.extPort, remAddr, remPort, now)) {
        // The reply tuple is taken by an unreplied entry: this flow gets a port of its own.
        return create(probe.set(intAddr, intPort, remAddr, remPort, true), remAddr, remPort, now);
      }
      return m;
    }
    return create(key, remAddr, remPort, now);
  }

  private Mapping live(MappingKey key, long now) {
    Mapping m = byInternal.get(key);
    if (m != null && expired(m, now)) {
      expire(m, now);
      return null;
    }
    return m;
  }

  private Mapping create(MappingKey key, int remAddr, int remPort, long now) {
    int extAddr;
    int extPort;
    if (config.translating) {
      extAddr = network.addresses.isIpv6(remAddr) ? addressV6 : addressV4;
      extPort = allocatePort(extAddr, key.intPort, remAddr, remPort, now);
      if (extPort < 0) {
        return null;
      }
    } else {
      extAddr = key.intAddr;
      extPort = key.intPort;
    }
    int index = freeCount > 0 ? freeIndexes[--freeCount] : nextIndex++;
    Mapping m = new Mapping(index, key.copy(), extAddr, extPort, now);
    byInternal.put(m.key, m);
    byExternal.put(AddressTable.socketKey(extAddr, extPort), m);
    network.stats.natMappingsCreated++;
    network.trace.add(
        Trace.Kind.NAT_MAP, now, id, key.intAddr, key.intPort, remAddr, remPort, extPort);
    if (byInternal.size() >= sweepAt) {
      sweep(now);
    }
    return m;
  }

  private void expire(Mapping m, long now) {
    byInternal.remove(m.key);
    byExternal.remove(AddressTable.socketKey(m.extAddr, m.extPort));
    if (freeCount == freeIndexes.length) {
      freeIndexes = Arrays.copyOf(freeIndexes, freeCount * 2);
    }
    freeIndexes[freeCount++] = m.index;
    network.stats.natMappingsExpired++;
    network.trace.add(
        Trace.Kind.NAT_EXPIRE, now, id, m.intAddr, m.intPort, m.extAddr, m.extPort, m.extPort);
  }

  private void sweep(long now) {
    List<Mapping> dead = new ArrayList<>();
    for (Mapping m : byInternal.values()) {
      if (expired(m, now)) {
        dead.add(m);
      }
    }
    dead.sort((a, b) -> Integer.compare(a.index, b.index));
    for (Mapping m : dead) {
      expire(m, now);
    }
    sweepAt = Math.max(1024, byInternal.size() * 2);
  }

  private boolean expired(Mapping m, long now) {
    return now - m.lastActive >= config.timeoutNanos;
  }

  private int allocatePort(int extAddr, int intPort, int remAddr, int remPort, long now) {
    int low = config.portLow;
    int span = config.portHigh - low + 1;
    switch (config.portAllocation) {
      case PRESERVING -> {
        if (intPort >= low
            && intPort <= config.portHigh
            && portFree(extAddr, intPort, remAddr, remPort, now)) {
          return intPort;
        }
      }
      case RANDOM -> {
        for (int i = 0; i < 32; i++) {
          int port = low + random.nextInt(span);
          if (portFree(extAddr, port, remAddr, remPort, now)) {
            return port;
          }
        }
      }
      case SEQUENTIAL -> {}
    }
    for (int i = 0; i < span; i++) {
      int port = nextSequential;
      nextSequential = port == config.portHigh ? low : port + 1;
      if (portFree(extAddr, port, remAddr, remPort, now)) {
        return port;
      }
    }
    return -1;
  }

  private boolean portFree(int extAddr, int port, int remAddr, int remPort, long now) {
    Mapping m = byExternal.get(AddressTable.socketKey(extAddr, port));
    if (m != null) {
      if (!expired(m, now)) {
        return false;
      }
      expire(m, now);
    }
    return !(config.acceptUnsolicitedToSelf && clash(port, remAddr, remPort, now));
  }

  private boolean clash(int extPort, int remAddr, int remPort, long now) {
    long t = unreplied.get(clashKey(extPort, remAddr, remPort), Long.MIN_VALUE);
    return t != Long.MIN_VALUE && now - t < config.timeoutNanos;
  }

  private static long clashKey(int extPort, int remAddr, int remPort) {
    return ((long) extPort << 40) | ((long) remAddr << 16) | remPort;
  }

  // ---- filtering ----

  private void permit(Mapping m, int remAddr, int remPort, long now) {
    m.lastActive = now;
    switch (config.filtering) {
      case ENDPOINT_INDEPENDENT -> {}
      case ADDRESS_DEPENDENT -> permissions.put(permissionKey(m.index, remAddr, 0), now);
      case ADDRESS_AND_PORT_DEPENDENT ->
          permissions.put(permissionKey(m.index, remAddr, remPort), now);
    }
  }

  private boolean permitted(Mapping m, int src, int sport, long now) {
    long key;
    switch (config.filtering) {
      case ENDPOINT_INDEPENDENT -> {
        return true;
      }
      case ADDRESS_DEPENDENT -> key = permissionKey(m.index, src, 0);
      default -> key = permissionKey(m.index, src, sport);
    }
    long t = permissions.get(key, Long.MIN_VALUE);
    // A permission left by an earlier mapping with the same index predates this one.
    return t != Long.MIN_VALUE && t >= m.createdAt && now - t < config.timeoutNanos;
  }

  private static long permissionKey(int index, int remAddr, int remPort) {
    return ((long) index << 40) | ((long) remAddr << 16) | remPort;
  }

  /** What a mapping is keyed on; remote fields are -1 when the behaviour ignores them. */
  static final class MappingKey {
    int intAddr;
    int intPort;
    int remAddr;
    int remPort;
    boolean exception;

    MappingKey set(int ia, int ip, int ra, int rp, boolean ex) {
      intAddr = ia;
      intPort = ip;
      remAddr = ra;
      remPort = rp;
      exception = ex;
      return this;
    }

    MappingKey copy() {
      return new MappingKey().set(intAddr, intPort, remAddr, remPort, exception);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof MappingKey k
          && k.intAddr == intAddr
          && k.intPort == intPort
          && k.remAddr == remAddr
          && k.remPort == remPort
          && k.exception == exception;
    }

    @Override
    public int hashCode() {
      int h = intAddr * 31 + intPort;
      h = h * 31 + remAddr;
      h = h * 31 + remPort;
      return exception ? ~h : h;
    }
  }

  /** One live translation (or, for a firewall, one internal endpoint's filter state). */
  static final class Mapping {
    final int index;
    final MappingKey key;
    final int intAddr;
    final int intPort;
    final int extAddr;
    final int extPort;
    final long createdAt;
    long lastActive;

    Mapping(int index, MappingKey key, int extAddr, int extPort, long now) {
      this.index = index;
      this.key = key;
      this.intAddr = key.intAddr;
      this.intPort = key.intPort;
      this.extAddr = extAddr;
      this.extPort = extPort;
      this.createdAt = now;
      this.lastActive = now;
    }
  }
}
