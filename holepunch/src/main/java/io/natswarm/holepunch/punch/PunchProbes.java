package io.natswarm.holepunch.punch;

import io.natswarm.datagram.DatagramCore;
import io.natswarm.datagram.Deadlines;
import io.natswarm.datagram.Transmit;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;

/**
 * The UDP punch of BEP 55 ("upon receiving the connect message, each peer initiates a uTP
 * connection to the other peer") made explicit: when a rendezvous peer introduces us to an
 * endpoint, this core sends a short burst of probe datagrams ({@link #MAGIC}) from the node's one
 * socket to it, so that our own NAT opens its filter for that endpoint before the other side's µTP
 * SYN arrives, and notes the probes that reach us from the other side (their source is the other
 * side's peer-reflexive endpoint, the address its NAT actually gave it).
 *
 * <p>A probe is 8 bytes; a µTP or DHT stack of another client (libtorrent) reads it as garbage and
 * drops it. The burst is {@link Settings#probes} datagrams {@link Settings#interval} apart, long
 * enough to cover the other side's late start (it gets its connect message from the rendezvous one
 * round trip apart from ours); at most {@link Settings#maxTargets} bursts run at once, the oldest
 * giving way. With port prediction ({@link #punch(InetSocketAddress, PortPrediction.Side, int,
 * long)}) each probe of the burst becomes a round of probes to the predicted ports. Registered by
 * the composition root under {@code HOLEPUNCH_PROBE}, beside the dial-back probe receiver (which
 * declines these datagrams by length).
 *
 * <p>Sans-IO and owned by the socket's thread; allocates nothing per datagram.
 */
public final class PunchProbes implements DatagramCore {
  /** A probe's eight bytes: "nswpunch". */
  public static final long MAGIC = 0x6e73_7770_756e_6368L;

  /** A probe's length. */
  public static final int LENGTH = 8;

  /**
   * Settings of the bursts.
   *
   * @param probes datagrams per burst
   * @param interval time between two datagrams of a burst
   * @param maxTargets bursts running at once, and peer-reflexive endpoints remembered
   */
  public record Settings(int probes, Duration interval, int maxTargets) {
    /** Eight probes 100 ms apart (a burst lasts 0.7 s), 16 targets. */
    public static final Settings DEFAULTS = new Settings(8, Duration.ofMillis(100), 16);

    public Settings {
      if (probes < 1) {
        throw new IllegalArgumentException("punch probes " + probes + " must be at least 1");
      }
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("punch interval " + interval + " must be positive");
      }
      if (maxTargets < 1) {
        throw new IllegalArgumentException("punch targets " + maxTargets + " must be at least 1");
      }
    }
  }

  private final long intervalNanos;
  private final int probesPerBurst;
  private final InetSocketAddress[][] targets;
  private final int[] next;
  private final int[] left;
  private final long[] due;
  private final long[] started;
  private final InetSocketAddress[] heard;
  private final long[] heardAt;
  private Heard[] heardListeners = new Heard[0];
  private long bursts;
  private long sent;
  private long received;
  private long strays;

  /** Told of each probe that arrives, on the socket's thread, after it was noted. */
  @FunctionalInterface
  public interface Heard {
    /** A probe from {@code from} arrived at {@code nowNanos}. */
    void probeFrom(InetSocketAddress from, long nowNanos);
  }

  /**
   * Adds one who is told of each probe that arrives, in the order added: the node's socket sends an
   * unanswered µTP SYN to its sender again at once (a triggered check: the other side's NAT has
   * opened by now), and the hole punch dials a peer-reflexive sender at once. Socket thread only.
   */
  public void addHeardListener(Heard listener) {
    Objects.requireNonNull(listener, "listener");
    Heard[] more = java.util.Arrays.copyOf(heardListeners, heardListeners.length + 1);
    more[heardListeners.length] = listener;
    heardListeners = more;
  }

  public PunchProbes(Settings settings) {
    Objects.requireNonNull(settings, "settings");
    this.intervalNanos = settings.interval().toNanos();
    this.probesPerBurst = settings.probes();
    int n = settings.maxTargets();
    this.targets = new InetSocketAddress[n][];
    this.next = new int[n];
    this.left = new int[n];
    this.due = new long[n];
    this.started = new long[n];
    this.heard = new InetSocketAddress[n];
    this.heardAt = new long[n];
  }

  /**
   * Starts a burst to {@code target} now (restarts it when one runs to it already). When {@link
   * Settings#maxTargets} bursts run, the one started first gives way.
   */
  public void punch(InetSocketAddress target, long nowNanos) {
    Objects.requireNonNull(target, "target");
    start(new InetSocketAddress[] {target}, nowNanos);
  }

  /**
   * Starts a burst to {@code target} and to the ports {@link PortPrediction} predicts for a NAT
   * that allocates ports in sequence: each of the burst's {@link Settings#probes} rounds sends one
   * probe to every port of {@link PortPrediction#ports}, in that order and back to back, so that
   * our own NAT, if it allocates in sequence too, hands out its ports in the order the prediction
   * counts on. A burst to the same {@code target} restarts.
   */
  public void punch(InetSocketAddress target, PortPrediction.Side side, int span, long nowNanos) {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(side, "side");
    int[] ports = PortPrediction.ports(target.getPort(), side, span);
    InetSocketAddress[] round = new InetSocketAddress[ports.length];
    for (int i = 0; i < ports.length; i++) {
      round[i] = i == 0 ? target : new InetSocketAddress(target.getAddress(), ports[i]);
    }
    start(round, nowNanos);
  }

  private void start(InetSocketAddress[] round, long nowNanos) {
    int slot = -1;
    for (int i = 0; i < targets.length; i++) {
      if (targets[i] != null && round[0].equals(targets[i][0])) {
        slot = i;
        break;
      }
      if (slot < 0 && left[i] == 0) {
        slot = i;
      }
    }
    if (slot < 0) {
      slot = 0;
      for (int i = 1; i < targets.length; i++) {
        if (started[i] - started[slot] < 0) {
          slot = i;
        }
      }
    }
    targets[slot] = round;
    next[slot] = 0;
    left[slot] = probesPerBurst;
    due[slot] = nowNanos;
    started[slot] = nowNanos;
    bursts++;
  }

  /**
   * Whether a probe from {@code endpoint} arrived at or after {@code sinceNanos} (among the last
   * {@link Settings#maxTargets} endpoints heard).
   */
  public boolean heardFrom(InetSocketAddress endpoint, long sinceNanos) {
    for (int i = 0; i < heard.length; i++) {
      if (endpoint.equals(heard[i]) && heardAt[i] - sinceNanos >= 0) {
        return true;
      }
    }
    return false;
  }

  /**
   * The endpoint at {@code address} a probe arrived from most recently, at or after {@code
   * sinceNanos}, or null: a peer-reflexive endpoint (RFC 8445 section 7.2.5.3.1), which differs
   * from the one a rendezvous named when the peer's NAT maps each destination apart (symmetric).
   */
  public InetSocketAddress lastHeardFrom(InetAddress address, long sinceNanos) {
    InetSocketAddress best = null;
    long bestAt = 0;
    for (int i = 0; i < heard.length; i++) {
      if (heard[i] != null
          && heard[i].getAddress().equals(address)
          && heardAt[i] - sinceNanos >= 0
          && (best == null || heardAt[i] - bestAt > 0)) {
        best = heard[i];
        bestAt = heardAt[i];
      }
    }
    return best;
  }

  /** Bursts started. */
  public long bursts() {
    return bursts;
  }

  /** Probes sent. */
  public long sent() {
    return sent;
  }

  /** Probes received. */
  public long received() {
    return received;
  }

  /** Datagrams of a probe's length with another magic: declined, for the next core. */
  public long strays() {
    return strays;
  }

  @Override
  public boolean handleDatagram(ByteBuffer packet, InetSocketAddress from, long nowNanos) {
    if (packet.remaining() != LENGTH) {
      return false;
    }
    if (packet.getLong(packet.position()) != MAGIC) {
      strays++;
      return false;
    }
    received++;
    note(from, nowNanos);
    for (Heard h : heardListeners) {
      h.probeFrom(from, nowNanos);
    }
    return true;
  }

  private void note(InetSocketAddress from, long nowNanos) {
    for (int i = 0; i < heard.length; i++) {
      if (from.equals(heard[i])) {
        heardAt[i] = nowNanos;
        return;
      }
    }
    int slot = 0; // an empty slot, else the endpoint heard least recently
    for (int i = 0; i < heard.length && heard[slot] != null; i++) {
      if (heard[i] == null || heardAt[i] - heardAt[slot] < 0) {
        slot = i;
      }
    }
    heard[slot] = from;
    heardAt[slot] = nowNanos;
  }

  @Override
  public boolean pollTransmit(Transmit out, long nowNanos) {
    for (int i = 0; i < targets.length; i++) {
      if (left[i] > 0 && nowNanos - due[i] >= 0) {
        ByteBuffer b = out.buffer();
        b.putLong(MAGIC);
        InetSocketAddress[] round = targets[i];
        out.setDestination(round[next[i]]);
        if (++next[i] == round.length) { // the round is over; the next one an interval on
          next[i] = 0;
          left[i]--;
          due[i] = nowNanos + intervalNanos;
        }
        sent++;
        return true;
      }
    }
    return false;
  }

  @Override
  public long pollTimeout() {
    long earliest = Deadlines.NONE;
    for (int i = 0; i < targets.length; i++) {
      if (left[i] > 0) {
        earliest = Deadlines.earliest(earliest, due[i]);
      }
    }
    return earliest;
  }

  @Override
  public void handleTimeout(long nowNanos) {
    // the probes that are due leave in pollTransmit
  }
}
