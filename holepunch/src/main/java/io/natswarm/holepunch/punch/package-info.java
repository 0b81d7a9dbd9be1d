/**
 * Hole punching through a rendezvous peer, the ut_holepunch extension (BEP 55): the message codec
 * ({@link io.natswarm.holepunch.punch.HolepunchCodec}), the relaying role ({@link
 * io.natswarm.holepunch.punch.Rendezvous}) and the initiator's bookkeeping ({@link
 * io.natswarm.holepunch.punch.PunchRequests}). All are sans-IO: they take parsed messages, peer
 * handles and {@code nowNanos}, and hand out messages to send, events and deadlines. They are owned
 * by the node's engine thread (the thread that owns the peer connections); the punching itself (µTP
 * or TCP simultaneous open) is not here. They are not datagram cores: BEP 55 messages are BEP 10
 * extended messages on peer connections, so the engine feeds them payloads from those connections.
 */
package io.natswarm.holepunch.punch;
