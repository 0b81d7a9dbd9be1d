package io.natswarm.netsim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The network's event trace: every send, delivery, drop, timer and NAT mapping change, folded into
 * a running 64-bit hash (two runs of the same scenario with the same seed must give the same hash)
 * and, when {@link #record(boolean) recording}, kept as primitive records that {@link #events()}
 * formats on demand. Hashing is on by default and cheap; recording is off by default. {@link
 * #setEnabled(boolean) setEnabled(false)} turns both off for benchmarks.
 */
public final class Trace {
  /** What happened. */
  public enum Kind {
    SEND(0),
    DELIVER(1),
    DROP(2),
    TIMER(3),
    NAT_MAP(4),
    NAT_EXPIRE(5);

    final int code;

    Kind(int code) {
      this.code = code;
    }
  }

  private static final Kind[] KINDS = Kind.values();

  private final Network network;
  private boolean enabled = true;
  private boolean recording;
  private long hash = 0xCBF29CE484222325L;
  private long count;

  private int size;
  private long[] time = new long[0];
  private int[] kind = new int[0];
  private int[] node = new int[0];
  private int[] src = new int[0];
  private int[] srcPort = new int[0];
  private int[] dst = new int[0];
  private int[] dstPort = new int[0];
  private int[] extra = new int[0];

  Trace(Network network) {
    this.network = network;
  }

  /** Turns hashing and recording on or off (off for benchmarks). */
  public void setEnabled(boolean on) {
    this.enabled = on;
  }

  public boolean isEnabled() {
    return enabled;
  }

  /** Keeps every event from now on, for {@link #events()}. */
  public void record(boolean on) {
    this.recording = on;
  }

  /** A hash of every event so far: equal for two runs of one scenario with one seed. */
  public long hash() {
    return hash;
  }

  /** The number of events hashed so far. */
  public long count() {
    return count;
  }

  /** The recorded events, formatted one per line (empty unless {@link #record} was on). */
  public List<String> events() {
    List<String> out = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      out.add(format(i));
    }
    return out;
  }

  /** The recorded events of one kind, formatted. */
  public List<String> events(Kind k) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      if (kind[i] == k.code) {
        out.add(format(i));
      }
    }
    return out;
  }

  /** Forgets the recorded events (the hash keeps running). */
  public void clearRecorded() {
    size = 0;
  }

  void add(Kind k, long t, int nodeId, int s, int sp, int d, int dp, int x) {
    if (!enabled) {
      return;
    }
    count++;
    long h = hash;
    h = mix(h, t);
    h = mix(h, ((long) k.code << 32) | nodeId);
    h = mix(h, ((long) s << 32) | sp);
    h = mix(h, ((long) d << 32) | dp);
    h = mix(h, x);
    hash = h;
    if (recording) {
      if (size == time.length) {
        int n = Math.max(64, size * 2);
        time = Arrays.copyOf(time, n);
        kind = Arrays.copyOf(kind, n);
        node = Arrays.copyOf(node, n);
        src = Arrays.copyOf(src, n);
        srcPort = Arrays.copyOf(srcPort, n);
        dst = Arrays.copyOf(dst, n);
        dstPort = Arrays.copyOf(dstPort, n);
        extra = Arrays.copyOf(extra, n);
      }
      time[size] = t;
      kind[size] = k.code;
      node[size] = nodeId;
      src[size] = s;
      srcPort[size] = sp;
      dst[size] = d;
      dstPort[size] = dp;
      extra[size] = x;
      size++;
    }
  }

  private static long mix(long h, long v) {
    h ^= v;
    h *= 0x100000001B3L;
    return h ^ (h >>> 29);
  }

  private String format(int i) {
    Kind k = KINDS[kind[i]];
    String who = network.nodeName(node[i]);
    String flow =
        network.addressText(src[i], srcPort[i]) + " > " + network.addressText(dst[i], dstPort[i]);
    String tail =
        switch (k) {
          case SEND, DELIVER -> " len=" + extra[i];
          case DROP -> " " + DropReason.ofCode(extra[i]).name().toLowerCase(Locale.ROOT);
          case NAT_MAP, NAT_EXPIRE -> " ext-port=" + extra[i];
          case TIMER -> "";
        };
    return String.format(
            Locale.ROOT, "%d.%06d", time[i] / 1_000_000_000L, time[i] / 1000 % 1_000_000)
        + " "
        + k.name().toLowerCase(Locale.ROOT)
        + " "
        + who
        + " "
        + (k == Kind.TIMER ? "port " + srcPort[i] : flow)
        + tail;
  }
}
