package io.natswarm.utp;

/**
 * Counters of one {@link UtpConnection}, for tests and metrics. Updated on the event-loop thread.
 */
public final class UtpConnectionStats {
  long packetsSent;
  long packetsReceived;
  long payloadBytesSent;
  long payloadBytesReceived;
  long retransmits;
  long timeouts;
  long fastRetransmits;
  long sackRetransmits;
  long duplicateAcks;
  long duplicatePackets;
  long outOfOrderPackets;
  long synRetransmits;
  long synTriggered;
  long finRetransmits;
  long zeroWindowProbes;
  long keepAlives;
  long mtuProbesSent;
  long mtuProbesAcked;
  long mtuProbesLost;
  long lossEvents;
  long yieldsToLoss;
  long yieldsToDisplacement;

  /** Datagrams sent, retransmissions and pure acks included. */
  public long packetsSent() {
    return packetsSent;
  }

  public long packetsReceived() {
    return packetsReceived;
  }

  /** Payload bytes sent for the first time (retransmissions excluded). */
  public long payloadBytesSent() {
    return payloadBytesSent;
  }

  /** Payload bytes delivered in order to the receive buffer. */
  public long payloadBytesReceived() {
    return payloadBytesReceived;
  }

  /** Packets (DATA, FIN, SYN) sent again, for any reason. */
  public long retransmits() {
    return retransmits;
  }

  /** Retransmission timeouts that fired. */
  public long timeouts() {
    return timeouts;
  }

  /** Retransmissions triggered by three duplicate acks. */
  public long fastRetransmits() {
    return fastRetransmits;
  }

  /** Retransmissions triggered by selective-ACK holes. */
  public long sackRetransmits() {
    return sackRetransmits;
  }

  public long duplicateAcks() {
    return duplicateAcks;
  }

  /** Data packets received that were already received. */
  public long duplicatePackets() {
    return duplicatePackets;
  }

  public long outOfOrderPackets() {
    return outOfOrderPackets;
  }

  public long synRetransmits() {
    return synRetransmits;
  }

  /**
   * SYNs sent again at once because the other side showed a sign of life (a hole-punch probe), not
   * by the retransmission timer; included in {@link #synRetransmits()}.
   */
  public long synTriggered() {
    return synTriggered;
  }

  public long finRetransmits() {
    return finRetransmits;
  }

  public long zeroWindowProbes() {
    return zeroWindowProbes;
  }

  public long keepAlives() {
    return keepAlives;
  }

  public long mtuProbesSent() {
    return mtuProbesSent;
  }

  public long mtuProbesAcked() {
    return mtuProbesAcked;
  }

  public long mtuProbesLost() {
    return mtuProbesLost;
  }

  /** Congestion events that halved the window (at most one per round trip). */
  public long lossEvents() {
    return lossEvents;
  }

  /**
   * Times LEDBAT took a loss for a sign that a loss-based flow (TCP) shares the bottleneck: a loss
   * with a queue behind it after a quiet spell ({@code CongestionWindow}).
   */
  public long yieldsToLoss() {
    return yieldsToLoss;
  }

  /**
   * Times LEDBAT found its delivery rate rising over a standing queue, that is taken from another
   * flow, and yielded ({@code CongestionWindow}).
   */
  public long yieldsToDisplacement() {
    return yieldsToDisplacement;
  }

  @Override
  public String toString() {
    return "UtpConnectionStats{sent="
        + packetsSent
        + " recv="
        + packetsReceived
        + " bytesSent="
        + payloadBytesSent
        + " bytesRecv="
        + payloadBytesReceived
        + " retx="
        + retransmits
        + " timeouts="
        + timeouts
        + " fastRetx="
        + fastRetransmits
        + " sackRetx="
        + sackRetransmits
        + " dupAcks="
        + duplicateAcks
        + " dupPkts="
        + duplicatePackets
        + " ooo="
        + outOfOrderPackets
        + " synRetx="
        + synRetransmits
        + " synTriggered="
        + synTriggered
        + " finRetx="
        + finRetransmits
        + " zwp="
        + zeroWindowProbes
        + " keepAlives="
        + keepAlives
        + " lossEvents="
        + lossEvents
        + " yields="
        + yieldsToLoss
        + "/"
        + yieldsToDisplacement
        + "}";
  }
}
