package io.natswarm.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.natswarm.lab.KernelLab;
import io.natswarm.lab.KernelLab.LabHost;
import io.natswarm.lab.KernelLab.NatKind;
import io.natswarm.lab.KernelLab.RouterOptions;
import io.natswarm.node.lab.LabNodes;
import io.natswarm.node.lab.LibtorrentLabPeer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The NAT traversal matrix on real kernel NATs ({@code bench/run nat-matrix}, needs root; issue
 * 12's benchmark). For every ordered pair of host kinds — public, full cone, restricted cone,
 * port-restricted cone, symmetric, symmetric with sequential ports, port-restricted with miniupnpd
 * (the node maps its port), port-restricted behind a carrier NAT — three {@code natswarm} nodes in
 * a fresh lab: a public seeder {@code r}, the target {@code s} (first kind; PEX and DHT off, so it
 * never dials {@code l} itself) and the initiator {@code l} (second kind), both connected to {@code
 * r}. {@code l} learns {@code s} from {@code r}'s PEX only and connects as it can: directly, after
 * a BEP 55 rendezvous through {@code r}, or through {@code r} as a relay (ns_relay). Printed per
 * pair: the path of the connection ({@code direct}, {@code holepunch}, {@code relay} or none), its
 * transport, the time from {@code l}'s start to the connection, and the punch time (from the
 * rendezvous request, made right after the failed direct dial, to the connected µTP or TCP stream,
 * before the MSE and BitTorrent handshakes: where libtorrent's peer list stops calling the peer
 * "connecting", which is when its figure below is taken). {@code --delay-ms N} delays every NAT
 * router's link to the internet N ms each way (the lab's TAP link), so that round trips are not the
 * lab's microseconds. The libtorrent figure's resolution is the helper's 5 ms poll.
 *
 * <p>Then, for the pairs natswarm punched, the same with libtorrent 2.0.8 on all three sides
 * (python3-libtorrent; a slow leecher as the rendezvous, since libtorrent drops fellow seeds;
 * dialling over µTP only, without which libtorrent's exact endpoint match refuses a target linked
 * to the rendezvous over TCP): the time from its first outgoing rendezvous message (its peer log)
 * to the connection.
 *
 * <p>RESULT keys: {@code pairs}, {@code pairs_connected}, {@code pairs_direct} (connected without a
 * relay), {@code pairs_relayed}, {@code pairs_punched}, {@code median_punch_ms}, {@code
 * punch_floor_ms} (the median over the same pairs of the least time any puncher needs given the
 * links' delays, {@link #floorMs}), {@code libtorrent_pairs} (punched by libtorrent), {@code
 * libtorrent_failed} (punched by natswarm, not by libtorrent), {@code libtorrent_median_punch_ms},
 * and {@code same_pairs_punch_ratio}: natswarm's median punch time over libtorrent's, both over the
 * pairs both punched (the two medians above are over different sets of pairs when libtorrent fails
 * some). A pair that does not connect is a result; a lab that cannot be built, a node that does not
 * start, or a target that cannot reach the rendezvous fails the benchmark.
 */
public final class NatMatrixBench {
  private static final long CONNECT_WAIT_NANOS = TimeUnit.SECONDS.toNanos(25);
  private static int delayMs;
  private static boolean keep; // the nodes' logs stay in the work directory

  /** A kind of host in the matrix. */
  private enum Kind {
    PUBLIC("public"),
    FULL_CONE("full-cone"),
    RESTRICTED("restricted"),
    PORT_RESTRICTED("port-restricted"),
    SYMMETRIC("symmetric"),
    SYMMETRIC_SEQUENTIAL("symmetric-seq"),
    MAPPED("port-restr+upnp"),
    CARRIER("carrier-nat");

    final String label;

    Kind(String label) {
      this.label = label;
    }

    /** A host of this kind; behind a NAT, its router's WAN link delays {@code delayMs} each way. */
    LabHost add(KernelLab lab, int delayMs) throws IOException {
      return switch (this) {
        case PUBLIC -> lab.addPublicHost();
        case FULL_CONE -> lab.addHostBehindNat(nat(NatKind.FULL_CONE, delayMs));
        case RESTRICTED -> lab.addHostBehindNat(nat(NatKind.RESTRICTED_CONE, delayMs));
        case PORT_RESTRICTED -> lab.addHostBehindNat(nat(NatKind.PORT_RESTRICTED_CONE, delayMs));
        case SYMMETRIC -> lab.addHostBehindNat(nat(NatKind.SYMMETRIC, delayMs));
        case SYMMETRIC_SEQUENTIAL ->
            lab.addHostBehindNat(nat(NatKind.SYMMETRIC_SEQUENTIAL, delayMs));
        case MAPPED ->
            lab.addHostBehindNat(nat(NatKind.PORT_RESTRICTED_CONE, delayMs).withMiniupnpd());
        case CARRIER ->
            lab.addHostBehindCarrierNat(
                RouterOptions.of(NatKind.PORT_RESTRICTED_CONE),
                nat(NatKind.PORT_RESTRICTED_CONE, delayMs));
      };
    }

    private static RouterOptions nat(NatKind kind, int delayMs) {
      return delayMs > 0 ? RouterOptions.of(kind).withDelay(delayMs, 0) : RouterOptions.of(kind);
    }

    String[] extra() {
      return this == MAPPED ? new String[] {"--set", "nat.port_mapping=true"} : new String[] {};
    }
  }

  /** One pair's outcome. */
  private record Outcome(
      Kind target, Kind initiator, String path, String transport, long connectMs, long punchMs) {
    boolean connected() {
      return path != null;
    }
  }

  public static void main(String[] args) throws Exception {
    List<Kind> kinds = List.of(Kind.values());
    boolean libtorrent = true;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--only") && i + 1 < args.length) {
        List<Kind> chosen = new ArrayList<>();
        for (String k : args[++i].split(",", -1)) {
          chosen.add(
              Stream.of(Kind.values())
                  .filter(x -> x.label.equals(k))
                  .findFirst()
                  .orElseThrow(() -> new IllegalArgumentException("no kind " + k)));
        }
        kinds = chosen;
      } else if (args[i].equals("--delay-ms") && i + 1 < args.length) {
        delayMs = Integer.parseInt(args[++i]);
      } else if (args[i].equals("--keep")) {
        keep = true;
      } else if (args[i].equals("--no-libtorrent")) {
        libtorrent = false;
      } else {
        System.err.println(
            "usage: bench/run nat-matrix [--only KIND,KIND...] [--delay-ms MS] [--no-libtorrent] [--keep];"
                + " kinds: "
                + Stream.of(Kind.values()).map(k -> k.label).toList());
        System.exit(2);
      }
    }
    String why = KernelLab.unavailableReason();
    if (why != null) {
      System.err.println("nat-matrix cannot run: " + why);
      System.exit(1);
    }
    Path work = Files.createTempDirectory("nat-matrix");
    try {
      List<Outcome> outcomes = new ArrayList<>();
      System.out.printf(
          "natswarm on all three sides; NAT routers' links to the internet delay %d ms each way%n",
          delayMs);
      System.out.printf(
          "%-16s %-16s %-10s %-6s %10s %9s%n",
          "target", "initiator", "path", "via", "connect_ms", "punch_ms");
      // ordered pairs: which side is behind which NAT matters (only the initiator dials)
      for (int a = 0; a < kinds.size(); a++) {
        for (int b = 0; b < kinds.size(); b++) {
          Outcome o = natswarmPair(work, kinds.get(a), kinds.get(b));
          outcomes.add(o);
          System.out.printf(
              "%-16s %-16s %-10s %-6s %10s %9s%n",
              o.target().label,
              o.initiator().label,
              o.connected() ? o.path() : "-",
              o.connected() ? o.transport() : "-",
              o.connected() ? String.valueOf(o.connectMs()) : "-",
              o.punchMs() >= 0 ? String.valueOf(o.punchMs()) : "-");
        }
      }
      List<Long> punches = new ArrayList<>();
      for (Outcome o : outcomes) {
        if ("holepunch".equals(o.path()) && o.punchMs() >= 0) {
          punches.add(o.punchMs());
        }
      }
      List<Long> ltPunches = new ArrayList<>();
      List<Long> bothOurs = new ArrayList<>(); // the pairs both punched: like with like
      List<Long> bothTheirs = new ArrayList<>();
      int ltFailed = 0;
      if (libtorrent) {
        System.out.printf(
            "%nlibtorrent 2.0.8 on all three sides, the pairs natswarm punched"
                + " (floor_ms: the least any puncher needs, below)%n");
        System.out.printf(
            "%-16s %-16s %9s %12s %14s%n",
            "target", "initiator", "floor_ms", "natswarm_ms", "libtorrent_ms");
        for (Outcome o : outcomes) {
          if (!"holepunch".equals(o.path())) {
            continue;
          }
          long ms = libtorrentPair(work, o.target(), o.initiator());
          System.out.printf(
              "%-16s %-16s %9d %12s %14s%n",
              o.target().label,
              o.initiator().label,
              floorMs(o.target(), o.initiator()),
              o.punchMs() >= 0 ? String.valueOf(o.punchMs()) : "-",
              ms >= 0 ? String.valueOf(ms) : "none");
          if (ms >= 0) {
            ltPunches.add(ms);
            if (o.punchMs() >= 0) {
              bothOurs.add(o.punchMs());
              bothTheirs.add(ms);
            }
          } else {
            ltFailed++;
          }
        }
      }
      List<Long> floors = new ArrayList<>();
      for (Outcome o : outcomes) {
        if ("holepunch".equals(o.path()) && o.punchMs() >= 0) {
          floors.add(floorMs(o.target(), o.initiator()));
        }
      }
      long connected = outcomes.stream().filter(Outcome::connected).count();
      long relayed =
          outcomes.stream().filter(o -> o.connected() && "relay".equals(o.path())).count();
      System.out.printf(
          Locale.ROOT,
          "RESULT nat-matrix pairs=%d pairs_connected=%d pairs_direct=%d pairs_relayed=%d"
              + " pairs_punched=%d median_punch_ms=%s punch_floor_ms=%s libtorrent_pairs=%d"
              + " libtorrent_failed=%d libtorrent_median_punch_ms=%s"
              + " same_pairs_punch_ratio=%s%n",
          outcomes.size(),
          connected,
          connected - relayed,
          relayed,
          punches.size(),
          median(punches),
          median(floors),
          ltPunches.size(),
          ltFailed,
          median(ltPunches),
          ratio(bothOurs, bothTheirs));
    } finally {
      deleteTree(work);
    }
  }

  /**
   * The least time from the rendezvous request to a connected stream that any puncher needs, from
   * the delays of the two sides' links alone (d each way, 0 for a public host): the request reaches
   * the rendezvous after d(l), its connect messages reach l at 2d(l) and s at d(l)+d(s), when s's
   * first packet opens its NAT; l's SYN, sent at 2d(l), reaches s's NAT at 3d(l)+d(s), not before
   * it opened, and the answer takes d(s)+d(l) back: 4d(l)+2d(s). 120 ms with 20 ms on both links.
   */
  private static long floorMs(Kind target, Kind initiator) {
    long l = initiator == Kind.PUBLIC ? 0 : delayMs;
    long s = target == Kind.PUBLIC ? 0 : delayMs;
    return 4 * l + 2 * s;
  }

  /** The median of {@code ours} over the median of {@code theirs}, to two places. */
  private static String ratio(List<Long> ours, List<Long> theirs) {
    if (ours.isEmpty()) {
      return "none";
    }
    double a = Double.parseDouble(median(ours));
    double b = Double.parseDouble(median(theirs));
    return b == 0 ? "none" : String.format(Locale.ROOT, "%.2f", a / b);
  }

  private static String median(List<Long> values) {
    if (values.isEmpty()) {
      return "none";
    }
    List<Long> v = new ArrayList<>(values);
    v.sort(Comparator.naturalOrder());
    int n = v.size();
    return String.valueOf(n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2);
  }

  private static Outcome natswarmPair(Path work, Kind targetKind, Kind initiatorKind)
      throws Exception {
    Path dir = Files.createTempDirectory(work, "pair");
    byte[] data = new byte[1 << 20];
    new Random(12).nextBytes(data);
    Path rFile = write(dir, "r", data);
    Path sFile = write(dir, "s", data);
    Path lFile = write(dir, "l", data);
    try (KernelLab lab = KernelLab.create();
        LabNodes nodes = new LabNodes(lab, dir)) {
      LabHost r = lab.addPublicHost();
      LabHost s = targetKind.add(lab, delayMs);
      LabHost l = initiatorKind.add(lab, delayMs);
      String rEndpoint = r.publicAddress() + ":" + LabNodes.PORT;
      nodes.start(r, "r", List.of("share", rFile.toString()));
      nodes.awaitStatus(r);
      List<String> sExtra = new ArrayList<>(LabNodes.TARGET_OF_A_RENDEZVOUS);
      sExtra.addAll(List.of(targetKind.extra()));
      nodes.start(
          s,
          "s",
          List.of("share", sFile.toString(), "--peer", rEndpoint),
          sExtra.toArray(String[]::new));
      nodes.awaitStatus(s);
      nodes.awaitPeers(r, 1); // the target connected to the rendezvous
      if (targetKind == Kind.MAPPED) {
        Thread.sleep(3000); // the mapping is made while r's PEX would still name s at its port
      }
      long started = System.nanoTime();
      nodes.start(
          l, "l", List.of("share", lFile.toString(), "--peer", rEndpoint), initiatorKind.extra());
      long deadline = started + CONNECT_WAIT_NANOS;
      // a public target also has IPv6, and the IPv6 upgrade may move the connection there
      List<java.net.InetAddress> sAddresses = new ArrayList<>();
      sAddresses.add(java.net.InetAddress.getByName(s.publicAddress()));
      if (s.ipv6Address() != null) {
        sAddresses.add(java.net.InetAddress.getByName(s.ipv6Address()));
      }
      while (System.nanoTime() < deadline) {
        JsonNode st = nodes.status(l);
        if (st != null) {
          for (JsonNode t : st.path("torrents")) {
            for (JsonNode p : t.path("peers")) {
              if (sAddresses.contains(java.net.InetAddress.getByName(p.path("address").asText()))) {
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                JsonNode times = st.path("reachability").path("holepunch").path("punchMillis");
                long punch = times.size() > 0 ? times.get(times.size() - 1).asLong() : -1;
                String path = p.path("path").asText();
                return new Outcome(
                    targetKind,
                    initiatorKind,
                    path,
                    p.path("transport").asText()
                        + (p.path("family").asText().equals("ipv6") ? "/6" : ""),
                    ms,
                    path.equals("holepunch") ? punch : -1);
              }
            }
          }
        }
        Thread.sleep(100);
      }
      return new Outcome(targetKind, initiatorKind, null, null, -1, -1);
    } finally {
      deleteTree(dir);
    }
  }

  /**
   * The libtorrent trio for one pair: the ms from the initiator's first outgoing rendezvous to its
   * connection with the target, or -1 when they did not connect through a rendezvous in time.
   */
  private static long libtorrentPair(Path work, Kind targetKind, Kind initiatorKind)
      throws Exception {
    Path dir = Files.createTempDirectory(work, "lt");
    byte[] data = new byte[1 << 20];
    new Random(12).nextBytes(data);
    Path rFile = write(dir, "maker", data);
    write(dir, "s", data);
    Files.createDirectories(dir.resolve("r"));
    Files.createDirectories(dir.resolve("l"));
    Path torrent = dir.resolve("m.torrent");
    try (KernelLab lab = KernelLab.create();
        LabNodes nodes = new LabNodes(lab, dir)) {
      LabHost r = lab.addPublicHost();
      LabHost s = targetKind.add(lab, delayMs);
      LabHost l = initiatorKind.add(lab, delayMs);
      nodes.makeTorrent(r, rFile, torrent);
      String rEndpoint = r.publicAddress() + ":" + LabNodes.PORT;
      try (LibtorrentLabPeer lr = libtorrent(r, dir, torrent, "slow", "-", "trace,utp");
          // the target never learns the initiator (no ut_pex), as natswarm's target in the matrix
          LibtorrentLabPeer ls =
              libtorrent(s, dir, torrent, "seed", rEndpoint, "trace,utp,nopex")) {
        long wait = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (lr.connectedAt(s.publicAddress()) < 0) {
          if (System.nanoTime() > wait) {
            throw new IOException(
                "libtorrent's target (" + targetKind.label + ") never reached the rendezvous");
          }
          Thread.sleep(100);
        }
        try (LibtorrentLabPeer ll = libtorrent(l, dir, torrent, "slow", rEndpoint, "trace,utp")) {
          long deadline = System.nanoTime() + CONNECT_WAIT_NANOS;
          while (System.nanoTime() < deadline) {
            double at = ll.connectedAt(s.publicAddress());
            if (at >= 0) {
              double asked = ll.firstRendezvousAt(s.publicAddress());
              if (asked >= 0 && asked <= at) {
                return Math.round((at - asked) * 1000);
              }
              System.err.printf(
                  "libtorrent %s/%s: connected %s without a rendezvous first%n",
                  targetKind.label, initiatorKind.label, asked < 0 ? "" : "(it asked later)");
              return -1;
            }
            Thread.sleep(100);
          }
          System.err.printf(
              "libtorrent %s/%s: no connection in %d s; the initiator's holepunch log:%n%s%n",
              targetKind.label,
              initiatorKind.label,
              TimeUnit.NANOSECONDS.toSeconds(CONNECT_WAIT_NANOS),
              tail(dir.resolve(l.namespace() + "-lt.log")));
          return -1;
        }
      }
    } finally {
      deleteTree(dir);
    }
  }

  /** lt_holepunch_peer.py in {@code host}'s namespace; a seed's data is in {@code dir/s}. */
  private static LibtorrentLabPeer libtorrent(
      LabHost host, Path dir, Path torrent, String mode, String connect, String options)
      throws IOException {
    Path save = Files.createDirectories(dir.resolve(mode.equals("seed") ? "s" : host.namespace()));
    return new LibtorrentLabPeer(
        host,
        dir.resolve(host.namespace() + "-lt.log"),
        String.valueOf(LabNodes.PORT),
        torrent.toString(),
        save.toString(),
        mode,
        connect,
        "120",
        options);
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private static Path write(Path dir, String node, byte[] data) throws IOException {
    return Files.write(Files.createDirectories(dir.resolve(node)).resolve("m.bin"), data);
  }

  private static void deleteTree(Path root) throws IOException {
    if (keep) {
      System.err.println("kept: " + root);
      return;
    }
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
