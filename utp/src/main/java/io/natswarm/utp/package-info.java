/**
 * The µTP protocol core (BEP 29, congestion control per RFC 6817), sans-IO: {@link
 * io.natswarm.utp.UtpStack} owns every connection of one UDP socket and is driven with datagrams
 * and the time ({@code handleDatagram}, {@code pollTransmit}, {@code pollTimeout}, {@code
 * handleTimeout}); {@link io.natswarm.utp.UtpConnection} is the byte-stream view the endpoint
 * builds its channels on. Nothing here opens a socket, reads a clock or takes a lock: everything
 * belongs to the event-loop thread (package {@code io.natswarm.utp.endpoint}) or to netsim in
 * tests.
 *
 * <p>Inside: {@code UtpHeader} (flyweight codec), {@code SeqNr} (16-bit arithmetic), {@code
 * ConnectionEngine} (state machine, packet building, timers) with {@code InboundStream} (receive
 * buffer, reordering, SACK out), {@code OutboundStream} and {@code SendWindow} (in-flight packets,
 * acks, loss detection), {@code CongestionWindow} and {@code DelayHistory} (LEDBAT), {@code
 * RttEstimator} (RTO) and {@code PathMtu} (packet-size probing).
 */
package io.natswarm.utp;
