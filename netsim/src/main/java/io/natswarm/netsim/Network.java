package io.natswarm.netsim;

import io.natswarm.datagram.DatagramCore;
import io.natswarm.datagram.Transmit;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.PriorityQueue;
import java.util.function.BooleanSupplier;

/**
 * A deterministic discrete-event virtual network that drives {@link DatagramCore}s on a virtual
 * clock, calling them exactly as the real endpoint does: every datagram due for a binding at one
 * instant is delivered, then its {@code handleReceiveDrained} runs and its transmits are drained.
 * See the package documentation for a walk-through.
 *
 * <p>Events are processed in (virtual time, scheduling order); every random choice comes from
 * generators derived from the seed, so the same scenario with the same seed produces the same
 * {@link #trace()}. The network and everything in it belong to the one thread that calls its
 * methods; nothing is thread-safe.
 */
public final class Network {
  static final int MAX_HOPS = 16;

  /**
   * What a datagram costs a link beyond its payload: a 20-byte IPv4 header and the 8-byte UDP
   * header. Links serialize and queue payload plus headers, as a real link does (its Ethernet
   * framing is left out, as in a {@code tbf} qdisc's view of the packet).
   */
  public static final int IPV4_UDP_HEADER_BYTES = 28;

  /** A 40-byte IPv6 header and the 8-byte UDP header. */
  public static final int IPV6_UDP_HEADER_BYTES = 48;

  private long maxEventsPerInstant = 2_000_000;
  private static final int MAX_TRANSMITS_PER_DRAIN = 100_000;

  final long seed;
  final AddressTable addresses = new AddressTable();
  final PacketQueue packets = new PacketQueue(1024);
  final NetStats stats = new NetStats();
  final Trace trace = new Trace(this);
  private final TimerQueue timers = new TimerQueue();
  private final PriorityQueue<Action> actions = new PriorityQueue<>();
  private final Topology topology = new Topology(this, addresses);
  private int realmCount;
  private final Realm internet;
  private final LongLongMap ports = new LongLongMap(1024);
  private Binding[] bindings = new Binding[16];
  private int bindingCount;
  private final Transmit transmit = Transmit.heap();
  private Binding[] drainPending = new Binding[16];
  private int drainCount;
  private final ByteBuffer delivery = ByteBuffer.allocate(65_536);
  long now;
  private long seq;

  private Network(long seed) {
    this.seed = seed;
    this.internet = new Realm(realmCount++, "internet", this, null);
  }

  /** A new, empty network whose every random choice derives from {@code seed}. */
  public static Network withSeed(long seed) {
    return new Network(seed);
  }

  public long seed() {
    return seed;
  }

  /** The public address realm. */
  public Realm internet() {
    return internet;
  }

  /** The current virtual time in nanoseconds (starts at 0). */
  public long nowNanos() {
    return now;
  }

  public Trace trace() {
    return trace;
  }

  public NetStats stats() {
    return stats;
  }

  /** Livelock guard: how many events may run at one virtual instant (default 2,000,000). */
  void maxEventsPerInstant(long max) {
    this.maxEventsPerInstant = max;
  }

  /** The host or NAT box called {@code name}, or null. */
  public Node node(String name) {
    return topology.byName(name);
  }

  /**
   * Adds a host to {@code realm} with one or two address literals (at most one IPv4 and one IPv6).
   * Throws IllegalArgumentException naming what is wrong: a duplicate name or address, an
   * unparsable literal, a realm of another network, or an address family the realm cannot route.
   */
  public Host addHost(String name, Realm realm, String... addressLiterals) {
    topology.checkName(name);
    topology.checkRealm(realm, "host " + name);
    int[] a = topology.parseAddresses("host " + name, addressLiterals);
    int id = topology.size();
    Host h =
        new Host(
            id,
            name,
            realm,
            a[0],
            a[1],
            SimRandom.derive(seed, 2L * id),
            SimRandom.derive(seed, 2L * id + 1));
    topology.register(h, "host " + name);
    return h;
  }

  /**
   * Adds a NAT box (or, with {@link NatConfig#firewall()}, a firewall) whose outside has {@code
   * outsideAddress} in {@code realm}; hosts and further boxes go into its {@link NatBox#inside()}.
   */
  public NatBox addNat(String name, Realm realm, String outsideAddress, NatConfig config) {
    topology.checkName(name);
    topology.checkRealm(realm, "NAT " + name);
    if (config == null) {
      throw new IllegalArgumentException("NAT " + name + ": config must not be null");
    }
    int[] a = topology.parseAddresses("NAT " + name, outsideAddress);
    int id = topology.size();
    NatBox box =
        new NatBox(
            id,
            name,
            realm,
            a[0],
            a[1],
            config,
            realmCount++,
            SimRandom.derive(seed, 2L * id),
            SimRandom.derive(seed, 2L * id + 1),
            SimRandom.derive(seed, -1L - id));
    topology.register(box, "NAT " + name);
    return box;
  }

  Realm newInsideRealm(String name, NatBox gateway) {
    return new Realm(gateway.insideRealmId, name, this, gateway);
  }

  String nodeName(int id) {
    return topology.nameOf(id);
  }

  String addressText(int addressId, int port) {
    return addresses.text(addressId, port);
  }

  // ---- bindings ----

  Binding bind(Host host, int port, DatagramCore endpoint) {
    long key = ((long) host.id << 16) | port;
    if (ports.get(key, -1) >= 0) {
      throw new IllegalArgumentException(
          "port " + port + " on host " + host.name + " is already bound");
    }
    int id = bindingCount++;
    if (id >= bindings.length) {
      bindings = Arrays.copyOf(bindings, bindings.length * 2);
    }
    Binding b = new Binding(id, host, port, endpoint);
    bindings[id] = b;
    ports.put(key, id);
    host.attach(b);
    rescheduleTimer(b);
    return b;
  }

  Binding bindingAt(Host host, int port) {
    long b = ports.get(((long) host.id << 16) | port, -1);
    return b < 0 ? null : bindings[(int) b];
  }

  void unbind(Binding b) {
    if (!b.open) {
      return;
    }
    b.open = false;
    ports.remove(((long) b.host.id << 16) | b.port);
    b.host.detach(b);
    timers.remove(b.id);
    b.scheduled = Long.MAX_VALUE;
  }

  /**
   * Lets the endpoint of {@code binding} send now: drains its {@code pollTransmit} and re-reads its
   * {@code pollTimeout}. Call after poking the core from test code (a connect, a write).
   */
  public void wake(Binding binding) {
    if (binding == null || binding.host.network != this) {
      throw new IllegalArgumentException("wake: binding " + binding + " is not in this network");
    }
    if (binding.open) {
      afterCallback(binding);
    }
  }

  /** Runs {@code action} at virtual time now + {@code delay} (e.g. to start a peer later). */
  public void schedule(Duration delay, Runnable action) {
    if (delay == null || delay.isNegative() || action == null) {
      throw new IllegalArgumentException("schedule: need a delay >= 0 and an action, got " + delay);
    }
    actions.add(new Action(now + delay.toNanos(), seq++, action));
  }

  // ---- running ----

  /** Advances the virtual clock by {@code duration}, processing every event due by then. */
  public void runFor(Duration duration) {
    if (duration == null || duration.isNegative()) {
      throw new IllegalArgumentException("runFor: duration must be >= 0, got " + duration);
    }
    run(saturatedAdd(now, duration.toNanos()), null);
  }

  /**
   * Runs until {@code condition} holds (checked before every event) or {@code limit} of virtual
   * time has passed; returns whether the condition holds. The clock stops at the event that made it
   * true.
   */
  public boolean runUntil(BooleanSupplier condition, Duration limit) {
    if (condition == null) {
      throw new IllegalArgumentException("runUntil: condition must not be null");
    }
    if (limit == null || limit.isNegative()) {
      throw new IllegalArgumentException("runUntil: limit must be >= 0, got " + limit);
    }
    return run(saturatedAdd(now, limit.toNanos()), condition);
  }

  private static long saturatedAdd(long a, long b) {
    long r = a + b;
    return r < a ? Long.MAX_VALUE : r;
  }

  private boolean run(long until, BooleanSupplier condition) {
    long instant = now;
    long atInstant = 0;
    while (true) {
      if (condition != null && condition.getAsBoolean()) {
        return true;
      }
      int source = 0;
      long t = Long.MAX_VALUE;
      long s = Long.MAX_VALUE;
      if (!packets.isEmpty()) {
        t = packets.peekTime();
        s = packets.peekSeq();
        source = 1;
      }
      if (!timers.isEmpty()) {
        long tt = timers.peekTime();
        long ts = timers.peekSeq();
        if (tt < t || (tt == t && ts < s)) {
          t = tt;
          s = ts;
          source = 2;
        }
      }
      Action next = actions.peek();
      if (next != null && (next.time < t || (next.time == t && next.seq < s))) {
        t = next.time;
        source = 3;
      }
      if (drainCount > 0 && (source == 0 || t != now)) {
        // The clock is about to move (or nothing is left): the instant's receive burst is over.
        flushDrains();
        continue;
      }
      if (source == 0 || t > until) {
        break;
      }
      if (t == instant) {
        if (++atInstant > maxEventsPerInstant) {
          throw new IllegalStateException(
              "livelock: more than "
                  + maxEventsPerInstant
                  + " events at virtual time "
                  + t
                  + " ns without the clock advancing (an endpoint whose pollTimeout() stays <= now?)");
        }
      } else {
        instant = t;
        atInstant = 0;
      }
      now = t;
      stats.events++;
      switch (source) {
        case 1 -> dispatchPacket(packets.poll());
        case 2 -> fireTimer(timers.poll());
        default -> actions.poll().action.run();
      }
    }
    if (until != Long.MAX_VALUE && until > now) {
      now = until;
    }
    return condition != null && condition.getAsBoolean();
  }

  private void dispatchPacket(int slot) {
    Node n = topology.nodes[packets.node(slot)];
    if (packets.stage(slot) == PacketQueue.STAGE_ROUTE) {
      route(n.realm, slot);
    } else {
      n.receive(slot);
    }
  }

  private void fireTimer(int bindingId) {
    Binding b = bindings[bindingId];
    b.scheduled = Long.MAX_VALUE;
    stats.timersFired++;
    trace.add(Trace.Kind.TIMER, now, b.host.id, -1, b.port, -1, 0, 0);
    b.endpoint.handleTimeout(now);
    afterCallback(b);
  }

  private void afterCallback(Binding b) {
    Transmit t = transmit;
    DatagramCore ep = b.endpoint;
    for (int i = 0; b.open; i++) {
      if (i == MAX_TRANSMITS_PER_DRAIN) {
        throw new IllegalStateException(
            "endpoint on " + b + " returned " + i + " datagrams from one drain of pollTransmit");
      }
      t.clear();
      if (!ep.pollTransmit(t, now)) {
        break;
      }
      send(b, t);
    }
    rescheduleTimer(b);
  }

  private void rescheduleTimer(Binding b) {
    if (!b.open) {
      return;
    }
    long deadline = b.endpoint.pollTimeout();
    if (deadline == Long.MAX_VALUE) {
      if (b.scheduled != Long.MAX_VALUE) {
        timers.remove(b.id);
        b.scheduled = Long.MAX_VALUE;
      }
    } else {
      long at = Math.max(deadline, now);
      if (b.scheduled != at) {
        timers.set(b.id, at, seq++);
        b.scheduled = at;
      }
    }
  }

  // ---- forwarding ----

  private void send(Binding b, Transmit t) {
    stats.sent++;
    Host h = b.host;
    InetSocketAddress d = t.destination();
    int dst;
    int dport;
    boolean v6;
    if (d instanceof SimSocketAddress s && s.table == addresses) {
      dst = s.addressId; // an address this network handed out: no lookup
      dport = s.port;
      v6 = s.ipv6;
    } else {
      InetAddress ip = d == null ? null : d.getAddress();
      if (ip == null || d.getPort() == 0) {
        countDrop(DropReason.BAD_DESTINATION, h.id, b.port);
        return;
      }
      dst = addresses.idOf(ip);
      dport = d.getPort();
      v6 = ip instanceof Inet6Address;
    }
    int src = v6 ? h.addressV6 : h.addressV4;
    if (src < 0) {
      countDrop(DropReason.BAD_DESTINATION, h.id, b.port);
      return;
    }
    ByteBuffer buf = t.buffer();
    int len = buf.position();
    int slot = packets.allocate(len);
    buf.get(0, packets.data(slot), 0, len);
    packets.setSrcAddr(slot, src);
    packets.setSrcPort(slot, b.port);
    packets.setDstAddr(slot, dst);
    packets.setDstPort(slot, dport);
    packets.setHeaderBytes(slot, v6 ? IPV6_UDP_HEADER_BYTES : IPV4_UDP_HEADER_BYTES);
    packets.setHops(slot, MAX_HOPS);
    packets.setFrom(slot, v6 ? b.local6 : b.local4);
    trace.add(Trace.Kind.SEND, now, h.id, src, b.port, dst, dport, len);
    sendUp(h, slot);
  }

  /** Puts a datagram on {@code from}'s uplink, towards its realm. */
  void sendUp(Node from, int slot) {
    Link l = from.uplink;
    if (l.isPerfect()) {
      route(from.realm, slot);
      return;
    }
    long at = l.admit(packets.wireLength(slot), now);
    if (at >= 0 && !l.reordered && l.duplicateArrival < 0) {
      // Cut-through: when the next hop in this realm (a host, or a NAT box whose state is read
      // when the datagram arrives there) sits behind a constant-delay downlink, its arrival can be
      // decided now, saving one event per datagram.
      Node to = from.realm.owner(packets.dstAddr(slot));
      if (to != null) {
        Link down = to.downlink;
        if (down.isConstantDelay()) {
          long arrival = down.isPerfect() ? at : down.admitAhead(packets.wireLength(slot), at);
          schedule(down, slot, arrival, to.id, PacketQueue.STAGE_ARRIVE);
          return;
        }
      }
    }
    schedule(l, slot, at, from.id, PacketQueue.STAGE_ROUTE);
  }

  /** Puts a datagram on {@code to}'s downlink; it reaches {@code to} when it leaves the link. */
  void sendDown(Node to, int slot) {
    Link l = to.downlink;
    long at = l.isPerfect() ? now : l.admit(packets.wireLength(slot), now);
    schedule(l, slot, at, to.id, PacketQueue.STAGE_ARRIVE);
  }

  private void schedule(Link l, int slot, long at, int nodeId, byte stage) {
    if (at < 0) {
      drop(slot, at == Link.DROPPED_QUEUE ? DropReason.QUEUE : DropReason.LOSS, nodeId);
      return;
    }
    if (l.reordered) {
      stats.reordered++;
    }
    long dup = l.duplicateArrival;
    packets.schedule(slot, at, seq++, nodeId, stage);
    if (dup >= 0) {
      stats.duplicated++;
      packets.schedule(packets.duplicate(slot), dup, seq++, nodeId, stage);
    }
  }

  /** Routes a datagram inside {@code realm}: to the owner of its destination, or the gateway. */
  void route(Realm realm, int slot) {
    Node owner = realm.owner(packets.dstAddr(slot));
    if (owner != null) {
      sendDown(owner, slot);
    } else if (realm.gateway != null) {
      realm.gateway.outbound(slot);
    } else {
      drop(slot, DropReason.NO_ROUTE, packets.node(slot));
    }
  }

  void deliverToHost(Host host, int slot) {
    int port = packets.dstPort(slot);
    Binding binding =
        host.boundCount <= Host.INLINE_BINDINGS ? host.inlineBinding(port) : bindingAt(host, port);
    if (binding == null) {
      drop(slot, DropReason.NO_BINDING, host.id);
      return;
    }
    stats.delivered++;
    int len = packets.length(slot);
    int src = packets.srcAddr(slot);
    int sport = packets.srcPort(slot);
    trace.add(
        Trace.Kind.DELIVER, now, host.id, src, sport, packets.dstAddr(slot), binding.port, len);
    try {
      InetSocketAddress from = packets.from(slot);
      if (from == null) {
        from = addresses.socket(src, sport); // translated on the way
      }
      ByteBuffer b = delivery;
      b.clear();
      b.put(packets.data(slot), 0, len).flip();
      binding.endpoint.handleDatagram(b, from, now);
    } finally {
      packets.release(slot);
    }
    if (!binding.drainPending) {
      binding.drainPending = true;
      if (drainCount == drainPending.length) {
        drainPending = Arrays.copyOf(drainPending, drainCount * 2);
      }
      drainPending[drainCount++] = binding;
    }
  }

  /**
   * Every datagram due at this virtual instant has been delivered: as the real loop does once the
   * socket is read dry, tells each core that received something ({@code handleReceiveDrained}),
   * then drains its transmits and re-reads its deadline.
   */
  private void flushDrains() {
    for (int i = 0; i < drainCount; i++) {
      Binding b = drainPending[i];
      drainPending[i] = null;
      b.drainPending = false;
      if (b.open) {
        stats.drains++;
        b.endpoint.handleReceiveDrained(now);
        afterCallback(b);
      }
    }
    drainCount = 0;
  }

  void drop(int slot, DropReason reason, int nodeId) {
    stats.dropped[reason.code()]++;
    trace.add(
        Trace.Kind.DROP,
        now,
        nodeId,
        packets.srcAddr(slot),
        packets.srcPort(slot),
        packets.dstAddr(slot),
        packets.dstPort(slot),
        reason.code());
    packets.release(slot);
  }

  private void countDrop(DropReason reason, int nodeId, int port) {
    stats.dropped[reason.code()]++;
    trace.add(Trace.Kind.DROP, now, nodeId, -1, port, -1, 0, reason.code());
  }

  long nextSeq() {
    return seq++;
  }

  private static final class Action implements Comparable<Action> {
    final long time;
    final long seq;
    final Runnable action;

    Action(long time, long seq, Runnable action) {
      this.time = time;
      this.seq = seq;
      this.action = action;
    }

    @Override
    public int compareTo(Action o) {
      int c = Long.compare(time, o.time);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }
}
