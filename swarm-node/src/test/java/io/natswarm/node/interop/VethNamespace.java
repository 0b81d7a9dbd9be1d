package io.natswarm.node.interop;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace of the test's own, joined to the namespace the test JVM runs in by a veth
 * pair with RFC 5737 TEST-NET addresses (LAB.md, "The network rule"): {@code 198.51.100.1/30} on
 * the JVM's end, {@code 198.51.100.2/30} inside. A peer that refuses loopback addresses
 * (Transmission treats 127/8 as martian) is reached there; nothing else is routed.
 *
 * <p>The namespace is named {@code nsw<random>-t} and the JVM's end of the pair {@code
 * nsw<random>t}; {@link #close()} deletes exactly that namespace by name (which deletes the pair).
 * Needs root; {@link #unavailableReason()} says why it cannot be made here.
 */
final class VethNamespace implements AutoCloseable {
  static final String LOCAL = "198.51.100.1";
  static final String PEER = "198.51.100.2";

  /** With {@link #createDualStack()}: global-scope documentation addresses (RFC 3849). */
  static final String LOCAL6 = "2001:db8:ff::1";

  static final String PEER6 = "2001:db8:ff::2";
  private static final long COMMAND_TIMEOUT_SECONDS = 20;

  private final String name;
  private final String localLink;

  private VethNamespace(String name, String localLink) {
    this.name = name;
    this.localLink = localLink;
  }

  /** Why no namespace can be made here, or {@code null} when it can (root and iproute2). */
  static String unavailableReason() {
    if (System.getenv("NATSWARM_NOT_ROOT") != null) {
      return "needs root: the test creates a network namespace and a veth pair"
          + " (run ./run-tests as root)";
    }
    String probe = "nswprobe" + ProcessHandle.current().pid();
    try {
      Result add = exec("ip", "netns", "add", probe);
      if (add.status() != 0) {
        return "cannot create a network namespace (needs root and iproute2): "
            + add.output().strip();
      }
      exec("ip", "netns", "del", probe);
      return null;
    } catch (IOException e) {
      return "cannot run 'ip netns' (iproute2): " + e.getMessage();
    }
  }

  /** Makes the namespace and the veth pair; on failure deletes what it made. */
  static VethNamespace create() throws IOException {
    return create(false);
  }

  /**
   * Like {@link #create()}, with IPv6 too: {@value #LOCAL6}/64 on the JVM's end, {@value #PEER6}/64
   * inside.
   */
  static VethNamespace createDualStack() throws IOException {
    return create(true);
  }

  private static VethNamespace create(boolean ipv6) throws IOException {
    String id = String.format("%06x", ThreadLocalRandom.current().nextInt(1 << 24));
    VethNamespace ns = new VethNamespace("nsw" + id + "-t", "nsw" + id + "t");
    try {
      ns.build();
      if (ipv6) {
        ns.addIpv6();
      }
      return ns;
    } catch (IOException | RuntimeException e) {
      ns.close();
      throw e;
    }
  }

  private void build() throws IOException {
    run("ip", "netns", "add", name);
    run("ip", "-n", name, "link", "set", "lo", "up");
    exec("ip", "netns", "exec", name, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1");
    run("ip", "link", "add", localLink, "type", "veth", "peer", "name", "eth0", "netns", name);
    run("ip", "addr", "add", LOCAL + "/30", "dev", localLink);
    run("ip", "link", "set", localLink, "up");
    run("ip", "-n", name, "addr", "add", PEER + "/30", "dev", "eth0");
    run("ip", "-n", name, "link", "set", "eth0", "up");
  }

  private void addIpv6() throws IOException {
    run("ip", "netns", "exec", name, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=0");
    run("ip", "netns", "exec", name, "sysctl", "-qw", "net.ipv6.conf.eth0.disable_ipv6=0");
    run("ip", "netns", "exec", name, "sysctl", "-qw", "net.ipv6.conf.lo.disable_ipv6=0");
    run("ip", "-6", "addr", "add", LOCAL6 + "/64", "dev", localLink, "nodad");
    run("ip", "-n", name, "-6", "addr", "add", PEER6 + "/64", "dev", "eth0", "nodad");
  }

  /** The namespace's name. */
  String name() {
    return name;
  }

  /** The JVM's address on the pair. */
  InetAddress localAddress() {
    return address(LOCAL);
  }

  /** The address inside the namespace. */
  InetAddress peerAddress() {
    return address(PEER);
  }

  private static InetAddress address(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Starts {@code command} inside the namespace with {@code ip netns exec}, which executes it in
   * place: the returned process's PID is the command's own, so ending the process ends it.
   */
  ProcessBuilder processIn(String... command) {
    List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", name));
    argv.addAll(List.of(command));
    return new ProcessBuilder(argv);
  }

  /** Deletes the namespace (and with it the veth pair) by name. */
  @Override
  public void close() {
    try {
      exec("ip", "netns", "del", name);
      exec("ip", "link", "del", localLink); // normally gone with the namespace already
    } catch (IOException e) {
      System.err.println("VethNamespace: could not delete " + name + ": " + e.getMessage());
    }
  }

  private static void run(String... command) throws IOException {
    Result r = exec(command);
    if (r.status() != 0) {
      throw new IOException(
          String.join(" ", command) + " failed (" + r.status() + "): " + r.output().strip());
    }
  }

  private static Result exec(String... command) throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      p.getOutputStream().close();
      if (!p.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(
            String.join(" ", command) + " did not finish in " + COMMAND_TIMEOUT_SECONDS + " s");
      }
      return new Result(
          p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running " + String.join(" ", command), e);
    }
  }

  private record Result(int status, String output) {}
}
