package io.natswarm.utp;

/**
 * Path-MTU discovery for one connection, in the spirit of libtorrent's µTP: the packet size starts
 * at {@link UtpSettings#packetSize()} (1472 bytes, a 1500-byte IPv4 MTU); when the ceiling {@link
 * UtpSettings#maxPacketSize()} is higher, one probe at a time of the midpoint between the current
 * size and the ceiling is sent: acked, it becomes the packet size; lost, the ceiling drops below it
 * (binary search). When full-size packets keep timing out the size falls halfway toward the floor
 * {@link UtpSettings#minPacketSize()}. Sizes are UDP payload bytes, header included. Owned by the
 * event-loop thread, inside the {@link Sender}.
 */
final class PathMtu {
  /** Stop probing once the search interval is this narrow. */
  static final int RESOLUTION = 16;

  private final int floor;
  private int ceiling;
  private int current;
  private int probeSeq = -1;
  private int probeSize;

  PathMtu(int floor, int start, int ceiling) {
    this.floor = floor;
    this.current = start;
    this.ceiling = ceiling;
  }

  int packetSize() {
    return current;
  }

  int ceiling() {
    return ceiling;
  }

  /** The size of the next probe to send, or 0 when no probe is due. */
  int nextProbeSize() {
    if (probeSeq >= 0 || ceiling - current < RESOLUTION) {
      return 0;
    }
    return (current + ceiling + 1) >>> 1;
  }

  void probeSent(int seq, int size) {
    probeSeq = seq;
    probeSize = size;
  }

  /** The size of the probe in flight, header and padding included. */
  int probeSize() {
    return probeSize;
  }

  boolean isProbe(int seq) {
    return seq == probeSeq;
  }

  void probeAcked() {
    if (probeSize > current) {
      current = probeSize;
    }
    probeSeq = -1;
  }

  void probeLost() {
    ceiling = Math.max(current, probeSize - 1);
    probeSeq = -1;
  }

  /** Full-size packets time out repeatedly: the path is narrower than we thought. */
  void shrink() {
    if (current > floor) {
      ceiling = current - 1;
      current = Math.max(floor, (floor + current) >>> 1);
    }
  }
}
