package io.natswarm.holepunch.portmap;

import io.natswarm.datagram.Deadlines;
import io.natswarm.datagram.Transmit;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * A PCP client (RFC 6887) as a sans-IO core on the node's socket: it maps one internal port per
 * protocol with MAP requests (section 11) and holds each mapping as an immutable {@link
 * PortMapping}.
 *
 * <ul>
 *   <li>Each mapping has its own 96-bit nonce, drawn once and reused to renew and to delete it
 *       (sections 11.1, 11.2.1 and 15); an answer counts only when its nonce, protocol and internal
 *       port are those of the request in flight, and only from the server's address and port 5351
 *       (section 8.3).
 *   <li>Requests are retransmitted as section 8.1.1 says (IRT 3 s, doubling, capped at MRT 1024 s,
 *       each randomised by up to 10 %), and abandoned after {@link Settings#mrc} transmissions or
 *       {@link Settings#mrdNanos}, so that the node can try another protocol.
 *   <li>A mapping is renewed at a random moment between 1/2 and 5/8 of its lifetime; an unanswered
 *       renewal is sent again at 3/4 to 13/16, 7/8 to 29/32 and so on, never less than 4 s apart
 *       (section 11.2.1). A mapping whose lifetime ran out is asked for again from scratch.
 *   <li>The server's epoch is checked on every answer (section 8.5): when it shows the server lost
 *       its state, every held mapping is asked for again at once.
 *   <li>A version-0 answer means the gateway speaks NAT-PMP only (section 9), another version that
 *       it speaks another PCP: the attempt ends with {@link #server()} saying so. Every result code
 *       becomes a message a person understands ({@link PcpResult}); short-lifetime errors are asked
 *       again when their lifetime is over (section 7.4), long-lifetime ones end the attempt.
 *   <li>{@link #release} deletes with a lifetime of 0 and the same nonce (section 15); it is
 *       idempotent.
 * </ul>
 *
 * <p>Owned by the thread of the socket it is registered on; never blocks or reads a clock.
 */
public final class PcpClient implements PortMapper {
  /** The server's PCP port. */
  public static final int SERVER_PORT = PcpCodec.SERVER_PORT;

  private static final long SECOND = 1_000_000_000L;

  /** Longer grants are renewed as if they were a day long (keeps the arithmetic in range). */
  private static final long MAX_LIFETIME_SECONDS = 86_400;

  /** Section 11.2.1: renewals are never sent less than 4 s apart. */
  private static final long MIN_RENEWAL_GAP_NANOS = 4 * SECOND;

  /** A short-lifetime error is asked again after its lifetime, within these bounds. */
  private static final long MIN_ERROR_WAIT_SECONDS = 1;

  private static final long MAX_ERROR_WAIT_SECONDS = 1800;

  /**
   * Retransmission and lifetime settings (RFC 6887 section 8.1.1).
   *
   * @param irtNanos IRT, the first retransmission timeout (RFC: 3 s)
   * @param mrtNanos MRT, the largest retransmission timeout (RFC: 1024 s)
   * @param mrc MRC, transmissions of a request before giving up; 0 for no limit (the RFC's default)
   * @param mrdNanos MRD, how long to retransmit a request before giving up; 0 for no limit (the
   *     RFC's default)
   * @param lifetimeSeconds the lifetime asked for each mapping
   */
  public record Settings(
      long irtNanos, long mrtNanos, int mrc, long mrdNanos, long lifetimeSeconds) {
    /**
     * The RFC's timer with a give-up, so that a gateway that does not answer PCP is left for
     * NAT-PMP or UPnP: 4 transmissions (at about 0, 3, 9 and 21 s), abandoned about 45 s after the
     * first; 2 hours asked for each mapping.
     */
    public static Settings defaults() {
      return new Settings(3 * SECOND, 1024 * SECOND, 4, 0, 7200);
    }

    /** RFC 6887's values exactly: MRC and MRD 0, so a request is retransmitted until answered. */
    public static Settings rfc6887() {
      return new Settings(3 * SECOND, 1024 * SECOND, 0, 0, 7200);
    }

    /** Checks the values. */
    public Settings {
      if (irtNanos <= 0
          || mrtNanos < irtNanos
          || mrc < 0
          || mrdNanos < 0
          || lifetimeSeconds < 1
          || lifetimeSeconds > 0xFFFFFFFFL) {
        throw new IllegalArgumentException("PCP settings out of range: " + this);
      }
    }

    Retransmission.Schedule schedule() {
      return new Retransmission.Schedule(irtNanos, mrtNanos, 0.1, mrc, mrdNanos);
    }
  }

  /** What the gateway's port 5351 has shown it speaks. */
  public enum Server {
    /** Nothing heard yet. */
    UNKNOWN,
    /** It answered in PCP version 2. */
    SPEAKS_PCP,
    /** It answered in version 0: NAT-PMP only (RFC 6887 section 9); use NAT-PMP. */
    NAT_PMP_ONLY,
    /** It answered in, or asked for, another PCP version. */
    OTHER_VERSION,
    /** It never answered before a request was abandoned. */
    SILENT
  }

  /** Counters since the core was made. */
  public record Counters(
      long requestsSent,
      long retransmissions,
      long responses,
      long malformed,
      long unmatched,
      long errors,
      long epochResets,
      long renewals) {}

  private enum Exchange {
    MAP,
    RENEW,
    DELETE
  }

  private static final class Slot {
    final Protocol protocol;
    final Retransmission rtx;
    MappingStatus status = MappingStatus.NONE;
    int internalPort;
    boolean nonceDrawn;
    long nonceHigh;
    int nonceLow;
    PortMapping held;
    long grantedNanos;
    PcpResult error;
    String failure;

    Exchange exchange; // null when nothing is in flight
    boolean transmitDue;
    int sends;
    int renewStep;
    long nextNanos = Deadlines.NONE;
    long retryNanos = Deadlines.NONE;

    Slot(Protocol protocol, Retransmission rtx) {
      this.protocol = protocol;
      this.rtx = rtx;
    }
  }

  private final InetSocketAddress server;
  private final InetAddress client;
  private final Settings settings;
  private final RandomGenerator random;
  private final Map<Protocol, Slot> slots = new EnumMap<>(Protocol.class);
  private final EpochWatch epoch = new EpochWatch(EpochWatch.Rule.PCP);

  private Server serverKind = Server.UNKNOWN;

  private long requestsSent;
  private long retransmissions;
  private long responses;
  private long malformed;
  private long unmatched;
  private long errors;
  private long epochResets;
  private long renewals;

  /**
   * A client of {@code server}'s PCP server.
   *
   * @param server the PCP server: the default gateway (IPv4 or IPv6)
   * @param client this host's address as the server sees it, written into every request (the
   *     address of the interface towards the gateway, not a wildcard); the same family as {@code
   *     server}
   * @param settings retransmission and lifetime settings
   * @param random the source of nonces and of the timers' randomisation; nonces must not be
   *     guessable by other hosts of the LAN, so give a {@link java.security.SecureRandom} outside
   *     tests
   */
  public PcpClient(
      InetAddress server, InetAddress client, Settings settings, RandomGenerator random) {
    if ((server instanceof Inet4Address) != (client instanceof Inet4Address)
        || client.isAnyLocalAddress()) {
      throw new IllegalArgumentException(
          "PCP needs this host's own address in the gateway's family, not " + client);
    }
    this.server = new InetSocketAddress(server, SERVER_PORT);
    this.client = client;
    this.settings = Objects.requireNonNull(settings);
    this.random = Objects.requireNonNull(random);
    for (Protocol p : Protocol.values()) {
      slots.put(p, new Slot(p, new Retransmission(settings.schedule(), random)));
    }
  }

  @Override
  public void map(Protocol protocol, int internalPort, long nowNanos) {
    if (internalPort < 1 || internalPort > 0xFFFF) {
      throw new IllegalArgumentException("not a port: " + internalPort);
    }
    Slot s = slots.get(protocol);
    boolean samePort = s.nonceDrawn && s.internalPort == internalPort;
    if (samePort
        && (s.status == MappingStatus.HELD
            || s.status == MappingStatus.REQUESTING
            || s.status == MappingStatus.WAITING)) {
      return; // already held or being asked for
    }
    if (!samePort) {
      s.nonceDrawn = true;
      s.nonceHigh = random.nextLong();
      s.nonceLow = random.nextInt();
      s.held = null; // another port's mapping: left to expire
    }
    s.internalPort = internalPort;
    s.status = MappingStatus.REQUESTING;
    s.error = null;
    s.failure = null;
    start(s, Exchange.MAP);
  }

  @Override
  public void release(Protocol protocol, long nowNanos) {
    Slot s = slots.get(protocol);
    if (s.status != MappingStatus.HELD
        && s.status != MappingStatus.REQUESTING
        && s.status != MappingStatus.WAITING) {
      return;
    }
    s.status = MappingStatus.RELEASED;
    s.held = null;
    s.error = null;
    s.failure = null;
    s.retryNanos = Deadlines.NONE;
    start(s, Exchange.DELETE);
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

  /** The server's result code for {@code protocol}'s refused request, or null. */
  public PcpResult error(Protocol protocol) {
    return slots.get(protocol).error;
  }

  /** What the gateway has shown it speaks. */
  public Server server() {
    return serverKind;
  }

  /** The external address of a held mapping, or null. */
  public InetAddress externalAddress() {
    for (Slot s : slots.values()) {
      if (s.held != null) {
        return s.held.external().getAddress();
      }
    }
    return null;
  }

  /** The counters now. */
  public Counters counters() {
    return new Counters(
        requestsSent,
        retransmissions,
        responses,
        malformed,
        unmatched,
        errors,
        epochResets,
        renewals);
  }

  @Override
  public boolean idle() {
    for (Slot s : slots.values()) {
      if (s.exchange != null) {
        return false;
      }
    }
    return true;
  }

  private void start(Slot s, Exchange exchange) {
    s.exchange = exchange;
    s.transmitDue = true;
    s.sends = 0;
    s.renewStep = 0;
    s.nextNanos = Deadlines.NONE;
    s.rtx.restart();
  }

  private static void stop(Slot s) {
    s.exchange = null;
    s.transmitDue = false;
    s.nextNanos = Deadlines.NONE;
  }

  @Override
  public boolean handleDatagram(ByteBuffer packet, InetSocketAddress from, long nowNanos) {
    if (!server.equals(from)) {
      return false; // section 8.3: only the server's address and port count
    }
    PcpParsed parsed = PcpCodec.parse(packet);
    if (!parsed.ok()) {
      refusedVersion(parsed.error());
      return true;
    }
    PcpResponse r = parsed.response();
    responses++;
    PcpResult result = PcpResult.of(r.result());
    if (result == PcpResult.UNSUPP_VERSION && serverKind != Server.SPEAKS_PCP) {
      endAttempt(Server.OTHER_VERSION, result, result.message());
      return true; // section 9: the server speaks another version (after PCP answers: a refusal)
    }
    serverKind = Server.SPEAKS_PCP;
    if (epoch.lostState(r.epochSeconds(), nowNanos)) {
      epochResets++;
      remapAll();
    }
    if (r.opcode() != PcpCodec.OPCODE_MAP) {
      return true; // an ANNOUNCE: its epoch was all it carried
    }
    Slot s = r.protocol() == 17 ? slots.get(Protocol.UDP) : null;
    if (r.protocol() == 6) {
      s = slots.get(Protocol.TCP);
    }
    if (s == null
        || s.exchange == null
        || r.nonceHigh() != s.nonceHigh
        || r.nonceLow() != s.nonceLow
        || r.internalPort() != s.internalPort) {
      unmatched++; // not an answer to a request in flight (section 11.4)
      return true;
    }
    if (s.exchange == Exchange.DELETE) {
      if (result != PcpResult.SUCCESS || r.lifetimeSeconds() == 0) {
        stop(s);
      } else {
        unmatched++; // a late answer to the request before the deletion
      }
      return true;
    }
    if (result == PcpResult.SUCCESS) {
      if (r.lifetimeSeconds() == 0) {
        unmatched++; // a late answer to an earlier deletion
      } else {
        grant(s, r, nowNanos);
      }
    } else {
      refused(s, result, r.lifetimeSeconds(), nowNanos);
    }
    return true;
  }

  private void refusedVersion(PcpError error) {
    if (serverKind == Server.SPEAKS_PCP
        || (error != PcpError.NAT_PMP_ONLY && error != PcpError.UNSUPPORTED_VERSION)) {
      malformed++; // after PCP answers, a stray packet of another version changes nothing
      return;
    }
    responses++;
    if (error == PcpError.NAT_PMP_ONLY) {
      endAttempt(
          Server.NAT_PMP_ONLY,
          null,
          "the gateway speaks NAT-PMP only, not PCP (it answered in NAT-PMP's version 0): use"
              + " NAT-PMP");
    } else {
      endAttempt(
          Server.OTHER_VERSION,
          PcpResult.UNSUPP_VERSION,
          "the gateway answered in a PCP version other than 2, which natswarm does not speak");
    }
  }

  /** The server cannot be used: every request in flight ends; deletions are simply dropped. */
  private void endAttempt(Server kind, PcpResult result, String why) {
    serverKind = kind;
    for (Slot s : slots.values()) {
      if (s.exchange == null) {
        continue;
      }
      if (s.exchange != Exchange.DELETE) {
        s.status = MappingStatus.FAILED;
        s.held = null;
        s.error = result;
        s.failure = why;
      }
      stop(s);
    }
  }

  /** Section 8.5: the server lost its state; ask for every held mapping again now. */
  private void remapAll() {
    for (Slot s : slots.values()) {
      if (s.held != null && s.status == MappingStatus.HELD) {
        s.status = MappingStatus.REQUESTING;
        start(s, Exchange.MAP);
      }
    }
  }

  private void grant(Slot s, PcpResponse r, long now) {
    long lifetime = Math.min(r.lifetimeSeconds(), MAX_LIFETIME_SECONDS) * SECOND;
    long renewAfter = now + lifetime / 2 + (long) (lifetime * 0.125 * random.nextDouble());
    s.held =
        new PortMapping(
            s.protocol, s.internalPort, r.external(), now + lifetime, renewAfter, "PCP");
    s.grantedNanos = now;
    s.status = MappingStatus.HELD;
    s.error = null;
    s.failure = null;
    stop(s);
  }

  private void refused(Slot s, PcpResult result, long lifetimeSeconds, long now) {
    errors++;
    stop(s);
    s.error = result;
    if (result.shortLifetime()) {
      long wait =
          Math.max(MIN_ERROR_WAIT_SECONDS, Math.min(lifetimeSeconds, MAX_ERROR_WAIT_SECONDS));
      s.status = MappingStatus.WAITING;
      s.retryNanos = now + wait * SECOND;
      s.failure = result.message() + " (in " + wait + " s)";
    } else {
      s.status = MappingStatus.FAILED;
      s.held = null;
      s.failure = result.message();
    }
  }

  @Override
  public boolean pollTransmit(Transmit out, long nowNanos) {
    for (Slot s : slots.values()) {
      if (s.exchange != null && s.transmitDue) {
        write(s, out);
        s.transmitDue = false;
        requestsSent++;
        if (s.sends > 0) {
          retransmissions++;
        }
        s.sends++;
        s.nextNanos =
            s.exchange == Exchange.RENEW ? nextRenewal(s, nowNanos) : s.rtx.transmitted(nowNanos);
        return true;
      }
    }
    return false;
  }

  private void write(Slot s, Transmit out) {
    ByteBuffer b = out.buffer();
    b.clear();
    boolean delete = s.exchange == Exchange.DELETE;
    PortMapping old = s.held;
    PcpCodec.writeMapRequest(
        b,
        client,
        s.nonceHigh,
        s.nonceLow,
        s.protocol,
        s.internalPort,
        delete ? 0 : old != null ? old.external().getPort() : s.internalPort,
        delete || old == null ? null : old.external().getAddress(),
        delete ? 0 : settings.lifetimeSeconds());
    out.setDestination(server);
  }

  /**
   * Section 11.2.1: the k-th resend of a renewal goes out at a random moment in [1 - 2^-(k+1), 1 -
   * 2^-(k+1) + 2^-(k+3)] of the lifetime, at least 4 s after the last; none once the lifetime is
   * over (the mapping then expires).
   */
  private long nextRenewal(Slot s, long now) {
    long goodUntil = s.held.goodUntilNanos();
    int k = Math.min(++s.renewStep, 40);
    double lifetime = goodUntil - s.grantedNanos;
    double fraction =
        1 - Math.scalb(1.0, -(k + 1)) + random.nextDouble() * Math.scalb(1.0, -(k + 3));
    long at = s.grantedNanos + (long) (lifetime * fraction);
    if (Deadlines.isBefore(at, now + MIN_RENEWAL_GAP_NANOS)) {
      at = now + MIN_RENEWAL_GAP_NANOS;
    }
    return Deadlines.isBefore(at, goodUntil) ? at : goodUntil;
  }

  @Override
  public long pollTimeout() {
    long next = Deadlines.NONE;
    for (Slot s : slots.values()) {
      if (s.exchange != null) {
        next = Deadlines.earliest(next, s.nextNanos);
      }
      if (s.held != null) {
        next = Deadlines.earliest(next, s.held.goodUntilNanos());
        if (s.status == MappingStatus.HELD && s.exchange == null) {
          next = Deadlines.earliest(next, s.held.renewAfterNanos());
        }
      }
      if (s.status == MappingStatus.WAITING) {
        next = Deadlines.earliest(next, s.retryNanos);
      }
    }
    return next;
  }

  @Override
  public void handleTimeout(long nowNanos) {
    for (Slot s : slots.values()) {
      if (s.held != null && Deadlines.isDue(s.held.goodUntilNanos(), nowNanos)) {
        expired(s);
      }
      if (s.exchange != null && !s.transmitDue && Deadlines.isDue(s.nextNanos, nowNanos)) {
        if (s.exchange != Exchange.RENEW && s.rtx.exhausted(nowNanos)) {
          gaveUp(s, nowNanos);
        } else {
          s.transmitDue = true;
        }
      }
      if (s.status == MappingStatus.HELD
          && s.exchange == null
          && Deadlines.isDue(s.held.renewAfterNanos(), nowNanos)) {
        renewals++;
        start(s, Exchange.RENEW);
      }
      if (s.status == MappingStatus.WAITING && Deadlines.isDue(s.retryNanos, nowNanos)) {
        s.retryNanos = Deadlines.NONE;
        s.status = MappingStatus.REQUESTING;
        start(s, Exchange.MAP);
      }
    }
  }

  /** The lifetime ran out before a renewal was answered: the mapping is gone; ask anew. */
  private void expired(Slot s) {
    s.held = null;
    if (s.status == MappingStatus.HELD || s.status == MappingStatus.REQUESTING) {
      s.status = MappingStatus.REQUESTING;
      start(s, Exchange.MAP);
    }
  }

  private void gaveUp(Slot s, long now) {
    Exchange gaveUp = s.exchange;
    long seconds = (now - s.rtx.firstSentNanos(now)) / SECOND;
    stop(s);
    if (gaveUp == Exchange.DELETE) {
      return; // released anyway; the gateway forgets the mapping when its lifetime ends
    }
    if (serverKind == Server.UNKNOWN) {
      serverKind = Server.SILENT;
    }
    s.status = MappingStatus.FAILED;
    s.held = null;
    s.error = null;
    s.failure =
        "no answer from the gateway's PCP server at "
            + server.getAddress().getHostAddress()
            + ":"
            + SERVER_PORT
            + " after "
            + s.sends
            + " requests in "
            + seconds
            + " s"
            + (serverKind == Server.SPEAKS_PCP ? " (it answered before)" : "");
  }
}
