package io.natswarm.node.reach;

import io.natswarm.datagram.UdpEndpoint;
import io.natswarm.holepunch.portmap.DefaultRoute;
import io.natswarm.holepunch.portmap.NatPmpClient;
import io.natswarm.holepunch.portmap.PcpClient;
import io.natswarm.holepunch.portmap.PortMapSequence;
import io.natswarm.holepunch.portmap.PortMapping;
import io.natswarm.holepunch.portmap.Protocol;
import io.natswarm.holepunch.portmap.upnp.UpnpConfig;
import io.natswarm.holepunch.portmap.upnp.UpnpMapper;
import io.natswarm.holepunch.portmap.upnp.UpnpStatus;
import io.natswarm.holepunch.stun.BindingDiscovery;
import io.natswarm.node.DaemonThreads;
import io.natswarm.node.net.NodeSocket;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's NAT work off the peer threads: maps the node's port on the gateway (PCP, then NAT-PMP,
 * as holepunch's {@link PortMapSequence} on the node's own socket; then UPnP-IGD for what they did
 * not map, blocking HTTP on this service's thread), keeps the mappings and deletes them on {@link
 * #close}; measures the NAT with STUN from the node's own UDP port (RFC 8489 binding, RFC 5780
 * behaviour) at start and every {@link #STUN_PERIOD}; and hands everything to the {@link
 * ReachabilityMonitor}. The protocol cores run on the socket's event loop; this class only
 * registers them there and reads their results from its own scheduler thread.
 *
 * <p>Thread-safe; {@link #close} is idempotent.
 */
public final class NatService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NatService.class);
  static final Duration STUN_PERIOD = Duration.ofMinutes(30);
  private static final Duration POLL = Duration.ofMillis(200);
  private static final Duration LOOP_CALL = Duration.ofSeconds(5);
  private static final Duration MAP_POLL = Duration.ofMillis(500);
  static final Duration RELEASE_WAIT = Duration.ofSeconds(2);
  static final Duration UPNP_GRACE = Duration.ofSeconds(6);

  private final UdpEndpoint udp;
  private final NodeSocket socket;
  private final ReachabilityMonitor monitor;
  private final InetSocketAddress stunServer;
  private final ScheduledExecutorService scheduler;
  private final SecureRandom random = new SecureRandom();

  private final int port;
  private final PortMapSequence.Settings mappingSettings;
  private PortMapSequence sequence; // registered on the socket's loop; read there only
  private UpnpMapper upnp; // scheduler thread only
  private UpnpStatus upnpStatus;
  private volatile boolean closed;
  private volatile boolean mappingSettled;
  private long mappingStartedNanos; // scheduler thread only

  private BindingDiscovery discovery; // scheduler thread only
  private ScheduledFuture<?> poller; // scheduler thread only

  private NatService(
      UdpEndpoint udp,
      NodeSocket socket,
      ReachabilityMonitor monitor,
      InetSocketAddress stunServer,
      PortMapSequence.Settings mappingSettings) {
    this.udp = udp;
    this.socket = socket;
    this.port = udp.port();
    this.monitor = monitor;
    this.stunServer = stunServer;
    this.mappingSettings = mappingSettings;
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("natswarm-nat"));
  }

  /**
   * Starts the NAT work of a node on {@code udp}, whose cores {@code socket} composed: the STUN
   * measurements and the port-mapping clients run in the socket's slots for them.
   *
   * @param stunServer the STUN server to measure with, or null for none
   * @param portMapping whether to map the node's port on the gateway (never for a node on a
   *     loopback address)
   * @param mappingLifetimeSeconds the lifetime asked of the gateway for each PCP and NAT-PMP
   *     mapping (config {@code nat.port_mapping_lifetime})
   */
  public static NatService start(
      UdpEndpoint udp,
      NodeSocket socket,
      ReachabilityMonitor monitor,
      InetSocketAddress stunServer,
      boolean portMapping,
      int mappingLifetimeSeconds) {
    boolean map = portMapping && !udp.localAddress().getAddress().isLoopbackAddress();
    NatService s =
        new NatService(udp, socket, monitor, stunServer, mappingSettings(mappingLifetimeSeconds));
    if (map) {
      monitor.portMappings(List.of(), "looking for the gateway", null);
      s.scheduler.execute(s::startMapping);
    } else {
      monitor.portMappings(
          List.of(),
          portMapping ? "off (the node listens on loopback)" : "off (nat.port_mapping)",
          null);
      s.mappingSettled = true;
    }
    if (stunServer != null) {
      var unused =
          s.scheduler.scheduleWithFixedDelay(
              s::measure, 0, STUN_PERIOD.toMillis(), TimeUnit.MILLISECONDS);
    }
    return s;
  }

  /** Both RFCs' timers, asking for {@code lifetimeSeconds} with PCP and with NAT-PMP. */
  static PortMapSequence.Settings mappingSettings(int lifetimeSeconds) {
    PcpClient.Settings pcp = PcpClient.Settings.defaults();
    NatPmpClient.Settings natPmp = NatPmpClient.Settings.defaults();
    return new PortMapSequence.Settings(
        new PcpClient.Settings(
            pcp.irtNanos(), pcp.mrtNanos(), pcp.mrc(), pcp.mrdNanos(), lifetimeSeconds),
        new NatPmpClient.Settings(natPmp.initialRtoNanos(), natPmp.attempts(), lifetimeSeconds));
  }

  /**
   * Whether port mapping has an answer: mappings held, or every protocol's refusal or silence (PCP
   * and NAT-PMP time out in about 45 s; UPnP-IGD's search takes 3 s), or it is off.
   */
  public boolean mappingSettled() {
    return mappingSettled;
  }

  private void measure() {
    try {
      InetSocketAddress local = LocalRoute.toward(stunServer, udp.localAddress());
      discovery =
          udp.call(
              () -> {
                BindingDiscovery d =
                    new BindingDiscovery(
                        stunServer,
                        local,
                        true,
                        BindingDiscovery.Settings.defaults(),
                        random,
                        udp.clock().nanoTime());
                var unused = socket.stun().install(d); // the previous measurement is done
                return d;
              },
              LOOP_CALL);
      BindingDiscovery d = discovery;
      poller =
          scheduler.scheduleWithFixedDelay(
              () -> checkDone(d), POLL.toMillis(), POLL.toMillis(), TimeUnit.MILLISECONDS);
    } catch (IOException | RuntimeException e) {
      LOG.debug("STUN with {} did not start: {}", stunServer, e.toString());
    }
  }

  private void checkDone(BindingDiscovery d) {
    try {
      BindingDiscovery.Result r = udp.call(() -> d.finished() ? d.result() : null, LOOP_CALL);
      if (r == null) {
        return;
      }
      poller.cancel(false);
      if (r.outcome() == BindingDiscovery.Outcome.DONE) {
        monitor.stunMeasured(stunServer, r.mapped(), r.mapping(), r.filtering());
      } else {
        LOG.info("STUN with {}: {}", stunServer, r.outcome());
        monitor.stunFailed(
            stunServer, r.outcome() + (r.errorCode() > 0 ? " " + r.errorCode() : ""));
      }
    } catch (IOException | RuntimeException e) {
      poller.cancel(false); // the socket closed
    }
  }

  // ------------------------------------------------------------------ port mapping

  /** Finds the gateway and starts PCP, then NAT-PMP, on the node's socket. */
  private void startMapping() {
    Optional<DefaultRoute> route = DefaultRoute.ipv4();
    if (route.isEmpty()) {
      monitor.portMappings(
          List.of(),
          "no gateway: this host has no IPv4 default route",
          "no IPv4 default route, so no gateway to ask");
      mappingSettled = true;
      return;
    }
    DefaultRoute r = route.get();
    InetAddress self =
        LocalRoute.toward(new InetSocketAddress(r.gateway(), 5351), udp.localAddress())
            .getAddress();
    if (self.isAnyLocalAddress()) {
      self = r.lanAddress();
    }
    InetAddress client = self;
    try {
      sequence =
          udp.call(
              () -> {
                PortMapSequence s =
                    new PortMapSequence(r.gateway(), client, port, mappingSettings, random);
                var unused = socket.portMapping().install(s);
                s.start(udp.clock().nanoTime());
                return s;
              },
              LOOP_CALL);
    } catch (IOException | RuntimeException e) {
      LOG.debug("port mapping did not start: {}", e.toString());
      mappingSettled = true;
      return;
    }
    mappingStartedNanos = System.nanoTime();
    var unused =
        scheduler.scheduleWithFixedDelay(
            this::followMapping, MAP_POLL.toMillis(), MAP_POLL.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Reads the sequence's state, tries UPnP-IGD when it says so, and tells the monitor. */
  private void followMapping() {
    PortMapSequence s = sequence;
    PortMapSequence.Status st;
    long restarts;
    try {
      st = udp.call(s::status, LOOP_CALL);
      restarts = udp.call(() -> gatewayRestarts(s), LOOP_CALL);
    } catch (IOException | RuntimeException e) {
      return; // closing
    }
    monitor.gatewayRestarts(restarts);
    boolean trying =
        st.stage() == PortMapSequence.Stage.TRYING_PCP
            || st.stage() == PortMapSequence.Stage.TRYING_NAT_PMP;
    // A gateway that speaks neither PCP nor NAT-PMP stays silent: PCP gives up only after ~45 s.
    // UPnP-IGD starts beside them after UPNP_GRACE, as libtorrent runs its mappers side by side.
    boolean upnpDue =
        st.tryUpnp() || (trying && System.nanoTime() - mappingStartedNanos > UPNP_GRACE.toNanos());
    if (upnpDue && !closed) {
      UpnpStatus before = upnpStatus;
      upnpStatus = upnpStep(st);
      if (upnpStatus != null && !upnpStatus.equals(before)) {
        for (var f : upnpStatus.failures()) {
          LOG.info("UPnP-IGD: {}", f.message()); // a hostile or broken device says why here
        }
      }
    }
    List<PortMapping> held = new ArrayList<>(st.mappings());
    List<String> problems = new ArrayList<>(st.reasons());
    if (upnpStatus != null) {
      held.addAll(upnpStatus.mappings());
      for (var f : upnpStatus.failures()) {
        problems.add("UPnP-IGD: " + f.message());
      }
    }
    boolean settled =
        st.stage() != PortMapSequence.Stage.TRYING_PCP
            && st.stage() != PortMapSequence.Stage.TRYING_NAT_PMP
            && st.stage() != PortMapSequence.Stage.NOT_STARTED;
    String status;
    if (!held.isEmpty()) {
      status = describe(held);
    } else if (!settled) {
      status =
          st.summary()
              + (upnpStatus == null || upnpStatus.failures().isEmpty()
                  ? ""
                  : "; "
                      + String.join("; ", problems.subList(st.reasons().size(), problems.size())));
    } else {
      status = "no mapping: " + String.join("; ", problems);
    }
    monitor.portMappings(
        held, status, held.isEmpty() && settled ? String.join("; ", problems) : null);
    boolean upnpHoldsAll = upnpStatus != null && upnpStatus.mappings().size() == 2;
    if ((settled && (!st.tryUpnp() || upnpStatus != null)) || upnpHoldsAll) {
      mappingSettled = true;
    }
  }

  /** Restarts the gateway's epoch showed (RFC 6887 section 8.5, RFC 6886 section 3.6). */
  private static long gatewayRestarts(PortMapSequence s) {
    NatPmpClient natPmp = s.natPmp();
    return s.pcp().counters().epochResets()
        + (natPmp == null ? 0 : natPmp.counters().epochResets());
  }

  /** One UPnP-IGD step: map what PCP and NAT-PMP did not, then keep it. Blocks (bounded). */
  private UpnpStatus upnpStep(PortMapSequence.Status st) {
    long now = System.nanoTime();
    if (upnp == null) {
      Optional<DefaultRoute> route = DefaultRoute.ipv4();
      if (route.isEmpty()) {
        return null;
      }
      upnp = new UpnpMapper(UpnpConfig.forLan(route.get().lanAddress()));
      Set<Protocol> missing = EnumSet.allOf(Protocol.class);
      for (PortMapping m : st.mappings()) {
        missing.remove(m.protocol());
      }
      return upnp.map(port, missing);
    }
    if (upnpStatus != null && now - upnpStatus.nextActionNanos() < 0) {
      return upnpStatus;
    }
    return upnp.maintain();
  }

  private static String describe(List<PortMapping> held) {
    List<String> parts = new ArrayList<>();
    for (PortMapping m : held) {
      parts.add(
          m.protocol()
              + " as "
              + m.external().getAddress().getHostAddress()
              + ":"
              + m.external().getPort()
              + " ("
              + m.via()
              + ")");
    }
    return "mapped: " + String.join(", ", parts);
  }

  /**
   * Releases every mapping (PCP and NAT-PMP deletes on the socket, waiting up to {@link
   * #RELEASE_WAIT} for the gateway's answers; UPnP-IGD deletes, bounded by its HTTP timeouts), then
   * stops. Call before the socket closes.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    scheduler.shutdownNow();
    try {
      scheduler.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    PortMapSequence s = sequence;
    if (s != null) {
      try {
        udp.call(
            () -> {
              s.release(udp.clock().nanoTime());
              return null;
            },
            LOOP_CALL);
        long deadline = System.nanoTime() + RELEASE_WAIT.toNanos();
        while (!udp.call(s::idle, LOOP_CALL) && System.nanoTime() - deadline < 0) {
          Thread.sleep(20);
        }
        udp.call(() -> socket.portMapping().install(null), LOOP_CALL);
      } catch (IOException | RuntimeException e) {
        LOG.debug("releasing the port mappings: {}", e.toString());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    UpnpMapper u = upnp;
    if (u != null) {
      try {
        u.release();
      } catch (RuntimeException e) {
        LOG.debug("releasing the UPnP-IGD mappings: {}", e.toString());
      }
      u.close();
    }
  }
}
