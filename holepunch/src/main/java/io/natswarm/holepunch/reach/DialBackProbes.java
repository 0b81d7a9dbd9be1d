package io.natswarm.holepunch.reach;

import io.natswarm.datagram.DatagramCore;
import io.natswarm.datagram.Deadlines;
import io.natswarm.datagram.Transmit;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The µTP half of the dial-back test on the node's socket: a peer asked with a {@link DialBack}
 * request sends, from a fresh port of its own, datagrams of {@link #MAGIC} followed by the
 * request's nonce; this core, registered for hole-punch probes, notes which awaited nonces arrived.
 * A probe that arrives crossed the NAT in front of us unasked (from a port we never sent to; from
 * an address we did talk to, which a restricted-cone NAT lets through: the test's known limit, as
 * in libp2p's AutoNAT). Receives only: it never transmits.
 *
 * <p>Owned by the socket's thread; allocates nothing per datagram.
 */
public final class DialBackProbes implements DatagramCore {
  /** The probe's first eight bytes: "nswprobe". */
  public static final long MAGIC = 0x6e73_7770_726f_6265L;

  /** A probe's length: magic and nonce. */
  public static final int LENGTH = 16;

  private static final int SLOTS = 8;

  private final long[] nonces = new long[SLOTS];
  private final boolean[] waiting = new boolean[SLOTS];
  private final boolean[] arrived = new boolean[SLOTS];
  private long probes;
  private long strays;

  /** Awaits probes with {@code nonce}; the oldest awaited nonce makes room when all are taken. */
  public void await(long nonce) {
    int free = -1;
    for (int i = 0; i < SLOTS; i++) {
      if (!waiting[i]) {
        free = i;
        break;
      }
    }
    if (free < 0) {
      System.arraycopy(nonces, 1, nonces, 0, SLOTS - 1);
      System.arraycopy(arrived, 1, arrived, 0, SLOTS - 1);
      free = SLOTS - 1;
    }
    nonces[free] = nonce;
    waiting[free] = true;
    arrived[free] = false;
  }

  /**
   * Whether a probe with {@code nonce} arrived; forgets the nonce (true once at most). False when
   * none arrived or it was never awaited.
   */
  public boolean take(long nonce) {
    for (int i = 0; i < SLOTS; i++) {
      if (waiting[i] && nonces[i] == nonce) {
        waiting[i] = false;
        return arrived[i];
      }
    }
    return false;
  }

  /** Probes that matched an awaited nonce. */
  public long probes() {
    return probes;
  }

  /** Datagrams with the magic and an unknown nonce. */
  public long strays() {
    return strays;
  }

  @Override
  public boolean handleDatagram(ByteBuffer packet, InetSocketAddress from, long nowNanos) {
    int pos = packet.position();
    if (packet.remaining() != LENGTH || packet.getLong(pos) != MAGIC) {
      return false;
    }
    long nonce = packet.getLong(pos + 8);
    for (int i = 0; i < SLOTS; i++) {
      if (waiting[i] && nonces[i] == nonce) {
        if (!arrived[i]) {
          probes++;
        }
        arrived[i] = true;
        return true;
      }
    }
    strays++;
    return true;
  }

  @Override
  public boolean pollTransmit(Transmit out, long nowNanos) {
    return false;
  }

  @Override
  public long pollTimeout() {
    return Deadlines.NONE;
  }

  @Override
  public void handleTimeout(long nowNanos) {}

  @Override
  public String toString() {
    return "DialBackProbes" + Arrays.toString(Arrays.copyOf(waiting, SLOTS));
  }
}
