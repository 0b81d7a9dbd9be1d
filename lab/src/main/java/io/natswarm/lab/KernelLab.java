package io.natswarm.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A real-kernel NAT lab made of Linux network namespaces (see LAB.md, "Kernel NAT lab"): a bridge
 * namespace that stands for the internet, NAT routers with nftables rules for each RFC 4787
 * behaviour, and hosts behind them.
 *
 * <p>Every namespace name starts with a prefix unique to this lab, and {@link #close()} deletes
 * exactly the namespaces this lab created, by name. Needs root; {@link #unavailableReason()} says
 * why the lab cannot run here so that tests skip with that reason.
 *
 * <p>Not thread-safe: one test thread builds and uses a lab.
 */
public final class KernelLab implements AutoCloseable {

  /** How a lab router translates and filters, as RFC 4787 names it. */
  public enum NatKind {
    /** Endpoint-independent mapping, address-and-port-dependent filtering: Linux's default. */
    PORT_RESTRICTED_CONE,
    /** Address-and-port-dependent mapping with random ports ({@code masquerade fully-random}). */
    SYMMETRIC
  }

  private static final String INTERNET_PREFIX = "203.0.113.";
  private static final long COMMAND_TIMEOUT_SECONDS = 20;

  private final String prefix;
  private final Deque<String> namespaces = new ArrayDeque<>();
  private int nextRouter = 1;

  private KernelLab(String prefix) {
    this.prefix = prefix;
  }

  /** Creates an empty lab whose namespaces are named {@code nsw<random>-...}. */
  public static KernelLab create() throws IOException {
    String prefix =
        "nsw" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
    KernelLab lab = new KernelLab(prefix);
    lab.createInternet();
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
   * public address is {@code 203.0.113.(10+n)}, the host's {@code 10.0.n.2}.
   */
  public LabHost addHostBehindNat(NatKind kind) throws IOException {
    int n = nextRouter++;
    String router = prefix + "-r" + n;
    String host = prefix + "-h" + n;
    addNamespace(router);
    addNamespace(host);
    String wan = INTERNET_PREFIX + (10 + n);
    String lanNet = "10.0." + n;
    // veth pairs made inside the namespaces, so nothing appears in the caller's namespace.
    run(
        "ip",
        "-n",
        router,
        "link",
        "add",
        "wan0",
        "type",
        "veth",
        "peer",
        "name",
        "r" + n,
        "netns",
        internet());
    run("ip", "-n", internet(), "link", "set", "r" + n, "master", "br0", "up");
    run("ip", "-n", router, "addr", "add", wan + "/24", "dev", "wan0");
    run("ip", "-n", router, "link", "set", "wan0", "up");
    run(
        "ip", "-n", router, "link", "add", "lan0", "type", "veth", "peer", "name", "eth0", "netns",
        host);
    run("ip", "-n", router, "addr", "add", lanNet + ".1/24", "dev", "lan0");
    run("ip", "-n", router, "link", "set", "lan0", "up");
    run("ip", "-n", host, "addr", "add", lanNet + ".2/24", "dev", "eth0");
    run("ip", "-n", host, "link", "set", "eth0", "up");
    run("ip", "-n", host, "route", "add", "default", "via", lanNet + ".1");
    run("ip", "netns", "exec", router, "sysctl", "-qw", "net.ipv4.ip_forward=1");
    String masquerade = kind == NatKind.SYMMETRIC ? "masquerade fully-random" : "masquerade";
    String rules =
        "table ip nat {\n"
            + "  chain postrouting { type nat hook postrouting priority 100; oifname \"wan0\" ip saddr "
            + lanNet
            + ".0/24 "
            + masquerade
            + "; }\n"
            + "}\n"
            + "table ip filter {\n"
            + "  chain forward { type filter hook forward priority 0; policy drop;\n"
            + "    ct state established,related accept; ct status dnat accept;\n"
            + "    iifname \"lan0\" oifname \"wan0\" accept; }\n"
            // The conntrack clash (LAB.md): a router must not accept unsolicited packets to itself.
            + "  chain input { type filter hook input priority 0; policy accept;\n"
            + "    iifname \"wan0\" ct state established,related accept;\n"
            + "    iifname \"wan0\" ip protocol icmp accept;\n"
            + "    iifname \"wan0\" drop; }\n"
            + "}\n";
    runWithInput(rules, "ip", "netns", "exec", router, "nft", "-f", "-");
    return new LabHost(host, lanNet + ".2", wan, kind);
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

  /** Deletes every namespace this lab created, by name, newest first. */
  @Override
  public void close() {
    while (!namespaces.isEmpty()) {
      String ns = namespaces.pop();
      try {
        exec("ip", "netns", "del", ns);
      } catch (IOException e) {
        // Keep deleting the others; a namespace that survives is reported by its name.
        System.err.println("KernelLab: could not delete namespace " + ns + ": " + e.getMessage());
      }
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

  /** A host behind one of the lab's NAT routers. */
  public record LabHost(String namespace, String lanAddress, String publicAddress, NatKind nat) {}
}
