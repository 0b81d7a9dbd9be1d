package io.natswarm.node.net;

import io.natswarm.datagram.DatagramKind;
import io.natswarm.datagram.Demultiplexer;
import io.natswarm.datagram.Transmit;
import io.natswarm.datagram.UdpEndpoint;
import io.natswarm.dht.DhtNode;
import io.natswarm.holepunch.portmap.PortMapSequence;
import io.natswarm.holepunch.punch.PunchProbes;
import io.natswarm.holepunch.reach.DialBackProbes;
import io.natswarm.holepunch.stun.BindingDiscovery;
import io.natswarm.holepunch.turn.TurnClient;
import io.natswarm.utp.UtpConnection;
import io.natswarm.utp.UtpStack;
import io.natswarm.utp.UtpState;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * The composition root of a node's one UDP socket (docs/ARCHITECTURE.md, "The composition root"):
 * builds the protocol cores from {@link NodeSocketSettings} and registers them on one {@link
 * Demultiplexer} — µTP under {@link DatagramKind#UTP} (and as the unclaimed handler, which answers
 * packets of unknown connections with ST_RESET), a DHT node per configured address family under
 * {@link DatagramKind#KRPC} (each declines the other family), a {@link CoreSlot} for STUN under
 * {@link DatagramKind#STUN} (each measurement installs its {@link BindingDiscovery} there), a slot
 * for the port-mapping clients under {@link DatagramKind#PORT_MAPPING} (PCP then NAT-PMP, once the
 * gateway is known), and under {@link DatagramKind#HOLEPUNCH_PROBE} the dial-back probe receiver
 * and the hole-punch prober ({@link PunchProbes}, BEP 55's punch from this socket), and a slot for
 * the TURN client under {@link DatagramKind#STUN} (before binding discovery) and {@link
 * DatagramKind#TURN_CHANNEL}, whose {@link TurnClient#wrap} is the demultiplexer's egress filter:
 * what a core sends to a peer reached through the TURN relay leaves wrapped toward the server,
 * except the µTP connections marked to go direct ({@link #sendDirect}). This is the only place that
 * decides what shares the socket: the services that run STUN and port mapping fill the slots, they
 * never register cores themselves.
 *
 * <p>The result is hosted either by a real {@link UdpEndpoint} ({@link #open}) or, in tests, by a
 * netsim host that binds {@link #demultiplexer()} to a port: the same objects in both.
 *
 * <p>Owned by the host's thread: every core in it may be touched only there.
 */
public final class NodeSocket {
  private static final Duration LOOP_CALL_TIMEOUT = Duration.ofSeconds(10);

  /** BEP 29's header: type and version, extension, connection id, and 16 bytes more. */
  private static final int UTP_HEADER_BYTES = 20;

  private final Demultiplexer demultiplexer;
  private final UtpStack utp;
  private final DhtNode dhtV4;
  private final DhtNode dhtV6;
  private final CoreSlot<BindingDiscovery> stun = new CoreSlot<>();
  private final CoreSlot<PortMapSequence> portMapping = new CoreSlot<>();
  private final CoreSlot<TurnClient> turn = new CoreSlot<>();
  private final DialBackProbes probes = new DialBackProbes();
  private final PunchProbes punches = new PunchProbes(PunchProbes.Settings.DEFAULTS);

  /** At most this many µTP connections pass the TURN client's egress filter unwrapped at once. */
  static final int MAX_DIRECT = 16;

  /** µTP connections whose datagrams bypass TURN ({@link #sendDirect}); null or closed: free. */
  private final UtpConnection[] direct = new UtpConnection[MAX_DIRECT];

  private int directCount;

  private NodeSocket(Demultiplexer demultiplexer, UtpStack utp, DhtNode dhtV4, DhtNode dhtV6) {
    this.demultiplexer = demultiplexer;
    this.utp = utp;
    this.dhtV4 = dhtV4;
    this.dhtV6 = dhtV6;
  }

  /**
   * Builds the cores of {@code settings} and registers them on {@code demultiplexer}, on the thread
   * that hosts it, at {@code nowNanos} on the host's clock.
   */
  public static NodeSocket compose(
      NodeSocketSettings settings, Demultiplexer demultiplexer, long nowNanos) {
    UtpStack utp = new UtpStack(settings.utp(), settings.utpRandom().get());
    DhtNode v4 =
        settings.dhtV4() == null
            ? null
            : new DhtNode(settings.dhtV4(), settings.dhtPort(), nowNanos);
    DhtNode v6 =
        settings.dhtV6() == null
            ? null
            : new DhtNode(settings.dhtV6(), settings.dhtPort(), nowNanos);
    demultiplexer.register(DatagramKind.UTP, utp);
    demultiplexer.setUnclaimedHandler(utp::resetUnknown);
    if (v4 != null) {
      v4.judgeUnsolicitedBy(demultiplexer.recentDestinations());
      demultiplexer.register(DatagramKind.KRPC, v4);
    }
    if (v6 != null) {
      v6.judgeUnsolicitedBy(demultiplexer.recentDestinations());
      demultiplexer.register(DatagramKind.KRPC, v6);
    }
    NodeSocket socket = new NodeSocket(demultiplexer, utp, v4, v6);
    demultiplexer.register(DatagramKind.STUN, socket.turn);
    demultiplexer.register(DatagramKind.TURN_CHANNEL, socket.turn);
    demultiplexer.setEgressFilter(
        (out, now) -> {
          TurnClient c = socket.turn.current();
          if (c != null && !socket.isDirect(out)) {
            var unused = c.wrap(out, now);
          }
        });
    demultiplexer.register(DatagramKind.STUN, socket.stun);
    demultiplexer.register(DatagramKind.PORT_MAPPING, socket.portMapping);
    demultiplexer.register(DatagramKind.HOLEPUNCH_PROBE, socket.probes);
    demultiplexer.register(DatagramKind.HOLEPUNCH_PROBE, socket.punches);
    // A triggered check: a punch probe from the other side means its NAT is open to us by now, so
    // a SYN of ours that it met too early goes again at once, not a second later at its timer.
    socket.punches.addHeardListener((from, now) -> utp.triggerSyn(from));
    return socket;
  }

  /** Composes {@code settings} on {@code endpoint}'s own demultiplexer, on its loop thread. */
  public static NodeSocket open(UdpEndpoint endpoint, NodeSocketSettings settings)
      throws IOException {
    return endpoint.call(
        () -> compose(settings, endpoint.demultiplexer(), endpoint.clock().nanoTime()),
        LOOP_CALL_TIMEOUT);
  }

  /** The socket's demultiplexer: the one core its host drives. */
  public Demultiplexer demultiplexer() {
    return demultiplexer;
  }

  /** The µTP stack. */
  public UtpStack utp() {
    return utp;
  }

  /** The IPv4 DHT node, or null when the settings have none. */
  public DhtNode dhtV4() {
    return dhtV4;
  }

  /** The IPv6 DHT node, or null when the settings have none. */
  public DhtNode dhtV6() {
    return dhtV6;
  }

  /** Where the current STUN measurement runs (empty until the first). Host thread only. */
  public CoreSlot<BindingDiscovery> stun() {
    return stun;
  }

  /** Where the TURN client runs (empty unless a TURN server is configured). Host thread only. */
  public CoreSlot<TurnClient> turn() {
    return turn;
  }

  /** Where the port-mapping clients run (empty until the gateway is known). Host thread only. */
  public CoreSlot<PortMapSequence> portMapping() {
    return portMapping;
  }

  /** The receiver of dial-back probes (the reachability self-test over µTP). */
  public DialBackProbes probes() {
    return probes;
  }

  /** The hole-punch prober (BEP 55's UDP punch from this socket). Host thread only. */
  public PunchProbes punches() {
    return punches;
  }

  /**
   * Sends what µTP connection {@code c} sends straight to its peer, never through the TURN relay,
   * even where the TURN client relays for the peer's address (a direct retry while a connection
   * with that peer runs through TURN: its permission covers the whole address). Call on the
   * socket's thread before the connection's SYN leaves ({@code UtpSocket.connect}'s hook). Holds up
   * to {@link #MAX_DIRECT} open connections; past that, the slots are taken over in turn.
   */
  public void sendDirect(UtpConnection c) {
    int free = -1;
    for (int i = 0; i < direct.length; i++) {
      UtpConnection d = direct[i];
      if (d == null || d.state() == UtpState.CLOSED) {
        free = i;
        break;
      }
    }
    if (free < 0) {
      free = directCount % direct.length; // all open: each slot in turn
    }
    direct[free] = c;
    directCount++;
  }

  /**
   * Whether {@code out} is a µTP datagram of a connection marked by {@link #sendDirect}: its type
   * and version say µTP, and its connection id (the SYN's is the connection's receive id, every
   * later packet's its send id) and destination are that connection's.
   */
  private boolean isDirect(Transmit out) {
    if (directCount == 0) {
      return false;
    }
    ByteBuffer b = out.buffer();
    if (b.position() < UTP_HEADER_BYTES || (b.get(0) & 0x0F) != 1 || (b.get(0) & 0xF0) > 0x40) {
      return false;
    }
    int id = ((b.get(2) & 0xFF) << 8) | (b.get(3) & 0xFF);
    InetSocketAddress to = out.destination();
    for (UtpConnection d : direct) {
      if (d != null
          && (d.sendId() == id || d.receiveId() == id)
          && d.state() != UtpState.CLOSED
          && d.remoteAddress().equals(to)) {
        return true;
      }
    }
    return false;
  }
}
