package io.natswarm.utp;

/**
 * The one place a {@link UtpStack}'s counters live: plain fields incremented on the stack's
 * event-loop thread (by the stack, its connections and their receive streams), never read from
 * another thread. They leave the thread only as an immutable {@link UtpCounters} snapshot, whose
 * components document each counter.
 */
final class StackCounters {
  long datagramsIn;
  long datagramsOut;
  long notUtp;
  long malformed;
  long badExtension;
  long unknownConnection;
  long synReceived;
  long duplicateSyn;
  long synAckRetransmits;
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

  /** A packet of a known connection acked a sequence number we never sent: dropped. */
  void impossibleAck() {
    impossibleAck++;
    malformed++;
  }

  /** A packet of a known connection whose extension chain overruns the datagram: dropped. */
  void badExtension() {
    badExtension++;
    malformed++;
  }

  /** An immutable copy, taken on the owning thread. */
  UtpCounters snapshot() {
    return new UtpCounters(
        datagramsIn,
        datagramsOut,
        notUtp,
        malformed,
        badExtension,
        unknownConnection,
        synReceived,
        duplicateSyn,
        synAckRetransmits,
        synDroppedNotListening,
        synDroppedHalfOpen,
        synDroppedConnectionLimit,
        synDroppedBacklog,
        impossibleAck,
        outOfWindow,
        resetsIn,
        resetsOut,
        connectionsOpened,
        connectionsAccepted,
        connectionsClosed,
        connectionsTimedOut);
  }
}
