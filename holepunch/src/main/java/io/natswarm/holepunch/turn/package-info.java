/**
 * TURN (RFC 8656), the ladder's last rung: a relayed address on a server the operator runs. The
 * wire format ({@link io.natswarm.holepunch.turn.TurnCodec}: STUN messages with long-term
 * credentials, RFC 8489, and ChannelData), the client of one UDP allocation ({@link
 * io.natswarm.holepunch.turn.TurnClient}, a sans-IO core on the node's socket that also wraps the
 * datagrams it relays, through the demultiplexer's egress filter), and {@code ns_turn}, the BEP 10
 * signalling that hands a relayed address to a peer ({@link
 * io.natswarm.holepunch.turn.TurnSignal}). Owned by the thread of the node's UDP socket.
 */
package io.natswarm.holepunch.turn;
