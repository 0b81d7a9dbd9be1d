package io.natswarm.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * LEDBAT against real Linux TCP through a real kernel bottleneck ({@code bench/run utp-ledbat-lab},
 * needs root): two network namespaces joined by a veth pair, {@code tbf rate 20mbit burst 32kbit
 * latency Q} on the sender's side (Q, the queue, is 100 ms or 300 ms), no other delay (LAB.md, "A
 * LEDBAT bottleneck against real TCP").
 *
 * <p>Scenarios, each run {@code --runs} times (default 3), interleaved:
 *
 * <ul>
 *   <li>alone: natswarm's µTP (shipped defaults, {@link LedbatLabPeer}) alone for 20 s; the
 *       bottleneck's utilisation (bytes the qdisc sent ÷ capacity) and the queuing delay it adds
 *       (the qdisc's backlog ÷ rate, sampled every 100 ms), both from 5 s to 20 s;
 *   <li>vs Linux TCP: a TCP flow ({@code TCP_CONGESTION} cubic or reno set on the socket; this
 *       machine's default is BBR) runs alone for 5 s, then µTP joins — the latecomer case, where
 *       µTP first sees a queue TCP already filled; µTP's share of the payload bytes both flows
 *       delivered from 10 s to 30 s;
 *   <li>the same with libtorrent 2.0.8's µTP (a seed-mode seeder and a leecher, µTP only, its
 *       default 100 ms target) in place of ours, as the reference; and libtorrent alone.
 * </ul>
 *
 * A process that dies, a flow that delivers nothing, or a lab that cannot be built fails the
 * benchmark (non-zero exit). Namespaces are named {@code nswl<random>-snd/-rcv} and deleted by name
 * afterwards, also on Ctrl-C.
 */
public final class UtpLedbatLabBench {
  private static final long RATE_BPS = 20_000_000;
  private static final String SND_ADDR = "10.77.0.1";
  private static final String RCV_ADDR = "10.77.0.2";
  private static final long SEC = 1_000_000_000L;

  private enum Kind {
    NATSWARM,
    LIBTORRENT,
    TCP_CUBIC,
    TCP_RENO
  }

  public static void main(String[] args) throws Exception {
    int runs = 3;
    String only = null;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--runs") && i + 1 < args.length) {
        runs = Integer.parseInt(args[++i]);
      } else if (args[i].equals("--only") && i + 1 < args.length) {
        only = args[++i];
      } else {
        System.err.println(
            "usage: bench/run utp-ledbat-lab [--runs N]"
                + " [--only alone|cubic100|cubic300|reno100|lt100|ltalone]");
        System.exit(2);
      }
    }
    String why = unavailableReason();
    if (why != null) {
      System.err.println("utp-ledbat-lab cannot run: " + why);
      System.exit(1);
    }
    if (only != null) {
      diagnose(only, runs);
      return;
    }
    long wallStart = System.nanoTime();
    BenchReport report = new BenchReport("utp-ledbat-lab");
    report.columns(
        "run",
        "alone_util",
        "added_delay_ms",
        "vs_cubic_100ms",
        "vs_cubic_300ms",
        "vs_reno_100ms",
        "lt_vs_cubic_100ms",
        "lt_alone_util",
        "lt_delay_ms");
    List<double[]> rows = new ArrayList<>();
    try (Lab lab = Lab.create()) {
      for (int run = 1; run <= runs; run++) {
        double[] alone = alone(lab, Kind.NATSWARM);
        double cubic100 = versus(lab, Kind.NATSWARM, Kind.TCP_CUBIC, 100);
        double cubic300 = versus(lab, Kind.NATSWARM, Kind.TCP_CUBIC, 300);
        double reno100 = versus(lab, Kind.NATSWARM, Kind.TCP_RENO, 100);
        double lt100 = versus(lab, Kind.LIBTORRENT, Kind.TCP_CUBIC, 100);
        double[] ltAlone = alone(lab, Kind.LIBTORRENT);
        double[] row = {
          alone[0], alone[1], cubic100, cubic300, reno100, lt100, ltAlone[0], ltAlone[1]
        };
        rows.add(row);
        Object[] cells = new Object[row.length + 1];
        cells[0] = run;
        for (int i = 0; i < row.length; i++) {
          cells[i + 1] = row[i];
        }
        report.row(cells);
        System.err.printf(Locale.ROOT, "run %d: %s%n", run, java.util.Arrays.toString(row));
      }
    }
    double[] med = new double[rows.get(0).length];
    for (int c = 0; c < med.length; c++) {
      double[] col = new double[rows.size()];
      for (int r = 0; r < col.length; r++) {
        col[r] = rows.get(r)[c];
      }
      med[c] = BenchReport.median(col);
    }
    Object[] cells = new Object[med.length + 1];
    cells[0] = "median";
    for (int i = 0; i < med.length; i++) {
      cells[i + 1] = med[i];
    }
    report.row(cells);
    report.row("goal", ">=0.90", "<=60", "<=0.20", "<=0.20", "<=0.20", "(reference)", "", "");
    report.result("alone_utilisation", med[0]);
    report.result("added_delay_ms", med[1]);
    report.result("share_vs_linux_cubic_100ms", med[2]);
    report.result("share_vs_linux_cubic_300ms", med[3]);
    report.result("share_vs_linux_reno_100ms", med[4]);
    report.result("libtorrent_share_vs_linux_cubic_100ms", med[5]);
    report.result("libtorrent_alone_utilisation", med[6]);
    report.result("libtorrent_added_delay_ms", med[7]);
    report.result("runs", runs);
    report.result("wall_seconds", (System.nanoTime() - wallStart) / 1e9);
    report.print(System.out);
  }

  /**
   * One scenario only, {@code runs} times, its figures on stderr and no RESULT line: for looking
   * into one case (with {@code LEDBAT_TRACE=FILE}, {@link LedbatLabPeer}'s sender also writes its
   * congestion window and delays to FILE every 100 ms).
   */
  private static void diagnose(String scenario, int runs) throws Exception {
    try (Lab lab = Lab.create()) {
      for (int run = 1; run <= runs; run++) {
        Object figure =
            switch (scenario) {
              case "alone" -> java.util.Arrays.toString(alone(lab, Kind.NATSWARM));
              case "cubic100" -> versus(lab, Kind.NATSWARM, Kind.TCP_CUBIC, 100);
              case "cubic300" -> versus(lab, Kind.NATSWARM, Kind.TCP_CUBIC, 300);
              case "reno100" -> versus(lab, Kind.NATSWARM, Kind.TCP_RENO, 100);
              case "lt100" -> versus(lab, Kind.LIBTORRENT, Kind.TCP_CUBIC, 100);
              case "ltalone" -> java.util.Arrays.toString(alone(lab, Kind.LIBTORRENT));
              default -> throw new IllegalArgumentException("no scenario " + scenario);
            };
        System.err.printf(Locale.ROOT, "%s run %d: %s%n", scenario, run, figure);
      }
    }
  }

  /** {utilisation, added delay in ms} of one µTP flow alone behind a 100 ms queue. */
  private static double[] alone(Lab lab, Kind kind) throws Exception {
    lab.queue(100);
    try (Flow flow = Flow.start(lab, kind)) {
      long t0 = System.nanoTime();
      lab.sampleUntil(t0 + 20 * SEC);
      flow.check();
      long from = t0 + 5 * SEC;
      long to = t0 + 20 * SEC;
      if (flow.bytesBetween(from, to) <= 0) {
        throw new IllegalStateException(kind + " alone delivered nothing");
      }
      return new double[] {lab.utilisation(from, to), lab.meanQueueMillis(from, to)};
    }
  }

  /** The share of the bottleneck {@code kind} takes when it joins a running TCP flow. */
  private static double versus(Lab lab, Kind kind, Kind tcp, int queueMillis) throws Exception {
    lab.queue(queueMillis);
    try (Flow t = Flow.start(lab, tcp)) {
      long t0 = System.nanoTime();
      lab.sampleUntil(t0 + 5 * SEC);
      try (Flow u = Flow.start(lab, kind)) {
        lab.sampleUntil(t0 + 30 * SEC);
        t.check();
        u.check();
        long from = t0 + 10 * SEC;
        long to = t0 + 30 * SEC;
        double ub = u.bytesBetween(from, to);
        double tb = t.bytesBetween(from, to);
        if (tb <= 0) {
          throw new IllegalStateException(tcp + " delivered nothing beside " + kind);
        }
        if (ub <= 0) {
          throw new IllegalStateException(kind + " delivered nothing beside " + tcp);
        }
        return ub / (ub + tb);
      }
    }
  }

  private static String unavailableReason() {
    if (!"root".equals(System.getProperty("user.name"))) {
      return "needs root (it creates network namespaces and a tbf qdisc)";
    }
    for (String tool : new String[] {"ip", "tc", "/usr/bin/python3"}) {
      if (!Lab.run(false, "sh", "-c", "command -v " + tool).isEmpty()) {
        return "needs '" + tool + "' on PATH";
      }
    }
    if (!Lab.run(false, "/usr/bin/python3", "-c", "import libtorrent").isEmpty()) {
      return "needs python3-libtorrent (the reference µTP)";
    }
    return null;
  }

  /** Two namespaces, a veth pair, tbf on the sender's end, and a qdisc sampler. */
  private static final class Lab implements AutoCloseable {
    private static final Pattern SENT = Pattern.compile("\"bytes\":(\\d+)");
    private static final Pattern BACKLOG = Pattern.compile("\"backlog\":(\\d+)");
    final String snd;
    final String rcv;
    final Path work;
    private final Thread cleanup;
    private final List<long[]> samples = Collections.synchronizedList(new ArrayList<>());

    private Lab(String prefix, Path work) {
      this.snd = prefix + "-snd";
      this.rcv = prefix + "-rcv";
      this.work = work;
      this.cleanup = new Thread(this::deleteNamespaces, "lab-cleanup");
    }

    static Lab create() throws IOException {
      String prefix =
          "nswl" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
      Lab lab = new Lab(prefix, Files.createTempDirectory(Path.of("/dev/shm"), prefix));
      Runtime.getRuntime().addShutdownHook(lab.cleanup);
      try {
        lab.build();
      } catch (RuntimeException e) {
        lab.close();
        throw e;
      }
      return lab;
    }

    private void build() {
      run(true, "ip", "netns", "add", snd);
      run(true, "ip", "netns", "add", rcv);
      run(
          true, "ip", "-n", snd, "link", "add", "s0", "type", "veth", "peer", "name", "r0", "netns",
          rcv);
      run(true, "ip", "-n", snd, "addr", "add", SND_ADDR + "/24", "dev", "s0");
      run(true, "ip", "-n", rcv, "addr", "add", RCV_ADDR + "/24", "dev", "r0");
      for (String[] nd : new String[][] {{snd, "s0"}, {rcv, "r0"}}) {
        run(true, "ip", "-n", nd[0], "link", "set", "lo", "up");
        run(true, "ip", "-n", nd[0], "link", "set", nd[1], "up");
      }
    }

    /** Replaces the bottleneck: 20 Mbit/s with a queue of {@code millis}. */
    void queue(int millis) throws InterruptedException {
      run(
          true,
          "tc",
          "-n",
          snd,
          "qdisc",
          "replace",
          "dev",
          "s0",
          "root",
          "tbf",
          "rate",
          "20mbit",
          "burst",
          "32kbit",
          "latency",
          millis + "ms");
      Thread.sleep(500);
      samples.clear();
    }

    /** Samples the qdisc every 100 ms until {@code deadline} (System.nanoTime). */
    void sampleUntil(long deadline) throws InterruptedException {
      long next = System.nanoTime();
      while (next < deadline) {
        String out = run(true, "tc", "-n", snd, "-s", "-j", "qdisc", "show", "dev", "s0");
        long at = System.nanoTime();
        Matcher s = SENT.matcher(out);
        Matcher b = BACKLOG.matcher(out);
        if (!s.find() || !b.find()) {
          throw new IllegalStateException("cannot read the qdisc statistics: " + out);
        }
        samples.add(new long[] {at, Long.parseLong(s.group(1)), Long.parseLong(b.group(1))});
        next += 100_000_000L;
        long sleep = next - System.nanoTime();
        if (sleep > 0) {
          TimeUnit.NANOSECONDS.sleep(sleep);
        }
      }
    }

    double utilisation(long from, long to) {
      long[] a = at(from);
      long[] b = at(to);
      return (b[1] - a[1]) * 8.0 / (RATE_BPS * ((b[0] - a[0]) / 1e9));
    }

    double meanQueueMillis(long from, long to) {
      double sum = 0;
      int n = 0;
      synchronized (samples) {
        for (long[] s : samples) {
          if (s[0] >= from && s[0] <= to) {
            sum += s[2] * 8.0 / RATE_BPS * 1000;
            n++;
          }
        }
      }
      if (n == 0) {
        throw new IllegalStateException("no qdisc samples in the window");
      }
      return sum / n;
    }

    private long[] at(long t) {
      long[] best = null;
      synchronized (samples) {
        for (long[] s : samples) {
          if (best == null || Math.abs(s[0] - t) < Math.abs(best[0] - t)) {
            best = s;
          }
        }
      }
      if (best == null) {
        throw new IllegalStateException("no qdisc samples");
      }
      return best;
    }

    Process start(String namespace, String... command) throws IOException {
      List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
      cmd.addAll(List.of(command));
      return new ProcessBuilder(cmd).redirectErrorStream(false).start();
    }

    @Override
    public void close() {
      deleteNamespaces();
      try {
        Runtime.getRuntime().removeShutdownHook(cleanup);
      } catch (IllegalStateException e) {
        // shutting down: the hook runs anyway
      }
    }

    private void deleteNamespaces() {
      run(false, "ip", "netns", "del", snd);
      run(false, "ip", "netns", "del", rcv);
      run(false, "rm", "-rf", work.toString());
    }

    /**
     * Runs a command; returns its output, or (check false) "" on success and the output on failure.
     */
    static String run(boolean check, String... command) {
      try {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          throw new IllegalStateException("timed out: " + String.join(" ", command));
        }
        if (p.exitValue() != 0) {
          if (check) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out.strip());
          }
          return out.isEmpty() ? "exit " + p.exitValue() : out;
        }
        return check ? out : "";
      } catch (IOException e) {
        if (check) {
          throw new UncheckedIOException(e);
        }
        return e.getMessage();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  /** One bulk flow: a receiver in rcv that reports bytes, a sender in snd. */
  private static final class Flow implements AutoCloseable {
    private static final Pattern BYTES = Pattern.compile("bytes (\\d+) (\\d+)");
    private final Kind kind;
    private final List<Process> processes = new ArrayList<>();
    private final List<long[]> progress = Collections.synchronizedList(new ArrayList<>());
    private final StringBuilder errors = new StringBuilder();

    private Flow(Kind kind) {
      this.kind = kind;
    }

    static Flow start(Lab lab, Kind kind) throws Exception {
      Flow f = new Flow(kind);
      try {
        f.launch(lab);
      } catch (Exception e) {
        f.close();
        throw e;
      }
      return f;
    }

    private void launch(Lab lab) throws Exception {
      String java = ProcessHandle.current().info().command().orElse("java");
      String cp = System.getProperty("java.class.path");
      Path scripts = lab.work.resolve("scripts");
      Files.createDirectories(scripts);
      for (String s : new String[] {"tcp_flow.py", "lt_utp_flow.py"}) {
        try (InputStream in = UtpLedbatLabBench.class.getResourceAsStream("/ledbat-lab/" + s)) {
          if (in == null) {
            throw new IllegalStateException("missing resource ledbat-lab/" + s);
          }
          Files.write(scripts.resolve(s), in.readAllBytes());
        }
      }
      String tcpFlow = scripts.resolve("tcp_flow.py").toString();
      String ltFlow = scripts.resolve("lt_utp_flow.py").toString();
      switch (kind) {
        case NATSWARM -> {
          Process r =
              lab.start(
                  lab.rcv,
                  java,
                  "-Xmx512m",
                  "-cp",
                  cp,
                  LedbatLabPeer.class.getName(),
                  "recv",
                  RCV_ADDR,
                  "6881");
          follow(r, true);
          Process s =
              lab.start(
                  lab.snd,
                  java,
                  "-Xmx512m",
                  "-cp",
                  cp,
                  LedbatLabPeer.class.getName(),
                  "send",
                  RCV_ADDR,
                  "6881");
          follow(s, false);
        }
        case LIBTORRENT -> {
          Path dir = lab.work.resolve("lt" + System.nanoTime());
          Files.createDirectories(dir);
          Process s =
              lab.start(
                  lab.snd, "/usr/bin/python3", ltFlow, "seed", dir.toString(), SND_ADDR, "6881");
          follow(s, true);
          Process r =
              lab.start(
                  lab.rcv, "/usr/bin/python3", ltFlow, "leech", dir.toString(), SND_ADDR, "6881");
          follow(r, false);
        }
        case TCP_CUBIC, TCP_RENO -> {
          String cc = kind == Kind.TCP_CUBIC ? "cubic" : "reno";
          Process r = lab.start(lab.rcv, "/usr/bin/python3", tcpFlow, "recv", RCV_ADDR, "5001");
          follow(r, true);
          Process s = lab.start(lab.snd, "/usr/bin/python3", tcpFlow, "send", RCV_ADDR, "5001", cc);
          follow(s, false);
        }
      }
    }

    /** Reads a process's output on a thread; waits for its "ready" line when asked. */
    private void follow(Process p, boolean awaitReady) throws Exception {
      processes.add(p);
      Object ready = new Object();
      boolean[] seen = {false};
      Thread t =
          new Thread(
              () -> {
                try (BufferedReader in =
                    new BufferedReader(
                        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                  String line;
                  while ((line = in.readLine()) != null) {
                    Matcher m = BYTES.matcher(line);
                    if (m.matches()) {
                      progress.add(
                          new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))});
                    } else if (line.equals("ready")) {
                      synchronized (ready) {
                        seen[0] = true;
                        ready.notifyAll();
                      }
                    }
                  }
                } catch (IOException e) {
                  // the process ended
                }
              },
              kind + "-out");
      t.setDaemon(true);
      t.start();
      Thread e =
          new Thread(
              () -> {
                try {
                  String s = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
                  synchronized (errors) {
                    errors.append(s);
                  }
                } catch (IOException ex) {
                  // ended
                }
              },
              kind + "-err");
      e.setDaemon(true);
      e.start();
      if (awaitReady) {
        long deadline = System.nanoTime() + 60 * SEC;
        synchronized (ready) {
          while (!seen[0]) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !p.isAlive()) {
              throw new IllegalStateException(kind + " did not start: " + errorText());
            }
            ready.wait(Math.min(200, left / 1_000_000 + 1));
          }
        }
      }
    }

    void check() {
      for (Process p : processes) {
        if (!p.isAlive()) {
          throw new IllegalStateException(kind + " process ended early: " + errorText());
        }
      }
    }

    private String errorText() {
      synchronized (errors) {
        return errors.toString().strip();
      }
    }

    double bytesBetween(long from, long to) {
      long[] a = null;
      long[] b = null;
      synchronized (progress) {
        for (long[] s : progress) {
          if (s[0] <= from) {
            a = s;
          }
          if (s[0] <= to) {
            b = s;
          }
        }
      }
      if (b == null) {
        throw new IllegalStateException(
            kind + " reported no progress in the window: " + errorText());
      }
      // a flow whose first report came after the window opened (a slow start-up on a loaded
      // machine) had delivered nothing before it
      return b[1] - (a == null ? 0 : a[1]);
    }

    @Override
    public void close() throws InterruptedException {
      for (Process p : processes) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
      }
      for (Process p : processes) {
        p.waitFor(10, TimeUnit.SECONDS);
      }
      Thread.sleep(1000); // let the queue drain
    }
  }
}
