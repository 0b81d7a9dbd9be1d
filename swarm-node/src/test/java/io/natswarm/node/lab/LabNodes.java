package io.natswarm.node.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.natswarm.lab.KernelLab;
import io.natswarm.lab.KernelLab.LabHost;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code natswarm} command-line nodes in kernel-lab namespaces, each in its own JVM with its own
 * home and log, listening on {@code ::} port {@value #PORT} with a status server on loopback
 * (namespace-local) port {@value #STATUS_PORT}, no DHT bootstrap and no port mapping unless a test
 * asks; ended (destroyed, then killed) on {@link #close}. Public for bench's {@code nat-matrix}
 * (through this module's test-jar).
 */
public final class LabNodes implements AutoCloseable {
  public static final int PORT = 6881;
  public static final int STATUS_PORT = 8077;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final KernelLab lab;
  private final Path dir;
  private final List<Process> processes = new ArrayList<>();

  public LabNodes(KernelLab lab, Path dir) {
    this.lab = lab;
    this.dir = dir;
  }

  /**
   * The options of a target that must be reached only through a rendezvous: no PEX and no DHT node.
   * With either, it learns the initiator's endpoint from the rendezvous (a PEX message, or a DHT
   * lookup answered with the node the initiator's BEP 5 PORT message put in the rendezvous' table)
   * and sends to it, which opens its port-restricted NAT to the initiator; the initiator's direct
   * dial then succeeds, sooner or later depending on the machine's speed, and the rendezvous is
   * never asked.
   */
  public static final List<String> TARGET_OF_A_RENDEZVOUS =
      List.of("--set", "peers.pex=false", "--set", "dht.ipv4=false");

  /**
   * Starts {@code natswarm ARGS} in {@code host}'s namespace as node {@code name}; {@code extra}
   * options (e.g. {@code --set nat.port_mapping=true}) come after the defaults and win.
   */
  public Process start(LabHost host, String name, List<String> args, String... extra)
      throws IOException {
    Path home = Files.createDirectories(dir.resolve("home-" + name));
    List<String> cmd = new ArrayList<>();
    cmd.addAll(
        List.of(
            "ip",
            "netns",
            "exec",
            host.namespace(),
            "env",
            "HOME=" + home,
            "NATSWARM_LOG_LEVEL=debug"));
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "-Xmx256m"));
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("io.natswarm.node.cli.Main");
    cmd.addAll(args);
    cmd.addAll(
        List.of(
            "--bind",
            "::",
            "--port",
            String.valueOf(PORT),
            "--status",
            "127.0.0.1:" + STATUS_PORT,
            "--set",
            "dht.bootstrap_nodes=",
            "--set",
            "nat.port_mapping=false"));
    cmd.addAll(List.of(extra));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().keySet().removeIf(k -> k.startsWith("NATSWARM_"));
    pb.redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile());
    Process p = pb.start();
    processes.add(p);
    return p;
  }

  /**
   * Limits what {@code host} sends to {@code rate} (a tc rate such as "8mbit") with a token bucket
   * on its uplink, so that a transfer lasts long enough to watch.
   */
  public void limitUplink(LabHost host, String rate) throws IOException {
    KernelLab.Result tbf =
        lab.execIn(
            host.namespace(),
            10,
            "tc",
            "qdisc",
            "add",
            "dev",
            "eth0",
            "root",
            "tbf",
            "rate",
            rate,
            "burst",
            "32kbit",
            "latency",
            "100ms");
    assertThat(tbf.status()).as(tbf.output()).isZero();
  }

  /** Node {@code name}'s output so far, for assertion messages. */
  public String log(String name) {
    try {
      return Files.readString(dir.resolve(name + ".log"));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** The node's status JSON, or null when it did not answer (yet). */
  public JsonNode status(LabHost host) throws IOException {
    KernelLab.Result r;
    try {
      r =
          lab.execIn(
              host.namespace(),
              10,
              "python3",
              "-c",
              "import urllib.request;print(urllib.request.urlopen("
                  + "'http://127.0.0.1:"
                  + STATUS_PORT
                  + "/api/status',timeout=5).read().decode())");
    } catch (IOException e) {
      return null; // a busy machine: ask again
    }
    return r.status() == 0 ? JSON.readTree(r.output()) : null;
  }

  /** Waits up to 30 s for the node's status server to answer. */
  public void awaitStatus(LabHost host) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (status(host) == null) {
      assertThat(System.nanoTime()).as("%s's status server", host.namespace()).isLessThan(deadline);
      Thread.sleep(200);
    }
  }

  /** Waits up to 30 s until the node has at least {@code n} peer connections in all. */
  public void awaitPeers(LabHost host, int n) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      JsonNode st = status(host);
      int peers = 0;
      if (st != null) {
        for (JsonNode t : st.path("torrents")) {
          peers += t.path("peers").size();
        }
      }
      if (peers >= n) {
        return;
      }
      assertThat(System.nanoTime()).as("%s has %d peers", host.namespace(), n).isLessThan(deadline);
      Thread.sleep(200);
    }
  }

  /**
   * Polls the node's {@code reachability.holepunch} counters every 200 ms until {@code counter} is
   * at least {@code atLeast} or {@code seconds} passed; returns the last counters seen (null if the
   * node never answered).
   */
  public JsonNode awaitHolepunch(LabHost host, String counter, long atLeast, int seconds)
      throws Exception {
    JsonNode last = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      JsonNode st = status(host);
      if (st != null) {
        last = st.path("reachability").path("holepunch");
        if (last.path(counter).asLong() >= atLeast) {
          break;
        }
      }
      Thread.sleep(200);
    }
    return last;
  }

  /**
   * Makes the torrent of {@code file} into {@code torrent} with {@code natswarm share} in {@code
   * host}'s namespace, which then stops (for tests whose seeders are not natswarm).
   */
  public void makeTorrent(LabHost host, Path file, Path torrent) throws Exception {
    Process maker =
        start(
            host,
            "maker",
            List.of(
                "share", file.toString(), "--torrent-file", torrent.toString(), "--run-for", "1s"));
    awaitFile(torrent);
    assertThat(maker.waitFor(60, TimeUnit.SECONDS)).as("the torrent maker stopped").isTrue();
  }

  /**
   * The hole-punch and relay lab tests' three seeders of one 1 MiB file (its bytes from {@code
   * seed}), so that nothing queues in front of their extension messages: a public {@code r}; the
   * target {@code s} behind {@code target}, with PEX and its DHT node off ({@link
   * #TARGET_OF_A_RENDEZVOUS}: it never learns, so never dials, {@code l}), connected to {@code r};
   * then the initiator {@code l} behind {@code initiator}, told only about {@code r}. {@code
   * rExtra} and {@code lExtra} are options for {@code r} and {@code l}.
   *
   * @return the hosts of r, s and l
   */
  public List<LabHost> startSeeders(
      KernelLab.NatKind target,
      KernelLab.NatKind initiator,
      long seed,
      List<String> rExtra,
      List<String> lExtra)
      throws Exception {
    byte[] data = new byte[1 << 20];
    new java.util.Random(seed).nextBytes(data);
    List<Path> files = new ArrayList<>();
    for (String n : List.of("r", "s", "l")) {
      files.add(Files.write(Files.createDirectories(dir.resolve(n)).resolve("seed.bin"), data));
    }
    LabHost r = lab.addPublicHost();
    LabHost s = lab.addHostBehindNat(target);
    LabHost l = lab.addHostBehindNat(initiator);
    String rEndpoint = r.publicAddress() + ":" + PORT;
    start(r, "r", List.of("share", files.get(0).toString()), rExtra.toArray(String[]::new));
    awaitStatus(r);
    start(
        s,
        "s",
        List.of("share", files.get(1).toString(), "--peer", rEndpoint),
        TARGET_OF_A_RENDEZVOUS.toArray(String[]::new));
    awaitStatus(s);
    awaitPeers(r, 1); // s is connected to r: r's first PEX message to l names it
    start(
        l,
        "l",
        List.of("share", files.get(2).toString(), "--peer", rEndpoint),
        lExtra.toArray(String[]::new));
    return List.of(r, s, l);
  }

  /**
   * The transport and path ("utp holepunch", say) of the first connection {@code status} lists with
   * {@code address}, or null when there is none.
   */
  public static String link(JsonNode status, String address) {
    if (status == null) {
      return null;
    }
    for (JsonNode t : status.path("torrents")) {
      for (JsonNode p : t.path("peers")) {
        if (p.path("address").asText().equals(address)) {
          return p.path("transport").asText() + " " + p.path("path").asText();
        }
      }
    }
    return null;
  }

  /** "transport path" of every connection in {@code status} with a peer at {@code address}. */
  public static List<String> links(JsonNode status, String address) {
    List<String> out = new ArrayList<>();
    if (status == null) {
      return out;
    }
    for (JsonNode t : status.path("torrents")) {
      for (JsonNode p : t.path("peers")) {
        if (p.path("address").asText().equals(address)) {
          out.add(p.path("transport").asText() + " " + p.path("path").asText());
        }
      }
    }
    return out;
  }

  /**
   * The connection ladder's decisions in {@code status} for endpoints at {@code address}, oldest
   * first, as "rung event" (e.g. "holepunch failed").
   */
  public static List<String> ladder(JsonNode status, String address) {
    List<String> out = new ArrayList<>();
    if (status == null) {
      return out;
    }
    for (JsonNode e : status.path("reachability").path("ladder")) {
      if (e.path("endpoint").asText().startsWith(address + ":")) {
        out.add(e.path("rung").asText() + " " + e.path("event").asText());
      }
    }
    return out;
  }

  /** Whether {@code status} lists a connection with {@code address} made by {@code path}. */
  public static boolean hasPeer(JsonNode status, String address, String path) {
    if (status == null) {
      return false;
    }
    for (JsonNode t : status.path("torrents")) {
      for (JsonNode p : t.path("peers")) {
        if (p.path("address").asText().equals(address) && p.path("path").asText().equals(path)) {
          return true;
        }
      }
    }
    return false;
  }

  /** Waits up to 60 s for {@code file} to exist (a seeder writes its .torrent after hashing). */
  public static void awaitFile(Path file) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!Files.exists(file)) {
      assertThat(System.nanoTime()).as("%s written", file).isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  /** Ends every node: SIGTERM, then SIGKILL after 10 s. */
  @Override
  public void close() throws InterruptedException {
    for (Process p : processes) {
      p.destroy();
    }
    for (Process p : processes) {
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }
}
