package io.natswarm.holepunch.portmap;

import io.natswarm.datagram.Deadlines;
import io.natswarm.datagram.Transmit;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * A NAT-PMP client (RFC 6886) as a sans-IO core on the node's socket: it learns the gateway's
 * external address (section 3.2) and maps one port per protocol (section 3.3), renews each mapping
 * at half its lifetime, re-maps everything when the gateway's epoch shows it restarted (section
 * 3.6), and deletes its mappings with a zero lifetime (section 3.4). Requests are sent one at a
 * time, retransmitted after 250 ms, doubling, up to 9 times (section 3.1); only answers from the
 * gateway's port 5351 count. Every result code becomes a message a person understands ({@link
 * NatPmpResult}).
 *
 * <p>Owned by the thread of the socket it is registered on; never blocks or reads a clock.
 */
public final class NatPmpClient implements PortMapper {
  /** The gateway's NAT-PMP port. */
  public static final int SERVER_PORT = 5351;

  /**
   * Retransmission and lifetime settings.
   *
   * @param initialRtoNanos the first retransmission timeout (RFC 6886: 250 ms)
   * @param attempts transmissions before giving up (RFC 6886: 9, about 64 s)
   * @param lifetimeSeconds the lifetime asked for each mapping (RFC 6886 recommends 7200)
   */
  public record Settings(long initialRtoNanos, int attempts, int lifetimeSeconds) {
    /** RFC 6886's values. */
    public static Settings defaults() {
      return new Settings(250_000_000L, 9, 7200);
    }

    /** Checks the values. */
    public Settings {
      if (initialRtoNanos <= 0 || attempts < 1 || lifetimeSeconds < 1) {
        throw new IllegalArgumentException("NAT-PMP settings must be positive: " + this);
      }
    }

    /** RFC 6886 section 3.1's timer: doubling, no randomisation, no cap but the attempts. */
    Retransmission.Schedule schedule() {
      return new Retransmission.Schedule(
          initialRtoNanos, Math.max(initialRtoNanos, 86_400_000_000_000L), 0, attempts, 0);
    }
  }

  /** Counters since the core was made. */
  public record Counters(
      long requestsSent,
      long retransmissions,
      long responses,
      long malformed,
      long epochResets,
      long renewals) {}

  private enum Op {
    EXTERNAL_ADDRESS,
    MAP,
    DELETE
  }

  private record Request(Op op, Protocol protocol, int internalPort, int suggestedPort) {}

  private static final class Slot {
    MappingStatus status = MappingStatus.NONE;
    int internalPort;
    PortMapping held;
    NatPmpResult error;
    String failure;
  }

  private final InetSocketAddress gateway;
  private final Settings settings;
  private final Map<Protocol, Slot> slots = new EnumMap<>(Protocol.class);
  private final ArrayDeque<Request> queue = new ArrayDeque<>();

  private final Retransmission rtx;
  private final EpochWatch epoch = new EpochWatch(EpochWatch.Rule.NAT_PMP);

  private Request current;
  private boolean transmitDue;
  private long retransmitAt = Deadlines.NONE;

  private InetAddress externalAddress;

  private long requestsSent;
  private long retransmissions;
  private long responses;
  private long malformed;
  private long epochResets;
  private long renewals;

  /**
   * A client of {@code gateway}'s NAT-PMP server.
   *
   * @param gateway the default gateway's address (NAT-PMP is IPv4 only)
   * @param settings retransmission and lifetime settings
   */
  public NatPmpClient(InetAddress gateway, Settings settings) {
    if (!(gateway instanceof Inet4Address)) {
      throw new IllegalArgumentException("NAT-PMP needs the IPv4 gateway, not " + gateway);
    }
    this.gateway = new InetSocketAddress(gateway, SERVER_PORT);
    this.settings = Objects.requireNonNull(settings);
    this.rtx = new Retransmission(settings.schedule(), null);
    for (Protocol p : Protocol.values()) {
      slots.put(p, new Slot());
    }
  }

  /**
   * Asks for {@code internalPort} to be mapped for {@code protocol} (the same external port if the
   * gateway can). Learns the external address first.
   */
  @Override
  public void map(Protocol protocol, int internalPort, long nowNanos) {
    Slot s = slots.get(protocol);
    s.status = MappingStatus.REQUESTING;
    s.internalPort = internalPort;
    s.error = null;
    s.failure = null;
    if (externalAddress == null) {
      enqueue(new Request(Op.EXTERNAL_ADDRESS, null, 0, 0), nowNanos);
    }
    enqueue(new Request(Op.MAP, protocol, internalPort, internalPort), nowNanos);
  }

  /** Deletes {@code protocol}'s mapping; does nothing when none is held (idempotent). */
  @Override
  public void release(Protocol protocol, long nowNanos) {
    Slot s = slots.get(protocol);
    if (s.status != MappingStatus.HELD && s.status != MappingStatus.REQUESTING) {
      return;
    }
    queue.removeIf(r -> r.protocol() == protocol);
    s.status = MappingStatus.RELEASED;
    s.held = null;
    enqueue(new Request(Op.DELETE, protocol, s.internalPort, 0), nowNanos);
  }

  @Override
  public MappingStatus status(Protocol protocol) {
    return slots.get(protocol).status;
  }

  @Override
  public PortMapping mapping(Protocol protocol) {
    return slots.get(protocol).held;
  }

  @Override
  public String failure(Protocol protocol) {
    return slots.get(protocol).failure;
  }

  /** The gateway's result for {@code protocol}'s failed request, or null. */
  public NatPmpResult error(Protocol protocol) {
    return slots.get(protocol).error;
  }

  /** The gateway's external address, once known. */
  public InetAddress externalAddress() {
    return externalAddress;
  }

  /** The counters now. */
  public Counters counters() {
    return new Counters(requestsSent, retransmissions, responses, malformed, epochResets, renewals);
  }

  /** True once the gateway has answered anything in NAT-PMP. */
  public boolean answered() {
    return responses > 0;
  }

  @Override
  public boolean idle() {
    return current == null && queue.isEmpty();
  }

  private void enqueue(Request r, long now) {
    queue.add(r);
    if (current == null) {
      startNext(now);
    }
  }

  private void startNext(long now) {
    current = queue.poll();
    if (current == null) {
      retransmitAt = Deadlines.NONE;
      return;
    }
    rtx.restart();
    transmitDue = true;
    retransmitAt = now;
  }

  @Override
  public boolean handleDatagram(ByteBuffer packet, InetSocketAddress from, long nowNanos) {
    if (!gateway.equals(from)) {
      return false; // RFC 6886 3.1: only the gateway's answers count
    }
    int at = packet.position();
    int n = packet.remaining();
    if (n < 8 || packet.get(at) != 0 || (packet.get(at + 1) & 0x80) == 0) {
      malformed++;
      return true;
    }
    int opcode = packet.get(at + 1) & 0x7F;
    NatPmpResult result = NatPmpResult.of(packet.getShort(at + 2) & 0xFFFF);
    long epoch = packet.getInt(at + 4) & 0xFFFFFFFFL;
    if ((opcode == 0 && n < 12) || ((opcode == 1 || opcode == 2) && n < 16) || opcode > 2) {
      malformed++;
      return true;
    }
    responses++;
    if (this.epoch.lostState(epoch, nowNanos)) {
      remapAll();
    }
    if (current == null || opcode != opcodeOf(current)) {
      if (current == null) {
        startNext(nowNanos); // a restarted gateway's re-mappings, if any
      }
      return true; // a late duplicate
    }
    Request r = current;
    if (opcode == 0) {
      if (result == NatPmpResult.SUCCESS) {
        byte[] raw = new byte[4];
        for (int i = 0; i < 4; i++) {
          raw[i] = packet.get(at + 8 + i);
        }
        try {
          externalAddress = InetAddress.getByAddress(raw);
        } catch (UnknownHostException e) {
          malformed++; // not for 4 bytes
        }
      } else {
        failAll(result, nowNanos);
        return true;
      }
    } else {
      int internal = packet.getShort(at + 8) & 0xFFFF;
      int external = packet.getShort(at + 10) & 0xFFFF;
      long lifetime = packet.getInt(at + 12) & 0xFFFFFFFFL;
      if (internal != r.internalPort()) {
        return true; // the answer to another request of ours; keep waiting
      }
      Slot s = slots.get(r.protocol());
      if (r.op() == Op.DELETE) {
        s.held = null;
      } else if (result != NatPmpResult.SUCCESS) {
        fail(s, result, result.message());
      } else if (s.status != MappingStatus.RELEASED) {
        long life = lifetime * 1_000_000_000L;
        s.held =
            new PortMapping(
                r.protocol(),
                internal,
                new InetSocketAddress(
                    externalAddress == null ? gatewayAddress() : externalAddress, external),
                nowNanos + life,
                nowNanos + life / 2,
                "NAT-PMP");
        s.status = MappingStatus.HELD;
      }
    }
    current = null;
    startNext(nowNanos);
    return true;
  }

  private InetAddress gatewayAddress() {
    return gateway.getAddress();
  }

  private static int opcodeOf(Request r) {
    return switch (r.op()) {
      case EXTERNAL_ADDRESS -> 0;
      case MAP, DELETE -> r.protocol() == Protocol.UDP ? 1 : 2;
    };
  }

  /**
   * RFC 6886 section 3.6: the gateway restarted and lost its mappings ({@link EpochWatch}): map
   * them all again.
   */
  private void remapAll() {
    epochResets++;
    for (Map.Entry<Protocol, Slot> e : slots.entrySet()) {
      Slot s = e.getValue();
      if (s.status == MappingStatus.HELD) {
        s.status = MappingStatus.REQUESTING;
        queue.add(new Request(Op.MAP, e.getKey(), s.internalPort, s.held.external().getPort()));
      }
    }
  }

  private void fail(Slot s, NatPmpResult result, String why) {
    s.status = MappingStatus.FAILED;
    s.held = null;
    s.error = result;
    s.failure = why;
  }

  private void failAll(NatPmpResult result, long now) {
    String why = result == null ? "no answer from the gateway: it does not speak NAT-PMP" : null;
    for (Slot s : slots.values()) {
      if (s.status == MappingStatus.REQUESTING) {
        fail(s, result, why != null ? why : result.message());
      }
    }
    queue.removeIf(r -> r.op() != Op.DELETE);
    current = null;
    startNext(now);
  }

  @Override
  public boolean pollTransmit(Transmit out, long nowNanos) {
    if (!transmitDue || current == null) {
      return false;
    }
    transmitDue = false;
    ByteBuffer b = out.buffer();
    b.clear();
    b.put((byte) 0).put((byte) opcodeOf(current));
    if (current.op() != Op.EXTERNAL_ADDRESS) {
      b.putShort((short) 0);
      b.putShort((short) current.internalPort());
      b.putShort((short) current.suggestedPort());
      b.putInt(current.op() == Op.DELETE ? 0 : settings.lifetimeSeconds());
    }
    out.setDestination(gateway);
    requestsSent++;
    if (rtx.sent() > 0) {
      retransmissions++;
    }
    retransmitAt = rtx.transmitted(nowNanos);
    return true;
  }

  @Override
  public long pollTimeout() {
    long next = retransmitAt;
    for (Slot s : slots.values()) {
      if (s.status == MappingStatus.HELD && current == null) {
        next = Deadlines.earliest(next, s.held.renewAfterNanos());
      }
    }
    return next;
  }

  @Override
  public void handleTimeout(long nowNanos) {
    if (current != null && Deadlines.isDue(retransmitAt, nowNanos)) {
      if (!rtx.exhausted(nowNanos)) {
        transmitDue = true;
      } else {
        Request gaveUp = current;
        if (gaveUp.op() == Op.DELETE) {
          current = null;
          startNext(nowNanos);
        } else {
          failAll(null, nowNanos);
        }
      }
    }
    for (Map.Entry<Protocol, Slot> e : slots.entrySet()) {
      Slot s = e.getValue();
      if (s.status == MappingStatus.HELD && Deadlines.isDue(s.held.renewAfterNanos(), nowNanos)) {
        s.status = MappingStatus.REQUESTING;
        renewals++;
        enqueue(
            new Request(Op.MAP, e.getKey(), s.internalPort, s.held.external().getPort()), nowNanos);
      }
    }
  }
}
