package io.natswarm.holepunch.punch;

/**
 * Which ports of the other side to probe, in which order, so that a hole punch gets through NATs
 * that allocate external ports in sequence (address-and-port-dependent mapping, RFC 4787 section
 * 4.1, with the "port assignment" of section 4.2.1 handing out the next port to each new flow).
 *
 * <p>The rendezvous names each side's endpoint as it sees it: the port of the flow that side opened
 * to the rendezvous, {@code a0} for the initiator A and {@code b0} for the target B. Since then
 * each NAT handed out some more ports ({@code dA} and {@code dB} flows: the DHT, a TCP dial, other
 * hosts), and every probe to a new destination takes the next one. From one socket, A's {@code
 * i}-th new destination {@code x(i)} leaves from {@code a0+dA+i}; B's {@code j}-th, {@code y(j)},
 * from {@code b0+dB+j}. A probe passes the other NAT when that NAT holds the mirror flow, so a
 * punch gets through when, for some {@code i} and {@code j}, {@code x(i) = b0+dB+j} and {@code y(j)
 * = a0+dA+i}; whichever of the two leaves second passes, and the probe it draws answers on the same
 * two mappings.
 *
 * <p>If both sides probed {@code a0+k} and {@code b0+k} in order, the two conditions would hold
 * only when neither NAT had handed out a port since ({@code j = i+dA} and {@code i = j+dB}). So the
 * sides probe differently:
 *
 * <ul>
 *   <li>the target probes {@code a0, a0+1, …, a0+span-1} ({@link Side#TARGET}): {@code y(j) =
 *       a0+j};
 *   <li>the initiator probes {@code b0, b0+2, b0+4, …} and then the odd offsets {@code b0+1, b0+3,
 *       …} ({@link Side#INITIATOR}): with {@code x(i) = b0+2i}, the conditions give {@code j =
 *       dA+i} and {@code i = dA+dB}: a hit whenever {@code dA+dB < span} and {@code 2dA+dB < span}.
 *       Each flow that some other traffic slips in between the probes only moves the hit one probe
 *       on.
 * </ul>
 *
 * <p>The same orders serve a NAT that keeps one port for all of a socket's destinations (the punch
 * leaves from the very port the rendezvous saw) against a sequential NAT on the other side: the
 * sequential side's first probe, to the named port, leaves from {@code a0+dA} or {@code b0+dB},
 * which the other side's round covers when {@code dA < span} or {@code dB < 2·span}. A NAT that
 * picks ports at random is beyond any prediction: there the punch relies on the peer-reflexive
 * endpoint (the other side's probes come from the port its NAT gave it), which works only when the
 * other side's NAT filters by address alone or not at all.
 *
 * <p>Pure functions, any thread.
 */
public final class PortPrediction {
  /** Ports the target probes ({@code 2·SPAN} for the initiator): covers {@code 2dA+dB < 24}. */
  public static final int SPAN = 24;

  /** Which side of the rendezvous we are. */
  public enum Side {
    /** We asked the rendezvous for the punch. */
    INITIATOR,
    /** The other side asked; the rendezvous' connect message named it to us. */
    TARGET
  }

  private PortPrediction() {}

  /**
   * The ports to probe, in order, when the rendezvous named {@code port}: {@code port} first, then
   * the predicted ones, none above 65535.
   */
  public static int[] ports(int port, Side side, int span) {
    if (port < 1 || port > 0xffff) {
      throw new IllegalArgumentException("port " + port + " is not a UDP port");
    }
    if (span < 1) {
      throw new IllegalArgumentException("span " + span + " must be at least 1");
    }
    int count = side == Side.TARGET ? span : 2 * span;
    int[] out = new int[Math.min(count, 0xffff - port + 1)];
    int n = 0;
    if (side == Side.TARGET) {
      for (int j = 0; j < span && port + j <= 0xffff; j++) {
        out[n++] = port + j;
      }
    } else {
      for (int i = 0; i < span && port + 2 * i <= 0xffff; i++) {
        out[n++] = port + 2 * i;
      }
      for (int i = 0; i < span && port + 2 * i + 1 <= 0xffff; i++) {
        out[n++] = port + 2 * i + 1;
      }
    }
    return n == out.length ? out : java.util.Arrays.copyOf(out, n);
  }
}
