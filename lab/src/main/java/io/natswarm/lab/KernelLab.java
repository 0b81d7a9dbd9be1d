package io.natswarm.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real-kernel NAT lab made of Linux network namespaces (see LAB.md, "Kernel NAT lab"): a bridge
 * namespace that stands for the internet, NAT routers with nftables rules for each RFC 4787
 * behaviour, and hosts behind them.
 *
 * <p>Every namespace name starts with a prefix unique to this lab, and {@link #close()} deletes
 * exactly the namespaces this lab created, by name. Needs root; {@link #unavailableReason()} says
 * why the lab cannot run here so that tests skip with that reason.
 *
 * <p><b>Delay.</b> This kernel has neither {@code netem} nor {@code gact}, so a router built with
 * {@link RouterOptions#withDelay} gets a userspace link instead of a veth pair (LAB.md, "Delay and
 * loss"): two TAP devices ({@code IFF_TAP|IFF_NO_PI}), {@code wan0} in the router's namespace and
 * its port on the internet's bridge, joined by a small Python process ({@code tap_link.py}, a
 * resource of this package) that holds each Ethernet frame for the delay plus a uniform random
 * jitter, each way, without reordering within a direction, and drops frames beyond a bounded queue
 * ({@value #TAP_QUEUE_FRAMES} a direction). It enters each namespace through {@code
 * /var/run/netns/NAME} to make each device there, so nothing appears in the caller's namespace; the
 * devices are not persistent and vanish with it. The lab starts it, and {@link #close()} (and the
 * shutdown hook) ends it by its PID; it also exits when its standard input closes, that is when the
 * JVM dies. Loss still works on a TAP {@code wan0} (the netdev table's ingress and egress hooks);
 * conntrack, the NAT rules and miniupnpd see an ordinary interface. Behind a carrier NAT, the
 * carrier's options delay its link to the internet and the home router's delay its link to the
 * carrier; a dual-stack router's TAP link carries IPv6 as well. Frames cross the link in a Python
 * loop: fine for handshakes, punching and pings, not a bulk-throughput path.
 *
 * <p>Not thread-safe: one test thread builds and uses a lab.
 */
public final class KernelLab implements AutoCloseable {

  /** How a NAT maps a host's endpoint to external ones (RFC 4787 section 4.1). */
  public enum Mapping {
    /** No NAT: the internet sees the host's own address and port. */
    NO_NAT,
    /** One external endpoint for every destination. */
    ENDPOINT_INDEPENDENT,
    /** A new external endpoint for each destination address. */
    ADDRESS_DEPENDENT,
    /** A new external endpoint for each destination address and port ("symmetric"). */
    ADDRESS_AND_PORT_DEPENDENT
  }

  /** Which inbound packets a NAT lets through a mapping (RFC 4787 section 5). */
  public enum Filtering {
    /** From anyone. */
    ENDPOINT_INDEPENDENT,
    /** Only from addresses the host has sent to. */
    ADDRESS_DEPENDENT,
    /** Only from address and port pairs the host has sent to. */
    ADDRESS_AND_PORT_DEPENDENT
  }

  /**
   * How a lab router translates and filters, as RFC 4787 names it, and the nftables recipe for it
   * (LAB.md, "NAT behaviours with nftables"). Every kind drops unsolicited packets to the router
   * itself (the conntrack clash). The cone kinds' endpoint-independent and address-dependent
   * filtering is for UDP; TCP is filtered address-and-port-dependently by every kind.
   */
  public enum NatKind {
    /** Endpoint-independent mapping and filtering: masquerade plus a dynamic map on the port. */
    FULL_CONE(Mapping.ENDPOINT_INDEPENDENT, Filtering.ENDPOINT_INDEPENDENT),
    /**
     * Endpoint-independent mapping, address-dependent filtering: masquerade plus a dynamic map on
     * the port and the remote address.
     */
    RESTRICTED_CONE(Mapping.ENDPOINT_INDEPENDENT, Filtering.ADDRESS_DEPENDENT),
    /** Endpoint-independent mapping, address-and-port-dependent filtering: Linux's default. */
    PORT_RESTRICTED_CONE(Mapping.ENDPOINT_INDEPENDENT, Filtering.ADDRESS_AND_PORT_DEPENDENT),
    /** Address-and-port-dependent mapping with random ports ({@code masquerade fully-random}). */
    SYMMETRIC(Mapping.ADDRESS_AND_PORT_DEPENDENT, Filtering.ADDRESS_AND_PORT_DEPENDENT),
    /**
     * Address-and-port-dependent mapping with sequential ports, for port prediction: each new UDP
     * or TCP flow through the router gets the next port of {@value #SEQUENTIAL_FIRST_PORT} to
     * {@value #SEQUENTIAL_FIRST_PORT} + {@value #SEQUENTIAL_PORTS} - 1 (an nftables {@code numgen
     * inc} counter mapped to ports), whatever the host's own port.
     */
    SYMMETRIC_SEQUENTIAL(Mapping.ADDRESS_AND_PORT_DEPENDENT, Filtering.ADDRESS_AND_PORT_DEPENDENT);

    /** The first external port of {@link #SYMMETRIC_SEQUENTIAL}. */
    public static final int SEQUENTIAL_FIRST_PORT = 20000;

    /** How many ports {@link #SYMMETRIC_SEQUENTIAL} cycles through. */
    public static final int SEQUENTIAL_PORTS = 1000;

    private final Mapping mapping;
    private final Filtering filtering;

    NatKind(Mapping mapping, Filtering filtering) {
      this.mapping = mapping;
      this.filtering = filtering;
    }

    /** The mapping behaviour this kind is built to have. */
    public Mapping mapping() {
      return mapping;
    }

    /** The filtering behaviour this kind is built to have (for UDP). */
    public Filtering filtering() {
      return filtering;
    }
  }

  /**
   * How to build a router.
   *
   * @param kind its NAT behaviour
   * @param lossPerMille packets dropped at random on its WAN interface, each way, per thousand
   *     (LAB.md's netdev impair table); 0 for none
   * @param udpTimeoutSeconds its conntrack UDP timeouts (unreplied and stream) and the lifetime of
   *     its cone map entries, in seconds; 0 for the kernel's defaults (30 s and 120 s)
   * @param tcpTimeoutSeconds its conntrack timeout for established TCP connections; 0 for the
   *     default (5 days)
   * @param miniupnpd whether miniupnpd runs on it (UPnP-IGD on port {@value #MINIUPNPD_HTTP_PORT},
   *     NAT-PMP and PCP on 5351, secure mode: a host may map only to itself, ports 1024 and up);
   *     the lab then runs a STUN server, which miniupnpd needs
   * @param delayMs how long its WAN link holds each frame, each way, in milliseconds; 0 for none. A
   *     router with a delay or a jitter has a TAP link instead of a veth pair (see the class
   *     Javadoc, "Delay")
   * @param jitterMs a uniformly random 0 to {@code jitterMs} milliseconds added to {@code delayMs}
   *     for each frame, each way, without reordering frames; 0 for none
   */
  public record RouterOptions(
      NatKind kind,
      int lossPerMille,
      int udpTimeoutSeconds,
      int tcpTimeoutSeconds,
      boolean miniupnpd,
      int delayMs,
      int jitterMs) {

    /** The longest delay or jitter a link takes, in milliseconds. */
    public static final int MAX_DELAY_MS = 10_000;

    /** Checks the values. */
    public RouterOptions {
      Objects.requireNonNull(kind, "kind");
      if (lossPerMille < 0 || lossPerMille > 1000) {
        throw new IllegalArgumentException("loss must be 0 to 1000 per mille: " + lossPerMille);
      }
      if (udpTimeoutSeconds < 0 || tcpTimeoutSeconds < 0) {
        throw new IllegalArgumentException("timeouts must be 0 (default) or positive");
      }
      if (delayMs < 0 || delayMs > MAX_DELAY_MS || jitterMs < 0 || jitterMs > MAX_DELAY_MS) {
        throw new IllegalArgumentException(
            "delay and jitter must be 0 to "
                + MAX_DELAY_MS
                + " ms: delay "
                + delayMs
                + ", jitter "
                + jitterMs);
      }
    }

    /** A router without delay: the components as they were before delay and jitter existed. */
    public RouterOptions(
        NatKind kind,
        int lossPerMille,
        int udpTimeoutSeconds,
        int tcpTimeoutSeconds,
        boolean miniupnpd) {
      this(kind, lossPerMille, udpTimeoutSeconds, tcpTimeoutSeconds, miniupnpd, 0, 0);
    }

    /** A router of this kind, without loss or delay, with the default timeouts and no miniupnpd. */
    public static RouterOptions of(NatKind kind) {
      return new RouterOptions(kind, 0, 0, 0, false, 0, 0);
    }

    /** The same router dropping {@code perMille} of a thousand packets each way on its WAN. */
    public RouterOptions withLoss(int perMille) {
      return new RouterOptions(
          kind, perMille, udpTimeoutSeconds, tcpTimeoutSeconds, miniupnpd, delayMs, jitterMs);
    }

    /** The same router with conntrack UDP timeouts (and cone map lifetimes) of {@code seconds}. */
    public RouterOptions withUdpTimeout(int seconds) {
      return new RouterOptions(
          kind, lossPerMille, seconds, tcpTimeoutSeconds, miniupnpd, delayMs, jitterMs);
    }

    /** The same router with a conntrack timeout of {@code seconds} for established TCP. */
    public RouterOptions withTcpTimeout(int seconds) {
      return new RouterOptions(
          kind, lossPerMille, udpTimeoutSeconds, seconds, miniupnpd, delayMs, jitterMs);
    }

    /** The same router running miniupnpd (UPnP-IGD, NAT-PMP and PCP). */
    public RouterOptions withMiniupnpd() {
      return new RouterOptions(
          kind, lossPerMille, udpTimeoutSeconds, tcpTimeoutSeconds, true, delayMs, jitterMs);
    }

    /**
     * The same router whose WAN link holds each frame, each way, for {@code delayMs} plus a uniform
     * random 0 to {@code jitterMs} milliseconds, in order: a round trip through it takes about 2 ×
     * {@code delayMs} + {@code jitterMs} more. Both 0 give a plain veth link again.
     */
    public RouterOptions withDelay(int delayMs, int jitterMs) {
      return new RouterOptions(
          kind, lossPerMille, udpTimeoutSeconds, tcpTimeoutSeconds, miniupnpd, delayMs, jitterMs);
    }

    /** Whether the WAN link is a delaying TAP link rather than a veth pair. */
    boolean delayed() {
      return delayMs > 0 || jitterMs > 0;
    }
  }

  /**
   * A port forwarding that miniupnpd installed on a router (a rule of its {@code
   * prerouting_miniupnpd} chain).
   *
   * @param protocol "udp" or "tcp"
   * @param externalPort the port on the router's WAN address
   * @param internalAddress the LAN host it forwards to
   * @param internalPort the port on that host
   * @param rule the nftables rule as {@code nft list} prints it
   */
  public record PortForward(
      String protocol, int externalPort, String internalAddress, int internalPort, String rule) {}

  private static final String INTERNET_PREFIX = "203.0.113.";

  /**
   * The IPv6 internet: documentation addresses (RFC 3849), routed without NAT. The bridge segment
   * is {@code 2001:db8::/64}; the LAN behind router n is {@code 2001:db8:n::/64}.
   */
  private static final String INTERNET6_PREFIX = "2001:db8::";

  /** The shared address space between a carrier NAT and the home routers behind it (RFC 6598). */
  private static final String CARRIER_PREFIX = "100.64.";

  private static final long COMMAND_TIMEOUT_SECONDS = 20;

  /** The ports a router's own sockets use (its {@code ip_local_port_range}). */
  private static final int ROUTER_PORTS_FIRST = 61000;

  private static final int ROUTER_PORTS_LAST = 61999;

  /** The lifetime of a cone map entry: the kernel's default UDP stream timeout. */
  private static final int DEFAULT_CONE_SECONDS = 120;

  private static final long MINIUPNPD_START_SECONDS = 30;

  /** The port of miniupnpd's UPnP-IGD HTTP server. */
  public static final int MINIUPNPD_HTTP_PORT = 5000;

  /** Frames a delaying TAP link holds at most, each way; it drops the frames beyond. */
  static final int TAP_QUEUE_FRAMES = 1000;

  /** The forwarder of a delaying TAP link, a resource next to this class. */
  private static final String TAP_LINK_SCRIPT = "tap_link.py";

  /** How long a TAP link's forwarder may take to make its devices. */
  private static final long TAP_LINK_START_SECONDS = 10;

  /** Debian's Python, not a pyenv shim that may come first on the PATH (and is slow to start). */
  private static final String PYTHON = "/usr/bin/python3";

  /** A UDP reflector: answers each datagram with "ADDR PORT" of its sender. */
  private static final String REFLECTOR =
      """
      import socket,sys
      s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)
      s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)
      s.bind(('0.0.0.0',int(sys.argv[1])))
      while True:
        d,a=s.recvfrom(2048)
        s.sendto(('%s %d\\n'%a).encode(),a)
      """;

  /** Asks a reflector from a given port: LOCAL_PORT ADDRESS PORT. */
  private static final String REFLEXIVE =
      """
      import socket,sys
      s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)
      s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)
      s.bind(('0.0.0.0',int(sys.argv[1])))
      s.settimeout(0.5)
      for i in range(4):
        s.sendto(b'x',(sys.argv[2],int(sys.argv[3])))
        try:
          print(s.recv(200).decode().strip()); break
        except socket.timeout: pass
      """;

  /** Sends a datagram and prints the first answer in hex: LOCAL_PORT ADDRESS PORT HEX. */
  private static final String EXCHANGE =
      """
      import socket,sys
      s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)
      s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)
      s.bind(('0.0.0.0',int(sys.argv[1])))
      s.settimeout(0.5)
      for i in range(4):
        s.sendto(bytes.fromhex(sys.argv[4]),(sys.argv[2],int(sys.argv[3])))
        try:
          print(s.recv(2048).hex()); break
        except socket.timeout: pass
      """;

  /** NAT-PMP's and PCP's server port (RFC 6886, RFC 6887). */
  public static final int NAT_PMP_PORT = 5351;

  private static final List<String> MINIUPNPD_CHAINS =
      List.of("miniupnpd", "prerouting_miniupnpd", "postrouting_miniupnpd");

  /** miniupnpd 2.3.1 matches the protocol by the IPv4 header's byte 9: {@code @nh,72,8 0x11}. */
  private static final Pattern NH_PROTOCOL = Pattern.compile("@nh,72,8 0x([0-9a-fA-F]+)");

  private static final Pattern NAMED_PROTOCOL = Pattern.compile("\\b(udp|tcp) dport");
  private static final Pattern DPORT = Pattern.compile("\\bdport (\\d+)");
  private static final Pattern DNAT_TO = Pattern.compile("dnat (?:ip )?to ([0-9.]+):(\\d+)");

  /** Labs not yet closed, closed by a shutdown hook when the JVM is ended early. */
  private static final Set<KernelLab> OPEN = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  for (KernelLab lab : OPEN) {
                    lab.close();
                  }
                },
                "KernelLab-cleanup"));
  }

  private final String prefix;
  private final Deque<String> namespaces = new ArrayDeque<>();
  private int nextRouter = 1;
  private int nextPublicHost = 1;

  /** Dual-stack routers by number, and the public hosts, for the IPv6 routes between them. */
  private final List<Integer> routers6 = new ArrayList<>();

  private final List<String> publicHosts6 = new ArrayList<>();

  /** Servers this lab started, ended (by their process) before the namespaces go. */
  private final List<Process> servers = new ArrayList<>();

  /**
   * The forwarders of delaying TAP links (see the class Javadoc), by the namespace of the router
   * whose WAN link each is; ended by their PIDs in {@link #close()}.
   */
  private final Map<String, Process> tapLinks = new LinkedHashMap<>();

  /** miniupnpd by router namespace. */
  private final Map<String, Miniupnpd> miniupnpds = new LinkedHashMap<>();

  /** The STUN server's primary endpoint once started. */
  private String stunServer;

  /** Where miniupnpd's configuration, pid files and logs go; made when first needed. */
  private Path tempDir;

  private KernelLab(String prefix) {
    this.prefix = prefix;
  }

  /** Creates an empty lab whose namespaces are named {@code nsw<random>-...}. */
  public static KernelLab create() throws IOException {
    String prefix =
        "nsw" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
    KernelLab lab = new KernelLab(prefix);
    OPEN.add(lab);
    try {
      lab.createInternet();
    } catch (IOException | RuntimeException e) {
      lab.close();
      throw e;
    }
    return lab;
  }

  /**
   * Why the lab cannot run on this machine, or {@code null} when it can: it needs root (to create
   * network namespaces), iproute2 and nftables.
   */
  public static String unavailableReason() {
    if (System.getenv("NATSWARM_NOT_ROOT") != null) {
      return "needs root: the kernel NAT lab creates network namespaces (run ./run-tests as root)";
    }
    for (String tool : new String[] {"ip", "nft"}) {
      if (!onPath(tool)) {
        return "needs '"
            + tool
            + "' (Debian packages iproute2 and nftables; ./run-tests as root installs them)";
      }
    }
    String probe = "nswprobe" + ProcessHandle.current().pid();
    try {
      Result add = exec("ip", "netns", "add", probe);
      if (add.status != 0) {
        return "cannot create a network namespace (needs root): " + add.output.strip();
      }
      exec("ip", "netns", "del", probe);
      return null;
    } catch (IOException e) {
      return "cannot run 'ip netns': " + e.getMessage();
    }
  }

  /** The prefix of every namespace name of this lab. */
  public String prefix() {
    return prefix;
  }

  /** The namespace that holds the bridge standing for the internet. */
  public String internet() {
    return prefix + "-pub";
  }

  /**
   * Adds a NAT router on the internet and one host behind it, and returns the host. The router's
   * public address is {@code 203.0.113.(10+n)}, the host's {@code 10.0.n.2}, the router's LAN
   * address (the host's gateway) {@code 10.0.n.1}.
   */
  public LabHost addHostBehindNat(NatKind kind) throws IOException {
    return addHostBehindNat(RouterOptions.of(kind));
  }

  /**
   * Like {@link #addHostBehindNat(NatKind)}, with a router built as {@code options} say; with a
   * delay or jitter, its {@code wan0} is a delaying TAP link (see the class Javadoc).
   */
  public LabHost addHostBehindNat(RouterOptions options) throws IOException {
    int n = nextRouter++;
    String router = prefix + "-r" + n;
    String host = prefix + "-h" + n;
    addNamespace(router);
    addNamespace(host);
    String wan = INTERNET_PREFIX + (10 + n);
    String lanNet = "10.0." + n;
    linkToInternet(router, "wan0", "r" + n, wan, options);
    linkLan(router, host, lanNet);
    configureRouter(router, wan, lanNet, options);
    return new LabHost(
        host, lanNet + ".2", wan, options.kind(), null, router, lanNet + ".1", null, null);
  }

  /**
   * Adds a host behind a home NAT behind a carrier-grade NAT (RFC 6598): the carrier router has the
   * public address {@code 203.0.113.(10+n)} and the shared address space {@code 100.64.n.0/24} on
   * its LAN side, where the home router has {@code 100.64.n.2}; the host is {@code 10.0.n.2} behind
   * the home router ({@code 10.0.n.1}). The host's {@link LabHost#router()} is the home router,
   * {@link LabHost#carrierRouter()} the carrier's.
   */
  public LabHost addHostBehindCarrierNat(NatKind home, NatKind carrier) throws IOException {
    return addHostBehindCarrierNat(RouterOptions.of(home), RouterOptions.of(carrier));
  }

  /**
   * Like {@link #addHostBehindCarrierNat(NatKind, NatKind)}, with both routers' options. A delay of
   * {@code carrier} is on the carrier's link to the internet, a delay of {@code home} on the home
   * router's link to the carrier (each router's {@code wan0}); loss likewise.
   */
  public LabHost addHostBehindCarrierNat(RouterOptions home, RouterOptions carrier)
      throws IOException {
    int n = nextRouter++;
    String carrierRouter = prefix + "-c" + n;
    String router = prefix + "-r" + n;
    String host = prefix + "-h" + n;
    addNamespace(carrierRouter);
    addNamespace(router);
    addNamespace(host);
    String wan = INTERNET_PREFIX + (10 + n);
    String sharedNet = CARRIER_PREFIX + n;
    String lanNet = "10.0." + n;
    linkToInternet(carrierRouter, "wan0", "r" + n, wan, carrier);
    wire(router, carrierRouter, "lan0", router, "wan0", home);
    run("ip", "-n", carrierRouter, "addr", "add", sharedNet + ".1/24", "dev", "lan0");
    run("ip", "-n", carrierRouter, "link", "set", "lan0", "up");
    run("ip", "-n", router, "addr", "add", sharedNet + ".2/24", "dev", "wan0");
    run("ip", "-n", router, "link", "set", "wan0", "up");
    run("ip", "-n", router, "route", "add", "default", "via", sharedNet + ".1");
    linkLan(router, host, lanNet);
    configureRouter(carrierRouter, wan, sharedNet, carrier);
    configureRouter(router, sharedNet + ".2", lanNet, home);
    return new LabHost(
        host,
        lanNet + ".2",
        wan,
        home.kind(),
        null,
        router,
        lanNet + ".1",
        carrier.kind(),
        carrierRouter);
  }

  /**
   * Makes {@code ifname} in router {@code namespace} a port of the internet's bridge at {@code ip}:
   * a veth pair, or a delaying TAP link when {@code o} has a delay.
   */
  private void linkToInternet(
      String namespace, String ifname, String bridgePort, String ip, RouterOptions o)
      throws IOException {
    wire(namespace, namespace, ifname, internet(), bridgePort, o);
    run("ip", "-n", internet(), "link", "set", bridgePort, "master", "br0", "up");
    run("ip", "-n", namespace, "addr", "add", ip + "/24", "dev", ifname);
    run("ip", "-n", namespace, "link", "set", ifname, "up");
  }

  /**
   * Joins {@code ifA} in {@code nsA} to {@code ifB} in {@code nsB}, both left down: a veth pair
   * made inside the namespaces (nothing appears in the caller's namespace), or, when {@code o} has
   * a delay or jitter, a TAP link whose forwarder is kept as {@code router}'s.
   */
  private void wire(String router, String nsA, String ifA, String nsB, String ifB, RouterOptions o)
      throws IOException {
    if (!o.delayed()) {
      run("ip", "-n", nsA, "link", "add", ifA, "type", "veth", "peer", "name", ifB, "netns", nsB);
      return;
    }
    Path script = tempDir().resolve(TAP_LINK_SCRIPT);
    if (!Files.exists(script)) {
      try (var in = KernelLab.class.getResourceAsStream(TAP_LINK_SCRIPT)) {
        if (in == null) {
          throw new IOException("resource " + TAP_LINK_SCRIPT + " is missing from the lab's jar");
        }
        Files.write(script, in.readAllBytes());
      }
    }
    // Not "ip netns exec": the forwarder enters each namespace itself. Its stdin stays a pipe from
    // this JVM, so that it exits when the JVM dies without running the shutdown hook.
    Process p =
        new ProcessBuilder(
                PYTHON,
                script.toString(),
                nsA,
                ifA,
                nsB,
                ifB,
                Integer.toString(o.delayMs()),
                Integer.toString(o.jitterMs()),
                Integer.toString(TAP_QUEUE_FRAMES))
            .redirectErrorStream(true)
            .start();
    tapLinks.put(router, p);
    String said = awaitLine(p, TAP_LINK_START_SECONDS);
    if (!said.equals("ready")) {
      stop(p);
      tapLinks.remove(router);
      throw new IOException(
          "the TAP link " + nsA + "/" + ifA + " - " + nsB + "/" + ifB + " did not start: " + said);
    }
  }

  /**
   * The first line {@code p} prints, or, when it exits or stays silent for {@code seconds} first,
   * what it printed and why it is not a line.
   */
  private static String awaitLine(Process p, long seconds) throws IOException {
    var out = p.getInputStream();
    StringBuilder line = new StringBuilder();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (true) {
      if (out.available() > 0) {
        int c = out.read();
        if (c == '\n') {
          return line.toString();
        }
        line.append((char) c);
      } else if (!p.isAlive()) {
        line.append(new String(out.readAllBytes(), StandardCharsets.UTF_8));
        return line.toString().strip() + " (exited with " + p.exitValue() + ")";
      } else if (System.nanoTime() > deadline) {
        return line + " (nothing more within " + seconds + " s)";
      } else {
        pause(10);
      }
    }
  }

  /**
   * The PID of the process that forwards the delaying TAP link on the WAN of {@code router} (a
   * router namespace: {@link LabHost#router()} or {@link LabHost#carrierRouter()}), or empty when
   * that router's WAN is a plain veth pair or the lab is closed.
   */
  public synchronized OptionalLong tapLinkPid(String router) {
    Process p = tapLinks.get(router);
    return p == null ? OptionalLong.empty() : OptionalLong.of(p.pid());
  }

  /** Links {@code router}'s lan0 ({@code NET.1/24}) to {@code host}'s eth0 ({@code NET.2}). */
  private static void linkLan(String router, String host, String lanNet) throws IOException {
    run(
        "ip", "-n", router, "link", "add", "lan0", "type", "veth", "peer", "name", "eth0", "netns",
        host);
    run("ip", "-n", router, "addr", "add", lanNet + ".1/24", "dev", "lan0");
    run("ip", "-n", router, "link", "set", "lan0", "up");
    run("ip", "-n", host, "addr", "add", lanNet + ".2/24", "dev", "eth0");
    run("ip", "-n", host, "link", "set", "eth0", "up");
    run("ip", "-n", host, "route", "add", "default", "via", lanNet + ".1");
  }

  /**
   * Turns {@code router} (interfaces wan0 at {@code wan} and lan0 on {@code lanNet}.0/24) into a
   * NAT as {@code o} says.
   */
  private void configureRouter(String router, String wan, String lanNet, RouterOptions o)
      throws IOException {
    sysctl(router, "net.ipv4.ip_forward=1");
    // The router's own sockets (miniupnpd's STUN probes) use ports that no host behind it maps
    // to by default, so that the input hook can accept their STUN replies and nothing else.
    sysctl(router, "net.ipv4.ip_local_port_range=" + ROUTER_PORTS_FIRST + " " + ROUTER_PORTS_LAST);
    int mapTimeout = o.udpTimeoutSeconds() > 0 ? o.udpTimeoutSeconds() : DEFAULT_CONE_SECONDS;
    runWithInput(
        natRules(lanNet + ".0/24", wan, o, mapTimeout),
        "ip",
        "netns",
        "exec",
        router,
        "nft",
        "-f",
        "-");
    // The conntrack sysctls of a namespace exist once its rules use conntrack.
    if (o.udpTimeoutSeconds() > 0) {
      sysctl(router, "net.netfilter.nf_conntrack_udp_timeout=" + o.udpTimeoutSeconds());
      sysctl(router, "net.netfilter.nf_conntrack_udp_timeout_stream=" + o.udpTimeoutSeconds());
    }
    if (o.tcpTimeoutSeconds() > 0) {
      sysctl(router, "net.netfilter.nf_conntrack_tcp_timeout_established=" + o.tcpTimeoutSeconds());
    }
    if (o.lossPerMille() > 0) {
      String drop =
          (o.lossPerMille() == 1000 ? "" : "numgen random mod 1000 < " + o.lossPerMille() + " ")
              + "drop; }\n";
      runWithInput(
          "table netdev impair {\n"
              + "  chain in { type filter hook ingress device \"wan0\" priority 0; "
              + drop
              + "  chain out { type filter hook egress device \"wan0\" priority 0; "
              + drop
              + "}\n",
          "ip",
          "netns",
          "exec",
          router,
          "nft",
          "-f",
          "-");
    }
    if (o.miniupnpd()) {
      startMiniupnpd(router, lanNet);
    }
  }

  /** The nftables ruleset of a router: one table, {@code ip lab}. */
  static String natRules(String lan, String wan, RouterOptions o, int mapTimeoutSeconds) {
    NatKind kind = o.kind();
    String coneKey =
        switch (kind) {
          case FULL_CONE -> "udp sport";
          case RESTRICTED_CONE -> "udp sport . ip daddr";
          default -> null;
        };
    StringBuilder b = new StringBuilder("table ip lab {\n");
    if (coneKey != null) {
      // Which LAN host an external port belongs to (for a restricted cone: towards which remote
      // addresses), learnt from the host's outbound datagrams; masquerade keeps the host's port.
      b.append("  map cone { type ")
          .append(kind == NatKind.FULL_CONE ? "inet_service" : "inet_service . ipv4_addr")
          .append(" : ipv4_addr; flags dynamic,timeout; timeout ")
          .append(mapTimeoutSeconds)
          .append("s; }\n");
    }
    b.append("  chain prerouting { type nat hook prerouting priority -100;\n");
    if (coneKey != null) {
      b.append("    iifname \"wan0\" dnat to udp dport")
          .append(kind == NatKind.FULL_CONE ? "" : " . ip saddr")
          .append(" map @cone;\n");
    }
    b.append("  }\n");
    b.append("  chain postrouting { type nat hook postrouting priority 100;\n");
    String out = "    oifname \"wan0\" ip saddr " + lan;
    switch (kind) {
      case SYMMETRIC -> b.append(out).append(" masquerade fully-random;\n");
      case SYMMETRIC_SEQUENTIAL -> {
        // numgen counts in host byte order and a port is big-endian: a map turns the count into
        // a port (snat to ADDR : numgen inc mod N offset P would step by 256).
        b.append(out).append(" meta l4proto { tcp, udp } snat to ").append(wan);
        b.append(" : numgen inc mod ").append(NatKind.SEQUENTIAL_PORTS).append(" map { ");
        for (int i = 0; i < NatKind.SEQUENTIAL_PORTS; i++) {
          if (i > 0) {
            b.append(", ");
          }
          b.append(i).append(" : ").append(NatKind.SEQUENTIAL_FIRST_PORT + i);
        }
        b.append(" };\n");
        b.append(out).append(" masquerade;\n");
      }
      default -> b.append(out).append(" masquerade;\n");
    }
    b.append("  }\n");
    b.append("  chain forward { type filter hook forward priority 0; policy drop;\n");
    if (coneKey != null) {
      // Before the established accept, so that every outbound datagram renews the entry.
      b.append("    iifname \"lan0\" oifname \"wan0\" meta l4proto udp update @cone { ")
          .append(coneKey)
          .append(" : ip saddr };\n");
    }
    b.append("    ct state established,related accept; ct status dnat accept;\n")
        .append("    iifname \"lan0\" oifname \"wan0\" accept;\n  }\n");
    // The conntrack clash (LAB.md): a router accepts no unsolicited packet to itself, or a peer's
    // early punch leaves an entry that makes the host's own flow get another external port.
    b.append("  chain input { type filter hook input priority 0; policy accept;\n")
        .append("    iifname \"wan0\" ct state established,related accept;\n")
        .append("    iifname \"wan0\" ip protocol icmp accept;\n");
    if (o.miniupnpd()) {
      // miniupnpd's own STUN test (RFC 5780): answers from the other address and port.
      b.append("    iifname \"wan0\" ip saddr { ")
          .append(INTERNET_PREFIX)
          .append("2, ")
          .append(INTERNET_PREFIX)
          .append("3 } udp sport { 3478, 3479 } udp dport ")
          .append(ROUTER_PORTS_FIRST)
          .append("-")
          .append(ROUTER_PORTS_LAST)
          .append(" accept;\n");
    }
    b.append("    iifname \"wan0\" drop;\n  }\n}\n");
    if (o.miniupnpd()) {
      // LAB.md: Debian's nft_init.sh is broken; miniupnpd fills these chains.
      b.append("table inet filter {\n")
          .append("  chain forward { type filter hook forward priority 0; policy accept;")
          .append(" jump miniupnpd; }\n")
          .append("  chain miniupnpd { }\n")
          .append("  chain prerouting { type nat hook prerouting priority -100; policy accept;")
          .append(" jump prerouting_miniupnpd; }\n")
          .append("  chain postrouting { type nat hook postrouting priority 100; policy accept;")
          .append(" jump postrouting_miniupnpd; }\n")
          .append("  chain prerouting_miniupnpd { }\n")
          .append("  chain postrouting_miniupnpd { }\n")
          .append("}\n");
    }
    return b.toString();
  }

  /**
   * Like {@link #addHostBehindNat}, with IPv6 too: IPv4 is translated as {@code kind} says, IPv6 is
   * routed without NAT or filtering. The host's IPv6 address is {@code 2001:db8:n::2}, the router's
   * {@code 2001:db8::(10+n)} on the internet; every public host and dual-stack LAN can reach every
   * other over IPv6.
   */
  public LabHost addDualStackHostBehindNat(NatKind kind) throws IOException {
    return addDualStackHostBehindNat(RouterOptions.of(kind));
  }

  /**
   * Like {@link #addDualStackHostBehindNat(NatKind)}, with a router built as {@code options} say.
   */
  public LabHost addDualStackHostBehindNat(RouterOptions options) throws IOException {
    NatKind kind = options.kind();
    LabHost v4 = addHostBehindNat(options);
    int n = nextRouter - 1;
    String router = prefix + "-r" + n;
    String host = v4.namespace();
    enableIpv6(router);
    enableIpv6(host);
    run("ip", "netns", "exec", router, "sysctl", "-qw", "net.ipv6.conf.all.forwarding=1");
    String wan6 = INTERNET6_PREFIX + (10 + n);
    String lan6 = "2001:db8:" + n + "::";
    run("ip", "-n", router, "-6", "addr", "add", wan6 + "/64", "dev", "wan0", "nodad");
    run("ip", "-n", router, "-6", "addr", "add", lan6 + "1/64", "dev", "lan0", "nodad");
    run("ip", "-n", host, "-6", "addr", "add", lan6 + "2/64", "dev", "eth0", "nodad");
    run("ip", "-n", host, "-6", "route", "add", "default", "via", lan6 + "1");
    for (int m : routers6) {
      run(
          "ip",
          "-n",
          router,
          "-6",
          "route",
          "add",
          "2001:db8:" + m + "::/64",
          "via",
          INTERNET6_PREFIX + (10 + m));
      run("ip", "-n", prefix + "-r" + m, "-6", "route", "add", lan6 + "/64", "via", wan6);
    }
    for (String pub : publicHosts6) {
      run("ip", "-n", pub, "-6", "route", "add", lan6 + "/64", "via", wan6);
    }
    routers6.add(n);
    return new LabHost(
        host,
        v4.lanAddress(),
        v4.publicAddress(),
        kind,
        lan6 + "2",
        v4.router(),
        v4.gateway(),
        null,
        null);
  }

  /**
   * Adds a host directly on the internet, without NAT, with IPv4 {@code 203.0.113.(100+k)} and IPv6
   * {@code 2001:db8::(100+k)} for the k-th public host.
   */
  public LabHost addPublicHost() throws IOException {
    int k = nextPublicHost++;
    String host = prefix + "-p" + k;
    addNamespace(host);
    enableIpv6(host);
    run(
        "ip",
        "-n",
        host,
        "link",
        "add",
        "eth0",
        "type",
        "veth",
        "peer",
        "name",
        "p" + k,
        "netns",
        internet());
    run("ip", "-n", internet(), "link", "set", "p" + k, "master", "br0", "up");
    String v4 = INTERNET_PREFIX + (100 + k);
    String v6 = INTERNET6_PREFIX + (100 + k);
    run("ip", "-n", host, "addr", "add", v4 + "/24", "dev", "eth0");
    run("ip", "-n", host, "-6", "addr", "add", v6 + "/64", "dev", "eth0", "nodad");
    run("ip", "-n", host, "link", "set", "eth0", "up");
    for (int m : routers6) {
      run(
          "ip",
          "-n",
          host,
          "-6",
          "route",
          "add",
          "2001:db8:" + m + "::/64",
          "via",
          INTERNET6_PREFIX + (10 + m));
    }
    publicHosts6.add(host);
    return new LabHost(host, v4, v4, null, v6, null, null, null, null);
  }

  /**
   * Adds an RFC 5780 STUN server on the internet: coturn (LAB.md) in namespace {@code -srv} with
   * the primary address {@code 203.0.113.2} and the alternate {@code 203.0.113.3}, ports 3478 and
   * 3479, STUN only. Returns the primary endpoint as {@code HOST:PORT} once coturn answers; a
   * second call returns the same server.
   *
   * @throws IOException when coturn is missing or does not start
   */
  public String addStunServer() throws IOException {
    if (stunServer != null) {
      return stunServer;
    }
    if (!onPath("turnserver")) {
      throw new IOException("needs coturn's turnserver (Debian package coturn)");
    }
    String srv = addInternetServer("srv", "2", "3");
    startCoturn(
        srv,
        "coturn (STUN)",
        List.of(
            "--stun-only",
            "--listening-ip=" + INTERNET_PREFIX + "2",
            "--listening-ip=" + INTERNET_PREFIX + "3",
            "--listening-port=3478",
            "--alt-listening-port=3479"),
        "2",
        "3");
    stunServer = INTERNET_PREFIX + "2:3478";
    return stunServer;
  }

  /**
   * A namespace {@code <prefix>-<name>} on the internet's bridge (its veth's other end is {@code
   * name}), its {@code eth0} at each internet address ending in {@code hosts}.
   */
  private String addInternetServer(String name, String... hosts) throws IOException {
    String ns = prefix + "-" + name;
    addNamespace(ns);
    run(
        "ip",
        "-n",
        ns,
        "link",
        "add",
        "eth0",
        "type",
        "veth",
        "peer",
        "name",
        name,
        "netns",
        internet());
    run("ip", "-n", internet(), "link", "set", name, "master", "br0", "up");
    for (String h : hosts) {
      run("ip", "-n", ns, "addr", "add", INTERNET_PREFIX + h + "/24", "dev", "eth0");
    }
    run("ip", "-n", ns, "link", "set", "eth0", "up");
    return ns;
  }

  /**
   * Starts coturn in namespace {@code ns} with {@code options} (and no TLS, DTLS, CLI or software
   * attribute, logging to its discarded stdout), and waits until UDP 3478 is open on each internet
   * address ending in {@code hosts}: coturn binds within a second.
   */
  private void startCoturn(String ns, String what, List<String> options, String... hosts)
      throws IOException {
    List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", ns, "turnserver", "-n"));
    command.addAll(options);
    command.addAll(
        List.of(
            "--no-tls",
            "--no-dtls",
            "--no-cli",
            "--log-file=stdout",
            "--simple-log",
            "--no-software-attribute"));
    Process p =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    servers.add(p);
    for (int i = 0; i < 50; i++) {
      Result ss = exec("ip", "netns", "exec", ns, "ss", "-Hlun", "sport = :3478");
      boolean open = true;
      for (String h : hosts) {
        open &= ss.output.contains(INTERNET_PREFIX + h);
      }
      if (open) {
        return;
      }
      if (!p.isAlive()) {
        throw new IOException(what + " exited with " + p.exitValue());
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while starting " + what, e);
      }
    }
    throw new IOException(what + " did not open UDP 3478 on each address within 5 s");
  }

  /**
   * Adds a TURN server on the internet (RFC 8656 over UDP): coturn (LAB.md) in namespace {@code
   * -turn} at {@code 203.0.113.4:3478} with long-term credentials ({@code lt-cred-mech}, realm
   * {@code natswarm.lab}) for one user, relaying from the same address. Returns {@code HOST:PORT}
   * once coturn listens.
   *
   * @throws IOException when coturn is missing or does not start
   */
  public String addTurnServer(String username, String password) throws IOException {
    if (!onPath("turnserver")) {
      throw new IOException("needs coturn's turnserver (Debian package coturn)");
    }
    String turn = addInternetServer("turn", "4");
    Path db = Files.createTempFile("natswarm-turndb", ".sqlite");
    Path pid = Files.createTempFile("natswarm-turn", ".pid");
    db.toFile().deleteOnExit();
    pid.toFile().deleteOnExit();
    startCoturn(
        turn,
        "coturn (TURN)",
        List.of(
            "--lt-cred-mech",
            "--user=" + username + ":" + password,
            "--realm=natswarm.lab",
            "--userdb=" + db,
            "--pidfile=" + pid,
            "--listening-ip=" + INTERNET_PREFIX + "4",
            "--relay-ip=" + INTERNET_PREFIX + "4",
            "--listening-port=3478",
            "--min-port=49152",
            "--max-port=49999",
            "--no-tcp-relay"),
        "4");
    return INTERNET_PREFIX + "4:3478";
  }

  /** A miniupnpd this lab runs on a router. */
  private record Miniupnpd(Process process, Path conf, Path pidFile, Path log) {}

  /**
   * Starts miniupnpd 2.3.1 on {@code router} as LAB.md says: its own nft skeleton (made by {@link
   * #natRules}), secure mode with an allow rule for the LAN, and {@code ext_perform_stun} against
   * the lab's coturn, since TEST-NET WAN addresses count as reserved. Its NAT-PMP/PCP epoch counts
   * from its start ({@code system_uptime=no}), so {@link #rebootMiniupnpd} changes it.
   */
  private void startMiniupnpd(String router, String lanNet) throws IOException {
    if (!onPath("miniupnpd")) {
      throw new IOException(
          "needs miniupnpd (Debian packages miniupnpd and miniupnpd-nftables; ./run-tests as root"
              + " installs them)");
    }
    String stun = addStunServer();
    Path dir = tempDir();
    Path conf = dir.resolve(router + "-miniupnpd.conf");
    Path pidFile = dir.resolve(router + "-miniupnpd.pid");
    Path log = dir.resolve(router + "-miniupnpd.log");
    String config =
        String.join(
            "\n",
            "ext_ifname=wan0",
            "listening_ip=lan0",
            "http_port=" + MINIUPNPD_HTTP_PORT,
            "enable_natpmp=yes",
            "enable_upnp=yes",
            "secure_mode=yes",
            "system_uptime=no",
            "uuid=" + UUID.randomUUID(),
            "ext_perform_stun=yes",
            "ext_stun_host=" + stun.substring(0, stun.indexOf(':')),
            "ext_stun_port=" + stun.substring(stun.indexOf(':') + 1),
            "upnp_table_name=filter",
            "upnp_nat_table_name=filter",
            "upnp_forward_chain=miniupnpd",
            "upnp_nat_chain=prerouting_miniupnpd",
            "upnp_nat_postrouting_chain=postrouting_miniupnpd",
            "allow 1024-65535 " + lanNet + ".0/24 1024-65535",
            "deny 0-65535 0.0.0.0/0 0-65535",
            "");
    Files.writeString(conf, config, StandardCharsets.UTF_8);
    miniupnpds.put(router, launchMiniupnpd(router, conf, pidFile, log));
  }

  private Miniupnpd launchMiniupnpd(String router, Path conf, Path pidFile, Path log)
      throws IOException {
    // "ip netns exec" execs miniupnpd: the process is miniupnpd itself, ended by its PID.
    Process p =
        new ProcessBuilder(
                "ip",
                "netns",
                "exec",
                router,
                "miniupnpd",
                "-f",
                conf.toString(),
                "-d",
                "-P",
                pidFile.toString())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    servers.add(p);
    Miniupnpd m = new Miniupnpd(p, conf, pidFile, log);
    // It opens its HTTP and NAT-PMP/PCP ports once its STUN test is done: at once on the
    // internet, after about 12 s of waiting for answers behind a filtering carrier NAT.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(MINIUPNPD_START_SECONDS);
    while (System.nanoTime() < deadline) {
      if (listening(router, "-Hltn", MINIUPNPD_HTTP_PORT)
          && listening(router, "-Hlun", NAT_PMP_PORT)) {
        return m;
      }
      if (!p.isAlive()) {
        break;
      }
      pause(100);
    }
    stop(p);
    servers.remove(p);
    throw new IOException(
        "miniupnpd on "
            + router
            + " did not open ports "
            + MINIUPNPD_HTTP_PORT
            + "/tcp and "
            + NAT_PMP_PORT
            + "/udp within "
            + MINIUPNPD_START_SECONDS
            + " s; its log: "
            + Files.readString(log, StandardCharsets.UTF_8));
  }

  private Miniupnpd miniupnpd(LabHost host) {
    Miniupnpd m = host.router() == null ? null : miniupnpds.get(host.router());
    if (m == null) {
      throw new IllegalArgumentException("no miniupnpd runs on the router of " + host);
    }
    return m;
  }

  /**
   * The URL of the UPnP-IGD root description of the miniupnpd in front of {@code host}, for {@code
   * upnpc -u URL} (no SSDP needed).
   */
  public String miniupnpdUrl(LabHost host) {
    miniupnpd(host);
    return "http://" + host.gateway() + ":" + MINIUPNPD_HTTP_PORT + "/rootDesc.xml";
  }

  /** The PID of the miniupnpd in front of {@code host}. */
  public long miniupnpdPid(LabHost host) {
    return miniupnpd(host).process().pid();
  }

  /** What the miniupnpd in front of {@code host} has logged so far. */
  public String miniupnpdLog(LabHost host) throws IOException {
    return Files.readString(miniupnpd(host).log(), StandardCharsets.UTF_8);
  }

  /**
   * Every rule in the chains miniupnpd fills on the router in front of {@code host} ({@code
   * miniupnpd}, {@code prerouting_miniupnpd}, {@code postrouting_miniupnpd} of {@code table inet
   * filter}), as {@code nft list} prints them: empty when nothing is mapped.
   */
  public List<String> miniupnpdRules(LabHost host) throws IOException {
    miniupnpd(host);
    List<String> rules = new ArrayList<>();
    for (String chain : MINIUPNPD_CHAINS) {
      rules.addAll(chainRules(host.router(), chain));
    }
    return rules;
  }

  /**
   * Forwards UDP {@code port} of the public address of the NAT in front of {@code host} to the same
   * port of {@code host}, as an operator's static port forwarding would (a rule in the router's
   * prerouting chain; the forward chain accepts what it rewrote): from now on the host is reachable
   * there directly, whatever its NAT's kind.
   */
  public void forwardUdpPort(LabHost host, int port) throws IOException {
    if (host.router() == null) {
      throw new IllegalArgumentException(host.namespace() + " is not behind a NAT");
    }
    run(
        "ip",
        "netns",
        "exec",
        host.router(),
        "nft",
        "add",
        "rule",
        "ip",
        "lab",
        "prerouting",
        "iifname",
        "wan0",
        "udp",
        "dport",
        Integer.toString(port),
        "dnat",
        "to",
        host.lanAddress() + ":" + port);
  }

  /** The port forwardings miniupnpd has installed on the router in front of {@code host}. */
  public List<PortForward> portForwards(LabHost host) throws IOException {
    miniupnpd(host);
    List<PortForward> forwards = new ArrayList<>();
    for (String rule : chainRules(host.router(), "prerouting_miniupnpd")) {
      forwards.add(parsePortForward(rule));
    }
    return forwards;
  }

  /** Parses one rule of {@code prerouting_miniupnpd}; fields it cannot find are null or -1. */
  static PortForward parsePortForward(String rule) {
    String protocol = null;
    Matcher proto = NH_PROTOCOL.matcher(rule);
    if (proto.find()) {
      int number = Integer.parseInt(proto.group(1), 16);
      protocol = number == 17 ? "udp" : number == 6 ? "tcp" : Integer.toString(number);
    } else {
      Matcher named = NAMED_PROTOCOL.matcher(rule);
      if (named.find()) {
        protocol = named.group(1);
      }
    }
    Matcher port = DPORT.matcher(rule);
    Matcher to = DNAT_TO.matcher(rule);
    boolean hasTo = to.find();
    return new PortForward(
        protocol,
        port.find() ? Integer.parseInt(port.group(1)) : -1,
        hasTo ? to.group(1) : null,
        hasTo ? Integer.parseInt(to.group(2)) : -1,
        rule);
  }

  private List<String> chainRules(String namespace, String chain) throws IOException {
    Result r =
        exec("ip", "netns", "exec", namespace, "nft", "list", "chain", "inet", "filter", chain);
    if (r.status != 0) {
      throw new IOException("nft list chain " + chain + " failed: " + r.output.strip());
    }
    List<String> rules = new ArrayList<>();
    for (String line : r.output.split("\n", -1)) {
      String t = line.strip();
      if (!t.isEmpty()
          && !t.startsWith("table ")
          && !t.startsWith("chain ")
          && !t.startsWith("type ")
          && !t.equals("}")) {
        rules.add(t);
      }
    }
    return rules;
  }

  /** Ends the miniupnpd in front of {@code host} (SIGTERM, by its PID), leaving its rules. */
  public void stopMiniupnpd(LabHost host) throws IOException {
    Miniupnpd m = miniupnpd(host);
    stop(m.process());
    servers.remove(m.process());
    Files.deleteIfExists(m.pidFile());
  }

  /**
   * Reboots the miniupnpd in front of {@code host}: ends it, flushes its chains (a rebooted router
   * has forgotten its mappings) and starts it again, with a new NAT-PMP/PCP epoch.
   */
  public void rebootMiniupnpd(LabHost host) throws IOException {
    Miniupnpd m = miniupnpd(host);
    stopMiniupnpd(host);
    for (String chain : MINIUPNPD_CHAINS) {
      run("ip", "netns", "exec", host.router(), "nft", "flush", "chain", "inet", "filter", chain);
    }
    miniupnpds.put(host.router(), launchMiniupnpd(host.router(), m.conf(), m.pidFile(), m.log()));
  }

  /**
   * Deletes every rule of the miniupnpd in front of {@code host} behind its back, leaving it
   * running: the router lost the mappings while its NAT-PMP/PCP epoch goes on, so a client sees no
   * restart and gets them back only by renewing.
   */
  public void flushMiniupnpdRules(LabHost host) throws IOException {
    miniupnpd(host);
    for (String chain : MINIUPNPD_CHAINS) {
      run("ip", "netns", "exec", host.router(), "nft", "flush", "chain", "inet", "filter", chain);
    }
  }

  /**
   * Starts a UDP reflector on {@code host}'s port: it answers each datagram with the sender's
   * address and port as it saw them ({@code "ADDR PORT"}), like a STUN server without STUN. Ended
   * by {@link #close()}.
   */
  public void startUdpReflector(LabHost host, int port) throws IOException {
    startServer(host.namespace(), "-Hlun", port, PYTHON, "-c", REFLECTOR, Integer.toString(port));
  }

  /**
   * Sends a datagram from {@code from}'s {@code localPort} to a {@link #startUdpReflector
   * reflector} and returns the {@code ADDR:PORT} it saw, or null when no answer came (four tries,
   * 0.5 s apart).
   */
  public String reflexiveAddress(LabHost from, int localPort, String address, int port)
      throws IOException {
    Result r =
        execIn(
            from.namespace(),
            COMMAND_TIMEOUT_SECONDS,
            PYTHON,
            "-c",
            REFLEXIVE,
            Integer.toString(localPort),
            address,
            Integer.toString(port));
    String[] words = r.output.strip().split("\\s+", -1);
    if (words.length != 2 || !words[1].matches("[0-9]+")) {
      return null;
    }
    return words[0] + ":" + words[1];
  }

  /**
   * Sends {@code request} from {@code from}'s {@code localPort} (any port when 0) to {@code
   * address:port} and returns the first datagram that comes back, or null when none came (four
   * tries, 0.5 s apart): for hand-made NAT-PMP or PCP requests to a miniupnpd, say.
   */
  public byte[] udpExchange(LabHost from, int localPort, String address, int port, byte[] request)
      throws IOException {
    Result r =
        execIn(
            from.namespace(),
            COMMAND_TIMEOUT_SECONDS,
            PYTHON,
            "-c",
            EXCHANGE,
            Integer.toString(localPort),
            address,
            Integer.toString(port),
            HexFormat.of().formatHex(request));
    String hex = r.output().strip();
    if (r.status() != 0 || hex.isEmpty() || !hex.matches("[0-9a-f]+")) {
      return null;
    }
    return HexFormat.of().parseHex(hex);
  }

  /**
   * Sends one datagram holding {@code payload} and a newline from {@code from} (from {@code
   * localPort}, or any port when 0) to {@code address:port}.
   */
  public void sendUdp(LabHost from, int localPort, String address, int port, String payload)
      throws IOException {
    String to =
        "UDP4-SENDTO:"
            + address
            + ":"
            + port
            + (localPort == 0 ? "" : ",sourceport=" + localPort + ",reuseaddr");
    Result r = execWithInput(from.namespace(), payload + "\n", "socat", "-u", "STDIN", to);
    if (r.status != 0) {
      throw new IOException("sending from " + from.namespace() + " failed: " + r.output.strip());
    }
  }

  /**
   * Opens a TCP connection from {@code from} to {@code address:port} and sends {@code payload} and
   * a newline; true if the connection was made within {@code timeoutSeconds}.
   */
  public boolean tcpConnects(
      LabHost from, String address, int port, String payload, int timeoutSeconds)
      throws IOException {
    Result r =
        execWithInput(
            from.namespace(),
            payload + "\n",
            "timeout",
            Integer.toString(timeoutSeconds + 2),
            "socat",
            "-u",
            "STDIN",
            "TCP4:" + address + ":" + port + ",connect-timeout=" + timeoutSeconds);
    return r.status == 0;
  }

  /** Listens for UDP datagrams on {@code host}'s {@code port} (all addresses). */
  public LabListener listenUdp(LabHost host, int port) throws IOException {
    return new LabListener(
        startServer(
            host.namespace(),
            "-Hlun",
            port,
            "socat",
            "-u",
            "UDP4-RECV:" + port + ",reuseaddr",
            "STDOUT"));
  }

  /** Listens for TCP connections on {@code host}'s {@code port} (all addresses). */
  public LabListener listenTcp(LabHost host, int port) throws IOException {
    return new LabListener(
        startServer(
            host.namespace(),
            "-Hltn",
            port,
            "socat",
            "-u",
            "TCP4-LISTEN:" + port + ",reuseaddr,fork",
            "STDOUT"));
  }

  /** Starts a server in a namespace and waits until it listens on {@code port}. */
  private Process startServer(String namespace, String ssFlags, int port, String... command)
      throws IOException {
    List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
    argv.addAll(List.of(command));
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    servers.add(p);
    for (int i = 0; i < 50; i++) {
      if (listening(namespace, ssFlags, port)) {
        return p;
      }
      if (!p.isAlive()) {
        break;
      }
      pause(50);
    }
    stop(p);
    servers.remove(p);
    throw new IOException(
        String.join(" ", command) + " in " + namespace + " did not listen on port " + port);
  }

  private static boolean listening(String namespace, String ssFlags, int port) throws IOException {
    Result ss = exec("ip", "netns", "exec", namespace, "ss", ssFlags, "sport = :" + port);
    return ss.status == 0 && !ss.output.isBlank();
  }

  private static Result execWithInput(String namespace, String input, String... command)
      throws IOException {
    List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
    argv.addAll(List.of(command));
    return exec(COMMAND_TIMEOUT_SECONDS, input, argv.toArray(String[]::new));
  }

  private Path tempDir() throws IOException {
    if (tempDir == null) {
      tempDir = Files.createTempDirectory(prefix + "-");
    }
    return tempDir;
  }

  private static void sysctl(String namespace, String setting) throws IOException {
    run("ip", "netns", "exec", namespace, "sysctl", "-qw", setting);
  }

  private static void pause(long millis) throws IOException {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  private static void stop(Process p) {
    p.destroy();
    try {
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private void enableIpv6(String namespace) throws IOException {
    run("ip", "netns", "exec", namespace, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=0");
    run("ip", "netns", "exec", namespace, "sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=0");
    // Nothing here sends router advertisements; a stray one must not add routes either.
    run("ip", "netns", "exec", namespace, "sysctl", "-qw", "net.ipv6.conf.all.accept_ra=0");
  }

  /** Runs a command inside a namespace of this lab and returns its exit status and output. */
  public Result execIn(String namespace, long timeoutSeconds, String... command)
      throws IOException {
    List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
    argv.addAll(List.of(command));
    return exec(timeoutSeconds, null, argv.toArray(String[]::new));
  }

  /** Starts a command inside a namespace of this lab; the caller ends it. */
  public Process startIn(String namespace, String... command) throws IOException {
    List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
    argv.addAll(List.of(command));
    return new ProcessBuilder(argv).redirectErrorStream(true).start();
  }

  /**
   * Ends every process this lab started (servers, listeners, miniupnpd, TAP link forwarders), by
   * its PID, deletes every namespace this lab created, by name, newest first, and the lab's
   * temporary files. Also run by a shutdown hook for labs still open when the JVM ends.
   */
  @Override
  public synchronized void close() {
    OPEN.remove(this);
    for (Process p : servers) {
      stop(p);
    }
    servers.clear();
    miniupnpds.clear();
    for (Process p : tapLinks.values()) {
      stop(p);
    }
    tapLinks.clear();
    while (!namespaces.isEmpty()) {
      String ns = namespaces.pop();
      try {
        exec("ip", "netns", "del", ns);
      } catch (IOException e) {
        // Keep deleting the others; a namespace that survives is reported by its name.
        System.err.println("KernelLab: could not delete namespace " + ns + ": " + e.getMessage());
      }
    }
    if (tempDir != null) {
      try (Stream<Path> files = Files.walk(tempDir)) {
        for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(f);
        }
      } catch (IOException e) {
        System.err.println("KernelLab: could not delete " + tempDir + ": " + e.getMessage());
      }
      tempDir = null;
    }
  }

  private void createInternet() throws IOException {
    addNamespace(internet());
    run("ip", "-n", internet(), "link", "add", "br0", "type", "bridge");
    run("ip", "-n", internet(), "link", "set", "br0", "up");
    run("ip", "netns", "exec", internet(), "sysctl", "-qw", "net.bridge.bridge-nf-call-iptables=0");
  }

  private void addNamespace(String name) throws IOException {
    run("ip", "netns", "add", name);
    namespaces.push(name);
    run("ip", "-n", name, "link", "set", "lo", "up");
    exec("ip", "netns", "exec", name, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1");
  }

  private static void run(String... command) throws IOException {
    runWithInput(null, command);
  }

  /** Runs a command, feeding it {@code input} (or nothing), and fails unless it exits with 0. */
  private static void runWithInput(String input, String... command) throws IOException {
    Result r = exec(COMMAND_TIMEOUT_SECONDS, input, command);
    if (r.status != 0) {
      throw new IOException(
          String.join(" ", command) + " failed (" + r.status + "): " + r.output.strip());
    }
  }

  private static Result exec(String... command) throws IOException {
    return exec(COMMAND_TIMEOUT_SECONDS, null, command);
  }

  private static Result exec(long timeoutSeconds, String input, String... command)
      throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      if (input != null) {
        p.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
      }
      p.getOutputStream().close();
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(
            String.join(" ", command) + " did not finish in " + timeoutSeconds + " s");
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return new Result(p.exitValue(), out);
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running " + String.join(" ", command), e);
    }
  }

  private static boolean onPath(String tool) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String dir : (path + ":/usr/sbin:/sbin").split(":", -1)) {
      if (new java.io.File(dir, tool).canExecute()) {
        return true;
      }
    }
    return false;
  }

  /** A command's exit status and combined output. */
  public record Result(int status, String output) {}

  /**
   * A host of the lab.
   *
   * @param namespace its network namespace
   * @param lanAddress its own IPv4 address
   * @param publicAddress the IPv4 address the internet sees it at (its router's, behind a NAT; the
   *     carrier router's behind a carrier NAT)
   * @param nat the NAT in front of it (the home router's behind a carrier NAT), or null for a
   *     public host
   * @param ipv6Address its global IPv6 address, or null when it has IPv4 only
   * @param router the namespace of the router in front of it, or null for a public host
   * @param gateway that router's LAN address (where NAT-PMP, PCP and UPnP-IGD are asked), or null
   * @param carrierNat the carrier NAT in front of its router, or null
   * @param carrierRouter the carrier router's namespace, or null
   */
  public record LabHost(
      String namespace,
      String lanAddress,
      String publicAddress,
      NatKind nat,
      String ipv6Address,
      String router,
      String gateway,
      NatKind carrierNat,
      String carrierRouter) {

    /**
     * The mapping behaviour the internet should see from this host: its NAT's, or, behind a carrier
     * NAT, the less friendly of the two.
     */
    public Mapping expectedMapping() {
      if (nat == null) {
        return Mapping.NO_NAT;
      }
      Mapping m = nat.mapping();
      return carrierNat != null && carrierNat.mapping().compareTo(m) > 0 ? carrierNat.mapping() : m;
    }

    /**
     * The filtering behaviour the internet should see (for UDP): its NAT's, or, behind a carrier
     * NAT, the stricter of the two; none for a public host.
     */
    public Filtering expectedFiltering() {
      if (nat == null) {
        return Filtering.ENDPOINT_INDEPENDENT;
      }
      Filtering f = nat.filtering();
      return carrierNat != null && carrierNat.filtering().compareTo(f) > 0
          ? carrierNat.filtering()
          : f;
    }
  }
}
