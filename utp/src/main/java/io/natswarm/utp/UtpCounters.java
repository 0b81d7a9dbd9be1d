package io.natswarm.utp;

/**
 * A snapshot of one {@link UtpStack}'s counters, taken on its event-loop thread by {@link
 * UtpStack#counters()}: what arrived, what was dropped and why. Immutable; safe to hand to any
 * thread.
 *
 * @param datagramsIn datagrams offered to {@link UtpStack#handleDatagram}
 * @param datagramsOut datagrams handed out by {@link UtpStack#pollTransmit}
 * @param notUtp datagrams declined (returned false): shorter than a header, not version 1, an
 *     unknown type, or a well-formed header of a connection we do not have that is not a SYN; the
 *     demultiplexer offers them to the next protocol
 * @param malformed datagrams consumed and dropped because they break BEP 29 on a connection we
 *     have: the sum of {@code badExtension} and {@code impossibleAck}. Anything not shaped like µTP
 *     is never consumed; it is counted in {@code notUtp}
 * @param badExtension consumed and dropped: a packet of a known connection whose extension chain
 *     overruns the datagram
 * @param unknownConnection declined: a well-formed non-SYN header of a connection we do not have
 *     (also counted in {@code notUtp})
 * @param synReceived SYNs of new connections (retransmitted SYNs of known ones excluded)
 * @param duplicateSyn retransmitted SYNs of a connection we already have (answered again)
 * @param synAckRetransmits ST_STATEs answering a SYN re-sent because the half-open connection heard
 *     nothing more from its peer (after 1, 2, 4 s...)
 * @param synDroppedNotListening SYNs answered with ST_RESET because the stack does not listen
 * @param synDroppedHalfOpen SYNs dropped because {@link UtpSettings#maxHalfOpen()} connections are
 *     half-open
 * @param synDroppedConnectionLimit SYNs dropped because {@link UtpSettings#maxConnections()} are
 *     open
 * @param synDroppedBacklog SYNs dropped, or completed handshakes reset, because {@link
 *     UtpSettings#acceptBacklog()} connections wait to be accepted
 * @param impossibleAck packets of a known connection acknowledging a sequence number we never sent,
 *     or, during the handshake, not acknowledging our SYN (dropped)
 * @param outOfWindow data packets beyond the receive window (dropped)
 * @param resetsIn ST_RESETs received on a known connection
 * @param resetsOut ST_RESETs sent (aborts, refused SYNs, packets of unknown connections)
 * @param connectionsOpened connections dialled with {@link UtpStack#connect}
 * @param connectionsAccepted incoming connections whose handshake completed (the peer's first
 *     packet after its SYN arrived), each handed once to {@link UtpStack#pollAccepted()}
 * @param connectionsClosed connections that reached {@link UtpState#CLOSED}, for any reason
 * @param connectionsTimedOut connections that ended with {@link UtpError#TIMED_OUT} or {@link
 *     UtpError#CONNECT_TIMED_OUT}
 */
public record UtpCounters(
    long datagramsIn,
    long datagramsOut,
    long notUtp,
    long malformed,
    long badExtension,
    long unknownConnection,
    long synReceived,
    long duplicateSyn,
    long synAckRetransmits,
    long synDroppedNotListening,
    long synDroppedHalfOpen,
    long synDroppedConnectionLimit,
    long synDroppedBacklog,
    long impossibleAck,
    long outOfWindow,
    long resetsIn,
    long resetsOut,
    long connectionsOpened,
    long connectionsAccepted,
    long connectionsClosed,
    long connectionsTimedOut) {}
