package io.natswarm.utp;

/**
 * Counters of one {@link UtpStack}: what arrived, what was dropped and why. Plain fields updated on
 * the event-loop thread; read them on that thread (or accept slightly stale values elsewhere).
 */
public final class UtpCounters {
  long datagramsIn;
  long datagramsOut;
  long notUtp;
  long malformed;
  long badExtension;
  long unknownConnection;
  long synReceived;
  long duplicateSyn;
  long synDroppedNotListening;
  long synDroppedHalfOpen;
  long synDroppedConnectionLimit;
  long synDroppedBacklog;
  long impossibleAck;
  long outOfWindow;
  long resetsIn;
  long resetsOut;
  long connectionsOpened;
  long connectionsAccepted;
  long connectionsClosed;
  long connectionsTimedOut;

  /** Datagrams offered to {@link UtpStack#handleDatagram}. */
  public long datagramsIn() {
    return datagramsIn;
  }

  /** Datagrams handed out by {@link UtpStack#pollTransmit}. */
  public long datagramsOut() {
    return datagramsOut;
  }

  /** Datagrams declined (returned false): not a µTP header of a known connection or a SYN. */
  public long notUtp() {
    return notUtp;
  }

  /** Consumed and dropped: shorter than a header, bad type, or an extension chain out of bounds. */
  public long malformed() {
    return malformed;
  }

  /** Consumed and dropped: an extension chain that overruns the packet. */
  public long badExtension() {
    return badExtension;
  }

  /** Declined: a well-formed non-SYN µTP header for a connection we do not have. */
  public long unknownConnection() {
    return unknownConnection;
  }

  public long synReceived() {
    return synReceived;
  }

  /** A retransmitted SYN of a connection we already accepted (answered again). */
  public long duplicateSyn() {
    return duplicateSyn;
  }

  public long synDroppedNotListening() {
    return synDroppedNotListening;
  }

  /** SYNs dropped because {@link UtpSettings#maxHalfOpen()} connections are half-open. */
  public long synDroppedHalfOpen() {
    return synDroppedHalfOpen;
  }

  public long synDroppedConnectionLimit() {
    return synDroppedConnectionLimit;
  }

  public long synDroppedBacklog() {
    return synDroppedBacklog;
  }

  /** Packets acknowledging sequence numbers we never sent (dropped). */
  public long impossibleAck() {
    return impossibleAck;
  }

  /** Data packets beyond the receive window (dropped). */
  public long outOfWindow() {
    return outOfWindow;
  }

  public long resetsIn() {
    return resetsIn;
  }

  public long resetsOut() {
    return resetsOut;
  }

  public long connectionsOpened() {
    return connectionsOpened;
  }

  public long connectionsAccepted() {
    return connectionsAccepted;
  }

  public long connectionsClosed() {
    return connectionsClosed;
  }

  public long connectionsTimedOut() {
    return connectionsTimedOut;
  }

  @Override
  public String toString() {
    return "UtpCounters{in="
        + datagramsIn
        + " out="
        + datagramsOut
        + " notUtp="
        + notUtp
        + " malformed="
        + malformed
        + " badExtension="
        + badExtension
        + " unknownConnection="
        + unknownConnection
        + " syn="
        + synReceived
        + " dupSyn="
        + duplicateSyn
        + " synDropped(notListening/halfOpen/limit/backlog)="
        + synDroppedNotListening
        + "/"
        + synDroppedHalfOpen
        + "/"
        + synDroppedConnectionLimit
        + "/"
        + synDroppedBacklog
        + " impossibleAck="
        + impossibleAck
        + " outOfWindow="
        + outOfWindow
        + " resets(in/out)="
        + resetsIn
        + "/"
        + resetsOut
        + " opened="
        + connectionsOpened
        + " accepted="
        + connectionsAccepted
        + " closed="
        + connectionsClosed
        + " timedOut="
        + connectionsTimedOut
        + "}";
  }
}
