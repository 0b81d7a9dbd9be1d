package io.natswarm.holepunch.portmap;

import io.natswarm.datagram.DatagramCore;
import io.natswarm.datagram.Deadlines;
import io.natswarm.datagram.Transmit;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * The node's port mapping on its gateway over the protocols spoken on the gateway's UDP port 5351,
 * as one sans-IO core on the node's socket: the node's one port number, for UDP and TCP, asked for
 * first with PCP (RFC 6887), then with NAT-PMP (RFC 6886) when PCP is not spoken there: a version-0
 * answer (RFC 6887 section 9), another PCP version, or no answer before {@link
 * PcpClient.Settings#mrc} requests. Whichever protocol answers keeps the mappings (renewal, a
 * restarted gateway, release).
 *
 * <p>The seam to UPnP-IGD, which runs on its own thread ({@code portmap.upnp.UpnpMapper}): when
 * {@link Status#tryUpnp()} is true, neither protocol answered, or the one that answered refused a
 * protocol, and the node should ask UPnP-IGD for what {@link #mapping} lacks.
 *
 * <p>Owned by the thread of the socket it is registered on; never blocks or reads a clock.
 */
public final class PortMapSequence implements DatagramCore {

  /**
   * Settings of the two clients.
   *
   * @param pcp PCP's; its give-up ({@link PcpClient.Settings#mrc}, {@link
   *     PcpClient.Settings#mrdNanos}) decides how long a silent gateway holds up NAT-PMP
   * @param natPmp NAT-PMP's
   */
  public record Settings(PcpClient.Settings pcp, NatPmpClient.Settings natPmp) {
    /** Both RFCs' timers, PCP giving up after 4 requests (about 45 s). */
    public static Settings defaults() {
      return new Settings(PcpClient.Settings.defaults(), NatPmpClient.Settings.defaults());
    }

    /** Checks that both are given. */
    public Settings {
      Objects.requireNonNull(pcp);
      Objects.requireNonNull(natPmp);
    }
  }

  /** Where the sequence stands. */
  public enum Stage {
    /** {@link #start} not called yet. */
    NOT_STARTED,
    /** PCP asked, no answer yet. */
    TRYING_PCP,
    /** The gateway does not speak PCP; NAT-PMP asked, no answer yet. */
    TRYING_NAT_PMP,
    /** The gateway answers PCP: it holds (or refused) the mappings. */
    USING_PCP,
    /** The gateway answers NAT-PMP: it holds (or refused) the mappings. */
    USING_NAT_PMP,
    /** Neither PCP nor NAT-PMP answered: try UPnP-IGD. */
    NO_ANSWER,
    /** The mappings were released. */
    RELEASED
  }

  /**
   * A snapshot for a person and for the node.
   *
   * @param stage where the sequence stands
   * @param protocol "PCP" or "NAT-PMP" once one answered, else null
   * @param mappings the mappings held, at most one per {@link Protocol}
   * @param reasons why the other protocols, or a refused mapping, did not work, each for a person
   * @param tryUpnp true when the node should try UPnP-IGD for the protocols without a mapping
   * @param summary one line for a person: what is mapped where, or why nothing is
   */
  public record Status(
      Stage stage,
      String protocol,
      List<PortMapping> mappings,
      List<String> reasons,
      boolean tryUpnp,
      String summary) {
    /** Copies the lists. */
    public Status {
      mappings = List.copyOf(mappings);
      reasons = List.copyOf(reasons);
    }
  }

  private static final String PCP = "PCP";
  private static final String NAT_PMP = "NAT-PMP";

  private final InetAddress gateway;
  private final int port;
  private final PcpClient pcp;
  private final NatPmpClient natPmp; // null for an IPv6 gateway: NAT-PMP is IPv4 only
  private final List<String> reasons = new ArrayList<>();

  private Stage stage = Stage.NOT_STARTED;
  private PortMapper active;

  /**
   * A sequence for {@code port} on {@code gateway}; nothing is sent before {@link #start}.
   *
   * @param gateway the default gateway (PCP and NAT-PMP servers listen on its port 5351)
   * @param self this host's address towards the gateway, which PCP writes into its requests
   * @param port the node's port, mapped for UDP and TCP
   * @param settings the clients' settings
   * @param random nonces and timer randomisation: a {@link java.security.SecureRandom} outside
   *     tests
   */
  public PortMapSequence(
      InetAddress gateway, InetAddress self, int port, Settings settings, RandomGenerator random) {
    if (port < 1 || port > 0xFFFF) {
      throw new IllegalArgumentException("not a port: " + port);
    }
    this.gateway = gateway;
    this.port = port;
    this.pcp = new PcpClient(gateway, self, settings.pcp(), random);
    this.natPmp =
        gateway instanceof Inet4Address ? new NatPmpClient(gateway, settings.natPmp()) : null;
  }

  /**
   * Starts (or, after {@link Stage#NO_ANSWER} or {@link Stage#RELEASED}, starts again) with PCP;
   * does nothing while a protocol is being tried or used.
   */
  public void start(long nowNanos) {
    if (stage != Stage.NOT_STARTED && stage != Stage.NO_ANSWER && stage != Stage.RELEASED) {
      return;
    }
    reasons.clear();
    stage = Stage.TRYING_PCP;
    active = pcp;
    mapBoth(nowNanos);
  }

  /** Deletes every mapping held or asked for; idempotent. */
  public void release(long nowNanos) {
    if (active == null || stage == Stage.RELEASED) {
      return;
    }
    for (Protocol p : Protocol.values()) {
      active.release(p, nowNanos);
    }
    stage = Stage.RELEASED;
  }

  /** Where the sequence stands. */
  public Stage stage() {
    return stage;
  }

  /** The mapping held for {@code protocol}, or null. */
  public PortMapping mapping(Protocol protocol) {
    return active == null ? null : active.mapping(protocol);
  }

  /** The mappings held, at most one per protocol. */
  public List<PortMapping> mappings() {
    List<PortMapping> held = new ArrayList<>(2);
    for (Protocol p : Protocol.values()) {
      PortMapping m = mapping(p);
      if (m != null) {
        held.add(m);
      }
    }
    return held;
  }

  /** The PCP client, for its counters and details. */
  public PcpClient pcp() {
    return pcp;
  }

  /** The NAT-PMP client (null for an IPv6 gateway), for its counters and details. */
  public NatPmpClient natPmp() {
    return natPmp;
  }

  /** True when nothing is being asked or waited for. */
  public boolean idle() {
    return active == null || active.idle();
  }

  /** A snapshot for a person and for the node. */
  public Status status() {
    List<String> why = new ArrayList<>(reasons);
    boolean refused = false;
    String protocol = null;
    if (stage == Stage.USING_PCP || stage == Stage.USING_NAT_PMP) {
      protocol = stage == Stage.USING_PCP ? PCP : NAT_PMP;
      for (Protocol p : Protocol.values()) {
        if (active.status(p) == MappingStatus.FAILED || active.status(p) == MappingStatus.WAITING) {
          refused |= active.status(p) == MappingStatus.FAILED;
          why.add(protocol + ", " + label(p) + ": " + active.failure(p));
        }
      }
    }
    boolean tryUpnp = stage == Stage.NO_ANSWER || refused;
    return new Status(stage, protocol, mappings(), why, tryUpnp, summary(protocol, why, tryUpnp));
  }

  private String summary(String protocol, List<String> why, boolean tryUpnp) {
    String at = gateway.getHostAddress() + ":" + PcpClient.SERVER_PORT;
    StringBuilder b = new StringBuilder();
    switch (stage) {
      case NOT_STARTED -> b.append("port mapping not started");
      case TRYING_PCP -> b.append("asking ").append(at).append(" for port ").append(port);
      case TRYING_NAT_PMP ->
          b.append("asking ").append(at).append(" for port ").append(port).append(" over NAT-PMP");
      case NO_ANSWER -> b.append("neither PCP nor NAT-PMP answered at ").append(at);
      case RELEASED -> b.append("port mappings released");
      case USING_PCP, USING_NAT_PMP -> {
        b.append(protocol).append(" at ").append(at).append(':');
        for (Protocol p : Protocol.values()) {
          PortMapping m = active.mapping(p);
          b.append(' ').append(label(p));
          if (m != null) {
            b.append(" -> ")
                .append(m.external().getAddress().getHostAddress())
                .append(':')
                .append(m.external().getPort());
          } else {
            b.append(" not mapped");
          }
          b.append(p == Protocol.UDP ? "," : "");
        }
      }
    }
    if (!why.isEmpty()) {
      b.append(" (").append(String.join("; ", why)).append(')');
    }
    if (tryUpnp) {
      b.append(": try UPnP-IGD");
    }
    return b.toString();
  }

  private String label(Protocol p) {
    return port + "/" + (p == Protocol.UDP ? "udp" : "tcp");
  }

  private void mapBoth(long now) {
    for (Protocol p : Protocol.values()) {
      active.map(p, port, now);
    }
  }

  /** Moves on when the protocol being tried has answered or shown it is not spoken. */
  private void advance(long now) {
    if (stage == Stage.TRYING_PCP) {
      PcpClient.Server server = pcp.server();
      if (server == PcpClient.Server.SPEAKS_PCP) {
        stage = Stage.USING_PCP;
      } else if (server != PcpClient.Server.UNKNOWN && pcp.idle()) {
        reasons.add(PCP + ": " + pcp.failure(Protocol.UDP));
        if (natPmp == null) {
          reasons.add(NAT_PMP + ": not tried, it is for IPv4 gateways only");
          stage = Stage.NO_ANSWER;
        } else {
          stage = Stage.TRYING_NAT_PMP;
          active = natPmp;
          mapBoth(now);
        }
      }
    }
    if (stage == Stage.TRYING_NAT_PMP) {
      if (natPmp.answered()) {
        stage = Stage.USING_NAT_PMP;
      } else if (natPmp.idle()) {
        reasons.add(NAT_PMP + ": " + natPmp.failure(Protocol.UDP));
        stage = Stage.NO_ANSWER;
      }
    }
  }

  @Override
  public boolean handleDatagram(ByteBuffer packet, InetSocketAddress from, long nowNanos) {
    if (active == null || !active.handleDatagram(packet, from, nowNanos)) {
      return false;
    }
    advance(nowNanos);
    return true;
  }

  @Override
  public boolean pollTransmit(Transmit out, long nowNanos) {
    return active != null && active.pollTransmit(out, nowNanos);
  }

  @Override
  public long pollTimeout() {
    return active == null ? Deadlines.NONE : active.pollTimeout();
  }

  @Override
  public void handleTimeout(long nowNanos) {
    if (active != null) {
      active.handleTimeout(nowNanos);
      advance(nowNanos);
    }
  }
}
