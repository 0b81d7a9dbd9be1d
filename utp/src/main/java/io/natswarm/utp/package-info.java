/**
 * The µTP protocol core (BEP 29, congestion control per RFC 6817), sans-IO: {@link
 * io.natswarm.utp.UtpStack} owns every connection of one UDP socket and is a {@link
 * io.natswarm.datagram.DatagramCore}, driven with datagrams and the time by its host (the real
 * endpoint's demultiplexer, or netsim); {@link io.natswarm.utp.UtpConnection} is the byte-stream
 * view the stream API ({@code io.natswarm.utp.stream}) builds its channels on. Nothing here opens a
 * socket, reads a clock or takes a lock: everything belongs to the host's event-loop thread.
 *
 * <p>Inside: {@code UtpHeader} (flyweight codec), {@code SeqNr} (16-bit arithmetic), {@code
 * ConnectionEngine} (the state machine of {@link io.natswarm.utp.UtpState}, acks, timers, headers)
 * with {@code InboundStream} (receive buffer, reordering, SACK out) and {@code Sender} (what to
 * send next: {@code OutboundStream}, the in-flight {@code SendWindow}, LEDBAT's {@code
 * CongestionWindow} with {@code DelayHistory}, {@code RttEstimator} and path-MTU probing in {@code
 * PathMtu}); {@code StackCounters} behind the {@link io.natswarm.utp.UtpCounters} snapshot; the
 * {@link io.natswarm.utp.UtpTracer} hears every state change.
 */
package io.natswarm.utp;
